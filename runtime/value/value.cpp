// Run-time values: checking them against types, reading them from text, and
// their canonical form.
#include "runtime/value/value.h"

#include "runtime/value/file_object.h"

#include <charconv>
#include <cmath>
#include <cstdint>
#include <filesystem>
#include <limits>

#include <fmt/format.h>

#include "ir/json_parse.h"
#include "ir/units.h"
#include "ir/utf8.h"

namespace flowc::runtime {
namespace {

using ir::Type;
using ir::TypeKind;

constexpr int64_t kMaxInt = std::numeric_limits<int64_t>::max();

bool is_digit(char c) { return c >= '0' && c <= '9'; }
bool is_alpha(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }

std::string_view trim(std::string_view s) {
  const char* ws = " \t\r\n\v\f";
  size_t b = s.find_first_not_of(ws);
  if (b == std::string_view::npos) return {};
  size_t e = s.find_last_not_of(ws);
  return s.substr(b, e - b + 1);
}

// The text as it appears in a message: in backquotes, shortened.
std::string quoted_text(std::string_view text) {
  constexpr size_t kLimit = 60;
  if (text.size() <= kLimit) return fmt::format("`{}`", ir::printable_utf8(text));
  size_t cut = kLimit;
  while (cut > 0 && (static_cast<unsigned char>(text[cut]) & 0xC0) == 0x80) --cut;
  return fmt::format("`{}...`", ir::printable_utf8(text.substr(0, cut)));
}

// Values are UTF-8 text (they go into JSON: events, outputs.json, the
// journal): a text that is not is refused, saying where.
bool is_utf8(std::string_view text, std::string* error) {
  auto bad = ir::first_invalid_utf8(text);
  if (!bad) return true;
  if (error) {
    *error = fmt::format("not UTF-8 text (byte 0x{:02X} at byte {}); flowc's values are UTF-8",
                         static_cast<unsigned char>(text[*bad]), *bad + 1);
  }
  return false;
}

// ---- numbers from text -----------------------------------------------------------

// `s` without the `_` that separate digits (1_000_000, as in the language), or
// nullopt when an `_` stands anywhere else.
std::optional<std::string> without_underscores(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '_') {
      if (i == 0 || !is_digit(s[i - 1]) || i + 1 >= s.size() || !is_digit(s[i + 1])) return std::nullopt;
      continue;
    }
    out += s[i];
  }
  return out;
}

enum class NumberError { None, Syntax, Range };

// [+-]digits
std::optional<int64_t> parse_int(std::string_view text, NumberError* err) {
  *err = NumberError::Syntax;
  auto clean = without_underscores(text);
  if (!clean || clean->empty()) return std::nullopt;
  std::string_view s = *clean;
  if (s[0] == '+') s.remove_prefix(1);
  std::string_view digits = !s.empty() && s[0] == '-' ? s.substr(1) : s;
  if (digits.empty()) return std::nullopt;
  for (char c : digits) {
    if (!is_digit(c)) return std::nullopt;
  }
  int64_t value = 0;
  auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), value);
  if (ec == std::errc::result_out_of_range) {
    *err = NumberError::Range;
    return std::nullopt;
  }
  if (ec != std::errc() || ptr != s.data() + s.size()) return std::nullopt;
  *err = NumberError::None;
  return value;
}

// The length of the unsigned decimal number at the start of `s` (digits with
// `_` between them, a fraction, an exponent), as the language's lexer reads one.
size_t number_prefix(std::string_view s, bool* integral) {
  size_t p = 0;
  *integral = true;
  auto digits = [&] {
    while (p < s.size() &&
           (is_digit(s[p]) || (s[p] == '_' && p > 0 && is_digit(s[p - 1]) && p + 1 < s.size() && is_digit(s[p + 1])))) {
      ++p;
    }
  };
  digits();
  if (p == 0) return 0;
  if (p < s.size() && s[p] == '.' && p + 1 < s.size() && is_digit(s[p + 1])) {
    *integral = false;
    ++p;
    digits();
  }
  if (p < s.size() && (s[p] == 'e' || s[p] == 'E')) {
    size_t q = p + 1;
    if (q < s.size() && (s[q] == '+' || s[q] == '-')) ++q;
    if (q < s.size() && is_digit(s[q])) {
      *integral = false;
      p = q;
      digits();
    }
  }
  return p;
}

