// Random CSV tables for the property tests: sizes from empty to a few
// thousand rows, keys uniform, skewed (Zipf-like), or all equal, as strings
// (some quoted, with commas inside) or numbers written in several ways
// ("7", "7.0", "-0", "1e2"), and the file's quirks (CRLF lines, blank lines,
// no final line break).
#pragma once

#include <random>
#include <string>

namespace flowc::test::table {

enum class Keys { Uniform, Skewed, AllEqual };

struct TableShape {
  size_t rows = 100;
  size_t distinct = 20;  // distinct keys (Uniform, Skewed)
  Keys keys = Keys::Uniform;
  bool numeric = false;
  bool quirks = false;  // CRLF, blank lines, no final "\n"
  std::string key_name = "k";
  std::string value_name = "v";  // an integer column
};

// Columns: `id` (row number), the key, `v` (integers, some empty), `x`
// (floats), `note` (text, some quoted with commas) — the key's place
// varies with the seed.
std::string random_table(const TableShape& shape, std::mt19937_64& rng);

}  // namespace flowc::test::table
