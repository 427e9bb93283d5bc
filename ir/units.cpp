// The unit table.
#include "ir/units.h"

namespace flowc::ir {
namespace {

// KB, MB, ... are powers of 1000; KiB, MiB, ... powers of 1024.
constexpr Unit kUnits[] = {
    {"B", true, 1, 1},
    {"KB", true, 1e3, 1000},
    {"MB", true, 1e6, 1000000},
    {"GB", true, 1e9, 1000000000},
    {"TB", true, 1e12, 1000000000000},
    {"PB", true, 1e15, 1000000000000000},
    {"KiB", true, 1024.0, int64_t{1} << 10},
    {"MiB", true, 1024.0 * 1024, int64_t{1} << 20},
    {"GiB", true, 1024.0 * 1024 * 1024, int64_t{1} << 30},
    {"TiB", true, 1024.0 * 1024 * 1024 * 1024, int64_t{1} << 40},
    {"PiB", true, 1024.0 * 1024 * 1024 * 1024 * 1024, int64_t{1} << 50},
    {"ms", false, 0.001, 0},
    {"s", false, 1, 0},
    {"m", false, 60, 0},
    {"min", false, 60, 0},
    {"h", false, 3600, 0},
    {"d", false, 86400, 0},
};

}  // namespace

std::span<const Unit> units() { return kUnits; }

const Unit* find_unit(std::string_view name) {
  for (const Unit& u : kUnits) {
    if (u.name == name) return &u;
  }
  return nullptr;
}

}  // namespace flowc::ir