// [+-]number: 2, 2.5, 1e-3, .5, 5.
std::optional<double> parse_real(std::string_view text, NumberError* err) {
  *err = NumberError::Syntax;
  auto clean = without_underscores(text);
  if (!clean || clean->empty()) return std::nullopt;
  std::string_view s = *clean;
  if (s[0] == '+') s.remove_prefix(1);
  std::string_view body = !s.empty() && s[0] == '-' ? s.substr(1) : s;
  // Only decimal digits, one `.`, and an exponent: no inf, nan or hex.
  size_t p = 0, digits = 0;
  while (p < body.size() && is_digit(body[p])) ++p, ++digits;
  if (p < body.size() && body[p] == '.') {
    ++p;
    while (p < body.size() && is_digit(body[p])) ++p, ++digits;
  }
  if (digits == 0) return std::nullopt;
  if (p < body.size() && (body[p] == 'e' || body[p] == 'E')) {
    ++p;
    if (p < body.size() && (body[p] == '+' || body[p] == '-')) ++p;
    size_t exp_digits = 0;
    while (p < body.size() && is_digit(body[p])) ++p, ++exp_digits;
    if (exp_digits == 0) return std::nullopt;
  }
  if (p != body.size()) return std::nullopt;
  double value = 0;
  auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), value);
  if (ec == std::errc::result_out_of_range) {
    *err = NumberError::Range;
    return std::nullopt;
  }
  if (ec != std::errc() || ptr != s.data() + s.size() || !std::isfinite(value)) return std::nullopt;
  *err = NumberError::None;
  return value;
}

const std::string kSizeExpected = fmt::format("a size (bytes, or a number with a unit: {})", ir::kSizeUnitNames);
const std::string kDurationExpected =
    fmt::format("a duration (seconds, or a number with a unit: {})", ir::kDurationUnitNames);

// 8GiB, 1.5TB, 1000 (bytes); 90m, 250ms, 1.5h, 30 (seconds).
std::optional<Value> parse_measure(std::string_view text, bool size, std::string* error) {
  std::string_view s = trim(text);
  auto bad = [&](const char* why = "") {
    if (error)
      *error = fmt::format("expected {}, found {}{}", size ? kSizeExpected : kDurationExpected, quoted_text(text), why);
    return std::nullopt;
  };
  bool integral = true;
  size_t n = number_prefix(s, &integral);
  if (n == 0) return bad();
  std::string_view number = s.substr(0, n), unit_text = s.substr(n);
  for (char c : unit_text) {
    if (!is_alpha(c)) return bad();
  }
  NumberError err;
  const ir::Unit* unit = nullptr;
  if (!unit_text.empty()) {
    unit = ir::find_unit(unit_text);
    if (!unit || unit->size != size) return bad();
  }
  if (size && integral) {
    auto count = parse_int(number, &err);
    if (!count) return bad(" (too large)");
    int64_t bytes = *count;
    if (unit && __builtin_mul_overflow(*count, unit->bytes, &bytes)) return bad(" (too large)");
    return Value(bytes);
  }
  auto amount = parse_real(number, &err);
  if (!amount) return bad(err == NumberError::Range ? " (too large)" : "");
  double scaled = *amount * (unit ? unit->factor : 1.0);
  if (!std::isfinite(scaled)) return bad(" (too large)");
  if (size) {
    if (scaled >= 9.2e18) return bad(" (too large)");
    return Value(static_cast<int64_t>(std::llround(scaled)));
  }
  return Value(scaled);
}

// Strings with units where a size or duration is expected in JSON
// (`{"mem": "8GiB"}`) become bytes and seconds.
void convert_units(Value& v, const Type* t) {
  if (!t) return;
  switch (t->kind()) {
    case TypeKind::Size:
    case TypeKind::Duration:
      if (v.is_string()) {
        if (auto m = parse_measure(v.get_ref<const std::string&>(), t->is(TypeKind::Size), nullptr)) v = std::move(*m);
      }
      return;
    case TypeKind::List:
      if (v.is_array()) {
        for (Value& item : v) convert_units(item, t->elem());
      }
      return;
    case TypeKind::Map:
      if (v.is_object()) {
        for (auto& [k, item] : v.items()) convert_units(item, t->elem());
      }
      return;
    case TypeKind::Optional:
      if (!v.is_null()) convert_units(v, t->elem());
      return;
    case TypeKind::Record:
      if (v.is_object()) {
        for (const ir::Field& f : t->fields()) {
          auto it = v.find(f.name);
          if (it != v.end()) convert_units(*it, f.type);
        }
      }
      return;
    default: return;
  }
}

