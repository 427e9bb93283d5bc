// flowc-table's command line.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace flowc::table {

struct Options {
  std::string command;  // sort | join | groupby_sum | partition
  std::string input, left, right, key, how = "inner";
  std::vector<std::string> sums;
  std::string output_file, output_dir;
  bool numeric = false;
  std::optional<uint64_t> mem_per_rank;
  uint64_t shuffle_chunk = 256ull << 20;
  bool stats = false;
  bool help = false;
};

// Parses argv; on a mistake returns nullopt with the message in *error.
std::optional<Options> parse_options(int argc, char** argv, std::string* error);

extern const char* const kUsage;

}  // namespace flowc::table
