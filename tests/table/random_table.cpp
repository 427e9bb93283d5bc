// Random tables for the property tests (random_table.h).
#include "tests/table/random_table.h"

#include <cmath>
#include <vector>

namespace flowc::test::table {

namespace {

std::string key_text(size_t k, bool numeric, std::mt19937_64& rng) {
  if (numeric) {
    // One value, written in the ways a CSV may hold it.
    long long v = static_cast<long long>(k) - 5;
    switch (rng() % 6) {
      case 0: return std::to_string(v) + ".0";
      case 1: return v == 0 ? "-0" : std::to_string(v);
      case 2: return v % 10 == 0 && v != 0 ? std::to_string(v / 10) + "e1" : std::to_string(v);
      case 3: return std::to_string(v) + ".25";  // a different value: v + 0.25
      default: return std::to_string(v);
    }
  }
  switch (k % 7) {
    case 0: return "\"key, " + std::to_string(k) + "\"";  // quoted, a comma inside
    case 1: return "K" + std::to_string(k);
    case 2: return k == 2 ? "" : "k" + std::to_string(k * 7919 % 1000);  // the empty key
    default: return "k" + std::to_string(k);
  }
}

}  // namespace

std::string random_table(const TableShape& shape, std::mt19937_64& rng) {
  const bool key_first = rng() % 2 == 0;
  std::string eol = shape.quirks && rng() % 2 ? "\r\n" : "\n";
  std::string out = key_first ? shape.key_name + ",id," + shape.value_name + ",x,note"
                              : "id," + shape.value_name + "," + shape.key_name + ",x,note";
  out += eol;
  std::uniform_real_distribution<double> unit(0.0, 1.0);
  for (size_t i = 0; i < shape.rows; ++i) {
    size_t k = 0;
    if (shape.keys == Keys::Uniform) k = rng() % std::max<size_t>(1, shape.distinct);
    if (shape.keys == Keys::Skewed) {
      // Zipf-like: key j with weight ~ 1/(j+1)^1.2 (a few keys hold most rows).
      double u = unit(rng);
      k = static_cast<size_t>(std::pow(static_cast<double>(shape.distinct) + 1, u * u * u)) - 1;
      k = std::min(k, shape.distinct - 1);
    }
    std::string key = key_text(k, shape.numeric, rng);
    std::string v = rng() % 10 == 0 ? "" : std::to_string(static_cast<long long>(rng() % 2001) - 1000);
    char x[32];
    std::snprintf(x, sizeof x, "%.3f", unit(rng) * 100 - 50);
    std::string note = rng() % 4 == 0 ? "\"say \"\"hi\"\", " + std::to_string(i) + "\"" : "n" + std::to_string(i);
    std::string id = std::to_string(i);
    out +=
        key_first ? key + "," + id + "," + v + "," + x + "," + note : id + "," + v + "," + key + "," + x + "," + note;
    if (i + 1 < shape.rows || !shape.quirks || rng() % 2) out += eol;
    if (shape.quirks && rng() % 50 == 0) out += eol;  // a blank line
  }
  return out;
}

}  // namespace flowc::test::table