// Composite values (and anything a scalar parser does not cover) as JSON.
std::optional<Value> parse_json_for(std::string_view text, const Type* t, std::string* error) {
  std::string problem;
  std::optional<Value> parsed = ir::parse_json(text, &problem);
  if (!parsed) {
    if (error) {
      std::string type = t ? t->str() : "a value";
      *error = trim(text).empty() ? fmt::format("expected {} as JSON, found nothing", type)
                                  : fmt::format("expected {} as JSON, found {} ({})", type, quoted_text(text), problem);
    }
    return std::nullopt;
  }
  Value v = std::move(*parsed);
  convert_units(v, t);
  std::string why;
  if (!conforms(v, t, &why)) {
    if (error) *error = why;
    return std::nullopt;
  }
  coerce_in_place(v, t);
  return v;
}

std::optional<Value> parse_scalar(std::string_view text, const Type* t, std::string* error) {
  auto fail = [&](const std::string& message) -> std::optional<Value> {
    if (error) *error = message;
    return std::nullopt;
  };
  NumberError err;
  switch (t->kind()) {
    case TypeKind::Str:
    case TypeKind::Bytes: return Value(std::string(text));
    case TypeKind::Int: {
      auto v = parse_int(trim(text), &err);
      if (!v) {
        return fail(fmt::format("expected an int, found {}{}", quoted_text(text),
                                err == NumberError::Range ? " (out of the range of a 64-bit integer)" : ""));
      }
      return Value(*v);
    }
    case TypeKind::Float: {
      auto v = parse_real(trim(text), &err);
      if (!v)
        return fail(fmt::format("expected a float, found {}{}", quoted_text(text),
                                err == NumberError::Range ? " (out of range)" : ""));
      return Value(*v);
    }
    case TypeKind::Bool: {
      std::string_view s = trim(text);
      if (s == "true") return Value(true);
      if (s == "false") return Value(false);
      return fail(fmt::format("expected a bool (true or false), found {}", quoted_text(text)));
    }
    case TypeKind::Size: return parse_measure(text, true, error);
    case TypeKind::Duration: return parse_measure(text, false, error);
    case TypeKind::File:
    case TypeKind::Dir:
      if (text.empty()) return fail(fmt::format("expected a {} path, found nothing", t->str()));
      return Value(std::string(text));
    default: return std::nullopt;
  }
}

bool is_none_text(std::string_view text) {
  std::string_view s = trim(text);
  return s == "null" || s == "none";
}

// ---- checking -------------------------------------------------------------------

bool mismatch(const Value& v, const Type* t, std::string* why, const char* note = "") {
  if (why) *why = fmt::format("expected {}, found {}{}", t->str(), describe(v), note);
  return false;
}

bool fits_int(const Value& v) {
  return v.is_number_integer() && (!v.is_number_unsigned() || v.get<uint64_t>() <= static_cast<uint64_t>(kMaxInt));
}

