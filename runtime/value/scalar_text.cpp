// The plain text of a scalar value (scalar_text.h).
#include "runtime/value/scalar_text.h"

#include <charconv>
#include <cmath>

namespace flowc::runtime {
namespace {

using ir::TypeKind;

// Seconds: an integer when whole (30), else the shortest float (0.25).
std::string seconds_text(double d) {
  if (d == std::trunc(d) && std::fabs(d) < 1e18) return std::to_string(static_cast<int64_t>(d));
  char buf[64];
  auto result = std::to_chars(buf, buf + sizeof buf, d);
  return std::string(buf, result.ptr);
}

}  // namespace

std::string scalar_text(const Value& v, const ir::Type* t) {
  if (v.is_null()) return "";
  TypeKind kind = t ? t->non_optional()->kind() : TypeKind::Error;
  switch (kind) {
    case TypeKind::Float:
      if (v.is_number()) return float_text(v.get<double>());
      break;
    case TypeKind::Duration:
      if (v.is_number()) return seconds_text(v.get<double>());
      break;
    case TypeKind::Int:
    case TypeKind::Size:
      if (v.is_number_float()) return seconds_text(v.get<double>());
      break;
    default: break;
  }
  if (v.is_string()) return v.get<std::string>();
  if (v.is_boolean()) return v.get<bool>() ? "true" : "false";
  if (v.is_number_unsigned()) return std::to_string(v.get<uint64_t>());
  if (v.is_number_integer()) return std::to_string(v.get<int64_t>());
  if (v.is_number_float()) return float_text(v.get<double>());
  return canonical(v);
}

}  // namespace flowc::runtime
