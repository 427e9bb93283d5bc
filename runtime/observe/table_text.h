// Text for people: aligned tables, sizes, resource usage beside what was
// requested, short JSON.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "runtime/value/value.h"

namespace flowc::runtime::observe {

// Columns padded to their widest cell; the first row is the header.
class TextTable {
 public:
  explicit TextTable(std::vector<std::string> header) { rows_.push_back(std::move(header)); }
  void add(std::vector<std::string> row) { rows_.push_back(std::move(row)); }
  bool empty() const { return rows_.size() <= 1; }
  std::string text() const;

 private:
  std::vector<std::vector<std::string>> rows_;
};

// "1.5 GiB", "200 MiB", "12 KiB", "512 B".
std::string human_bytes(double bytes);
// A task's usage (tasks.usage), measured beside requested:
// "wall 1.52s · cpu 1.01s user + 0.03s sys (68% of 1 cpu) · peak memory 201 MiB of 256 MiB requested (78%) · read 4 KiB, wrote 1 MiB (rusage)"
std::string usage_text(const Value& usage);
// JSON cut to `limit` characters.
std::string short_json(const Value& v, size_t limit);

}  // namespace flowc::runtime::observe