bool check(const Value& v, const Type* t, std::string* why) {
  switch (t->kind()) {
    case TypeKind::Error:
    case TypeKind::Var:
    case TypeKind::Any: return true;
    case TypeKind::None: return v.is_null() || mismatch(v, t, why);
    case TypeKind::Int:
    case TypeKind::Size:
      if (v.is_number_unsigned() && !fits_int(v)) return mismatch(v, t, why, " (too large)");
      return fits_int(v) || mismatch(v, t, why);
    case TypeKind::Float:
    case TypeKind::Duration: return v.is_number() || mismatch(v, t, why);
    case TypeKind::Bool: return v.is_boolean() || mismatch(v, t, why);
    case TypeKind::Str:
    case TypeKind::Bytes: return v.is_string() || mismatch(v, t, why);
    case TypeKind::File:
    case TypeKind::Dir:
      if (v.is_string() && v.get_ref<const std::string&>().empty()) return mismatch(v, t, why, " (an empty path)");
      return v.is_string() || is_file_object(v) || mismatch(v, t, why);
    case TypeKind::Optional: return v.is_null() || check(v, t->elem(), why);
    case TypeKind::List: {
      if (!v.is_array()) return mismatch(v, t, why);
      for (size_t i = 0; i < v.size(); ++i) {
        if (!check(v[i], t->elem(), why)) {
          if (why) *why = fmt::format("item {}: {}", i, *why);
          return false;
        }
      }
      return true;
    }
    case TypeKind::Map: {
      if (!v.is_object()) return mismatch(v, t, why);
      for (const auto& [key, item] : v.items()) {
        if (!check(item, t->elem(), why)) {
          if (why) *why = fmt::format("key {}: {}", describe(Value(key)), *why);
          return false;
        }
      }
      return true;
    }
    case TypeKind::Record: {
      if (!v.is_object()) return mismatch(v, t, why);
      for (const ir::Field& f : t->fields()) {
        auto it = v.find(f.name);
        if (it == v.end()) {
          if (f.type->is_optional() || f.type->is(TypeKind::None)) continue;  // absent
          if (why) *why = fmt::format("field `{}`: missing", f.name);
          return false;
        }
        if (!check(*it, f.type, why)) {
          if (why) *why = fmt::format("field `{}`: {}", f.name, *why);
          return false;
        }
      }
      for (const auto& [key, item] : v.items()) {
        if (!t->field(key)) {
          if (why) *why = fmt::format("field `{}`: not a field of {}", key, t->str());
          return false;
        }
      }
      return true;
    }
    case TypeKind::Stream:
      if (why) *why = fmt::format("a {} is not a value", t->str());
      return false;
  }
  return false;
}

// ---- canonical text ----------------------------------------------------------------

void write_string(std::string_view s, std::string& out) {
  out += '"';
  size_t i = 0;
  while (i < s.size()) {
    auto c = static_cast<unsigned char>(s[i]);
    if (c < 0x80) {
      switch (c) {
        case '"': out += "\\\""; break;
        case '\\': out += "\\\\"; break;
        case '\b': out += "\\b"; break;
        case '\f': out += "\\f"; break;
        case '\n': out += "\\n"; break;
        case '\r': out += "\\r"; break;
        case '\t': out += "\\t"; break;
        default:
          if (c < 0x20) out += fmt::format("\\u{:04x}", c);
          else out += static_cast<char>(c);
      }
      ++i;
      continue;
    }
    size_t len = ir::utf8_sequence_length(s, i);
    if (len == 0) {
      // Not UTF-8: each stray byte as a lone low surrogate (as Python's
      // surrogateescape does), which no valid text can contain, so distinct
      // byte strings stay distinct.
      out += fmt::format("\\udc{:02x}", c);
      ++i;
      continue;
    }
    out.append(s.substr(i, len));
    i += len;
  }
  out += '"';
}

void write_canonical(const Value& v, std::string& out) {
  switch (v.type()) {
    case Value::value_t::null:
    case Value::value_t::discarded: out += "null"; return;
    case Value::value_t::boolean: out += v.get<bool>() ? "true" : "false"; return;
    case Value::value_t::number_integer: out += std::to_string(v.get<int64_t>()); return;
    case Value::value_t::number_unsigned: out += std::to_string(v.get<uint64_t>()); return;
    case Value::value_t::number_float: {
      double d = v.get<double>();
      if (!std::isfinite(d)) {
        out += "null";
      } else {
        out += float_text(d == 0.0 ? 0.0 : d);  // -0.0 equals 0.0, so it hashes the same
      }
      return;
    }
    case Value::value_t::string: write_string(v.get_ref<const std::string&>(), out); return;
    case Value::value_t::array: {
      out += '[';
      bool first = true;
      for (const Value& item : v) {
        if (!first) out += ',';
        first = false;
        write_canonical(item, out);
      }
      out += ']';
      return;
    }
    case Value::value_t::object: {
      // nlohmann::json keeps object keys in a std::map: sorted by bytes.
      out += '{';
      bool first = true;
      for (const auto& [key, item] : v.items()) {
        if (!first) out += ',';
        first = false;
        write_string(key, out);
        out += ':';
        write_canonical(item, out);
      }
      out += '}';
      return;
    }
    case Value::value_t::binary: out += v.dump(); return;
  }
}

}  // namespace

// ---- the interface ---------------------------------------------------------------

bool conforms(const Value& v, const ir::Type* t, std::string* why) {
  if (!t) return true;
  return check(v, t, why);
}

