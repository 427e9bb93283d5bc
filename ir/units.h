// The units of size and duration values (8GiB, 90m): one table for the
// compiler's lexer and the runtime's reading of values.
#pragma once

#include <cstdint>
#include <span>
#include <string_view>

namespace flowc::ir {

struct Unit {
  std::string_view name;
  bool size;      // a size unit (bytes); otherwise a duration unit (seconds)
  double factor;  // bytes or seconds per unit
  int64_t bytes;  // sizes: the exact factor, for whole amounts
};

std::span<const Unit> units();
// The unit named exactly `name` (units are case-sensitive: m is minutes), or null.
const Unit* find_unit(std::string_view name);

// For messages.
inline constexpr std::string_view kSizeUnitNames = "B, KB, MB, GB, TB, PB, KiB, MiB, GiB, TiB, PiB";
inline constexpr std::string_view kDurationUnitNames = "ms, s, m (minutes), min, h, d";

}  // namespace flowc::ir
