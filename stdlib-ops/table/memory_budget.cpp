// The per-rank memory budget and the sizes it talks in (memory_budget.h).
#include "memory_budget.h"

#include <cctype>
#include <charconv>
#include <cmath>
#include <cstdio>

#include "errors.h"

namespace flowc::table {

void MemoryBudget::reserve(uint64_t bytes, const std::string& what) {
  if (bytes > limit_ || used_ > limit_ - bytes) {
    throw TableError("rank " + std::to_string(rank_) + " of " + std::to_string(ranks_) + " needs " +
                     human_bytes(used_ + bytes) + " (" + human_bytes(bytes) + " for " + what + ", " +
                     human_bytes(used_) + " already held), more than its memory budget of " + human_bytes(limit_) +
                     " (--mem-per-rank); give each rank a larger budget (--mem-per-rank, or `mem_per_rank` of the "
                     "std/table.flow ops) or run more ranks");
  }
  used_ += bytes;
  if (used_ > peak_) peak_ = used_;
}

std::string human_bytes(uint64_t bytes) {
  const char* units[] = {"bytes", "KiB", "MiB", "GiB", "TiB"};
  double v = static_cast<double>(bytes);
  int u = 0;
  while (v >= 1024 && u < 4) {
    v /= 1024;
    ++u;
  }
  char buf[64];
  if (u == 0) {
    std::snprintf(buf, sizeof buf, "%llu bytes", static_cast<unsigned long long>(bytes));
  } else if (v == std::floor(v)) {
    std::snprintf(buf, sizeof buf, "%.0f %s", v, units[u]);
  } else {
    std::snprintf(buf, sizeof buf, "%.1f %s", v, units[u]);
  }
  return buf;
}

std::string with_commas(uint64_t n) {
  std::string digits = std::to_string(n), out;
  for (size_t i = 0; i < digits.size(); ++i) {
    if (i > 0 && (digits.size() - i) % 3 == 0) out += ',';
    out += digits[i];
  }
  return out;
}

bool parse_size(const std::string& text, uint64_t* bytes) {
  double number = 0;
  const char* begin = text.data();
  const char* end = text.data() + text.size();
  auto [stop, ec] = std::from_chars(begin, end, number);
  if (ec != std::errc() || number < 0) return false;
  std::string unit(stop, end);
  while (!unit.empty() && unit.front() == ' ') unit.erase(unit.begin());
  for (char& c : unit) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  struct Unit {
    const char* name;
    double factor;
  };
  const Unit units[] = {
      {"", 1},       {"b", 1},         {"kb", 1e3},        {"mb", 1e6},           {"gb", 1e9},
      {"tb", 1e12},  {"kib", 1024.0},  {"mib", 1048576.0}, {"gib", 1073741824.0}, {"tib", 1099511627776.0},
      {"k", 1024.0}, {"m", 1048576.0}, {"g", 1073741824.0}};
  for (const Unit& u : units) {
    if (unit == u.name) {
      *bytes = static_cast<uint64_t>(number * u.factor);
      return true;
    }
  }
  return false;
}

}  // namespace flowc::table