void coerce_in_place(Value& v, const ir::Type* t) {
  if (!t) return;
  switch (t->kind()) {
    case TypeKind::Float:
    case TypeKind::Duration:
      if (v.is_number_unsigned()) {
        v = static_cast<double>(v.get<uint64_t>());
      } else if (v.is_number_integer()) {
        v = static_cast<double>(v.get<int64_t>());
      }
      return;
    case TypeKind::Int:
    case TypeKind::Size:
      if (v.is_number_unsigned() && fits_int(v)) v = static_cast<int64_t>(v.get<uint64_t>());
      return;
    case TypeKind::List:
      if (v.is_array()) {
        for (Value& item : v) coerce_in_place(item, t->elem());
      }
      return;
    case TypeKind::Map:
      if (v.is_object()) {
        for (auto& [k, item] : v.items()) coerce_in_place(item, t->elem());
      }
      return;
    case TypeKind::Optional:
      if (!v.is_null()) coerce_in_place(v, t->elem());
      return;
    case TypeKind::Record:
      if (v.is_object()) {
        for (const ir::Field& f : t->fields()) {
          auto it = v.find(f.name);
          if (it != v.end()) {
            coerce_in_place(*it, f.type);
          } else if (f.type->is_optional() || f.type->is(TypeKind::None)) {
            v[f.name] = nullptr;  // an absent field is written as null
          }
        }
      }
      return;
    default: return;
  }
}

Value coerce(const Value& v, const ir::Type* t) {
  Value out = v;
  coerce_in_place(out, t);
  return out;
}

std::optional<Value> parse_text(std::string_view text, const ir::Type* t, std::string* error) {
  if (!is_utf8(text, error)) return std::nullopt;
  if (!t) return parse_json_for(text, t, error);
  switch (t->kind()) {
    case TypeKind::Str:
    case TypeKind::Bytes:
    case TypeKind::Int:
    case TypeKind::Float:
    case TypeKind::Bool:
    case TypeKind::Size:
    case TypeKind::Duration:
    case TypeKind::File:
    case TypeKind::Dir: return parse_scalar(text, t, error);
    case TypeKind::None:
      if (is_none_text(text)) return Value(nullptr);
      if (error) *error = fmt::format("expected none, found {}", quoted_text(text));
      return std::nullopt;
    case TypeKind::Optional: {
      if (is_none_text(text)) return Value(nullptr);
      // JSON when it fits (`"quoted"` for str?, `[1, 2]` for list[int]?), else
      // the text of the inner type.
      std::string ignored;
      if (auto v = parse_json_for(text, t, &ignored)) return v;
      return parse_text(text, t->elem(), error);
    }
    case TypeKind::Stream:
      if (error) *error = fmt::format("a {} cannot be given as a value", t->str());
      return std::nullopt;
    default: return parse_json_for(text, t, error);
  }
}

std::optional<Value> read_value_text(std::string_view text, const ir::Type* t, std::string* error) {
  auto without_final_newline = [](std::string_view s) {
    if (!s.empty() && s.back() == '\n') s.remove_suffix(1);
    return s;
  };
  if (!is_utf8(text, error)) return std::nullopt;
  if (!t) return parse_json_for(text, t, error);
  switch (t->kind()) {
    case TypeKind::Str:
    case TypeKind::Bytes: return Value(std::string(without_final_newline(text)));
    case TypeKind::File:
    case TypeKind::Dir: return parse_scalar(without_final_newline(text), t, error);
    case TypeKind::Int:
    case TypeKind::Float:
    case TypeKind::Bool:
    case TypeKind::Size:
    case TypeKind::Duration: return parse_scalar(trim(text), t, error);
    case TypeKind::None:
      if (trim(text).empty() || is_none_text(text)) return Value(nullptr);
      if (error) *error = fmt::format("expected none, found {}", quoted_text(text));
      return std::nullopt;
    case TypeKind::Optional:
      // An empty file (or `null`) is absent.
      if (trim(text).empty() || is_none_text(text)) return Value(nullptr);
      return read_value_text(text, t->elem(), error);
    case TypeKind::Stream:
      if (error) *error = fmt::format("a {} cannot be read as a value", t->str());
      return std::nullopt;
    default: return parse_json_for(text, t, error);
  }
}

namespace {

// CWL's File and Directory objects (file_object.h) carry their paths by
// themselves; a path in one has the plain `file` or `dir` type (a CWL
// file's secondaryFiles are objects of their own, not companions).
const ir::TypeTable& plain_types() {
  static const ir::TypeTable table;
  return table;
}

std::function<void(const std::string&, bool)> object_path_fn(
    const std::function<void(const std::string&, const ir::Type*)>& fn) {
  return [&fn](const std::string& path, bool dir) { fn(path, dir ? plain_types().dir() : plain_types().file()); };
}

std::function<std::string(const std::string&)> map_object_path_fn(
    const std::function<Value(const std::string&, const ir::Type*)>& fn) {
  // A File object's path stays a string (its own `path` field).
  return [&fn](const std::string& path) {
    Value mapped = fn(path, plain_types().file());
    return mapped.is_string() ? mapped.get<std::string>() : path;
  };
}

}  // namespace

void for_each_typed_path(const Value& v, const ir::Type* t,
                         const std::function<void(const std::string&, const ir::Type*)>& fn) {
  if (!t || v.is_null()) return;
  switch (t->kind()) {
    case TypeKind::File:
    case TypeKind::Dir:
      if (v.is_string()) fn(v.get_ref<const std::string&>(), t);
      else if (v.is_object()) for_each_object_path(v, object_path_fn(fn));
      return;
    case TypeKind::Any: for_each_object_path(v, object_path_fn(fn)); return;
    case TypeKind::List:
      if (v.is_array()) {
        for (const Value& item : v) for_each_typed_path(item, t->elem(), fn);
      }
      return;
    case TypeKind::Map:
      if (v.is_object()) {
        for (const auto& [k, item] : v.items()) for_each_typed_path(item, t->elem(), fn);
      }
      return;
    case TypeKind::Optional: for_each_typed_path(v, t->elem(), fn); return;
    case TypeKind::Record:
      if (v.is_object()) {
        for (const ir::Field& f : t->fields()) {
          auto it = v.find(f.name);
          if (it != v.end()) for_each_typed_path(*it, f.type, fn);
        }
      }
      return;
    default: return;
  }
}

void for_each_path(const Value& v, const ir::Type* t, const std::function<void(const std::string&, bool)>& fn) {
  for_each_typed_path(v, t, [&](const std::string& path, const ir::Type* type) { fn(path, type->is(TypeKind::Dir)); });
}

Value map_typed_paths(const Value& v, const ir::Type* t,
                      const std::function<Value(const std::string&, const ir::Type*)>& fn) {
  if (!t || v.is_null()) return v;
  switch (t->kind()) {
    case TypeKind::File:
    case TypeKind::Dir:
      if (v.is_object()) return map_object_paths(v, map_object_path_fn(fn));
      return v.is_string() ? fn(v.get_ref<const std::string&>(), t) : v;
    case TypeKind::Any: return map_object_paths(v, map_object_path_fn(fn));
    case TypeKind::List: {
      if (!v.is_array()) return v;
      Value out = Value::array();
      for (const Value& item : v) out.push_back(map_typed_paths(item, t->elem(), fn));
      return out;
    }
    case TypeKind::Map: {
      if (!v.is_object()) return v;
      Value out = Value::object();
      for (const auto& [k, item] : v.items()) out[k] = map_typed_paths(item, t->elem(), fn);
      return out;
    }
    case TypeKind::Optional: return map_typed_paths(v, t->elem(), fn);
    case TypeKind::Record: {
      if (!v.is_object()) return v;
      Value out = v;
      for (const ir::Field& f : t->fields()) {
        auto it = out.find(f.name);
        if (it != out.end()) *it = map_typed_paths(*it, f.type, fn);
      }
      return out;
    }
    default: return v;
  }
}

Value map_paths(const Value& v, const ir::Type* t, const std::function<std::string(const std::string&)>& fn) {
  return map_typed_paths(v, t, [&](const std::string& path, const ir::Type*) { return Value(fn(path)); });
}

std::vector<CompanionFile> companions_of(const std::string& path, const ir::Type* file_type) {
  std::vector<CompanionFile> out;
  if (!file_type || file_type->companions().empty()) return out;
  std::filesystem::path p(path);
  std::string name = p.filename().string();
  for (const ir::Companion& c : file_type->companions()) {
    out.push_back({(p.parent_path() / ir::companion_name(name, c.pattern)).string(), &c});
  }
  return out;
}

std::string canonical(const Value& v) {
  std::string out;
  write_canonical(v, out);
  return out;
}

std::string describe(const Value& v, size_t limit) {
  std::string s = v.dump(-1, ' ', false, Value::error_handler_t::replace);
  if (s.size() <= limit) return s;
  size_t cut = limit;
  while (cut > 0 && (static_cast<unsigned char>(s[cut]) & 0xC0) == 0x80) --cut;
  s.resize(cut);
  return s + "...";
}

namespace {

// a < b: -1, a == b: 0, a > b: 1, for an int and a float (exactly, even past 2^53).
int compare_int_float(int64_t a, double b) {
  if (b >= 9223372036854775808.0) return -1;
  if (b < -9223372036854775808.0) return 1;
  double whole = std::trunc(b);
  auto w = static_cast<int64_t>(whole);
  if (a != w) return a < w ? -1 : 1;
  double frac = b - whole;
  return frac > 0 ? -1 : frac < 0 ? 1 : 0;
}

}  // namespace

bool values_equal(const Value& a, const Value& b) {
  if (a.is_number() && b.is_number()) {
    if (a.is_number_float() && b.is_number_float()) return a.get<double>() == b.get<double>();
    if (a.is_number_float() || b.is_number_float()) {
      const Value& i = a.is_number_float() ? b : a;
      double d = a.is_number_float() ? a.get<double>() : b.get<double>();
      if (std::isnan(d)) return false;
      if (i.is_number_unsigned() && !fits_int(i)) return static_cast<double>(i.get<uint64_t>()) == d;
      return compare_int_float(i.get<int64_t>(), d) == 0;
    }
    return a == b;  // nlohmann compares signed and unsigned integers exactly
  }
  if (a.type() != b.type()) return false;
  if (a.is_array()) {
    if (a.size() != b.size()) return false;
    for (size_t i = 0; i < a.size(); ++i) {
      if (!values_equal(a[i], b[i])) return false;
    }
    return true;
  }
  if (a.is_object()) {
    if (a.size() != b.size()) return false;
    for (const auto& [key, item] : a.items()) {
      auto it = b.find(key);
      if (it == b.end() || !values_equal(item, *it)) return false;
    }
    return true;
  }
  return a == b;
}

std::optional<int> compare_numbers(const Value& a, const Value& b) {
  if (!a.is_number() || !b.is_number()) return std::nullopt;
  auto sign = [](auto x, auto y) { return x < y ? -1 : x > y ? 1 : 0; };
  if (a.is_number_float() || b.is_number_float()) {
    if (a.is_number_float() && b.is_number_float()) {
      double x = a.get<double>(), y = b.get<double>();
      if (std::isnan(x) || std::isnan(y)) return std::nullopt;
      return sign(x, y);
    }
    bool flip = a.is_number_float();
    const Value& i = flip ? b : a;
    double d = flip ? a.get<double>() : b.get<double>();
    if (std::isnan(d)) return std::nullopt;
    int c = i.is_number_unsigned() && !fits_int(i) ? sign(static_cast<double>(i.get<uint64_t>()), d)
                                                   : compare_int_float(i.get<int64_t>(), d);
    return flip ? -c : c;
  }
  if (a.is_number_unsigned() || b.is_number_unsigned()) {
    if (a.is_number_unsigned() && b.is_number_unsigned()) return sign(a.get<uint64_t>(), b.get<uint64_t>());
    // One is unsigned, the other signed: a negative signed is smaller.
    if (a.is_number_unsigned()) {
      int64_t y = b.get<int64_t>();
      return y < 0 ? 1 : sign(a.get<uint64_t>(), static_cast<uint64_t>(y));
    }
    int64_t x = a.get<int64_t>();
    return x < 0 ? -1 : sign(static_cast<uint64_t>(x), b.get<uint64_t>());
  }
  return sign(a.get<int64_t>(), b.get<int64_t>());
}

std::string float_text(double d) {
  char buf[64];
  auto result = std::to_chars(buf, buf + sizeof buf, d);
  std::string s(buf, result.ptr);
  if (s.find_first_of(".en") == std::string::npos) s += ".0";  // `n`: inf, nan
  return s;
}

}  // namespace flowc::runtime
