// Writing a result: either one merged file — every rank writes its part at
// its own offset (the sizes of the parts before it), so the file is the
// ranks' parts concatenated in rank order — or one file per rank in a
// folder (`part-00000.csv`, ...), each with the header.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>

#include "comm.h"

namespace flowc::table {

// Where output bytes go: only counted (to learn a part's size), or written
// to a file from an offset through a buffer.
class Sink {
 public:
  static Sink counter() { return Sink(); }
  Sink(int fd, uint64_t offset, std::string path) : fd_(fd), offset_(offset), path_(std::move(path)) {
    buffer_.reserve(kBuffer);
  }

  void write(std::string_view s) {
    count_ += s.size();
    if (fd_ < 0) return;
    buffer_.append(s);
    if (buffer_.size() >= kBuffer) flush();
  }
  void put(char c) { write(std::string_view(&c, 1)); }
  // Only counting: a body may then add up its bytes instead of building them.
  bool counting() const { return fd_ < 0; }
  void count_only(uint64_t bytes) { count_ += bytes; }
  // Throws TableError when the bytes cannot be written.
  void flush();
  uint64_t count() const { return count_; }

 private:
  Sink() = default;
  static constexpr size_t kBuffer = 1 << 20;
  int fd_ = -1;
  uint64_t offset_ = 0;
  std::string path_;
  std::string buffer_;
  uint64_t count_ = 0;
};

struct OutputTarget {
  std::string file;  // one merged file, or
  std::string dir;   // one file per rank in this folder
};

// Writes this rank's rows: `body` must write the same bytes each time it is
// called (twice for a merged file: once to count, once to write).
using Body = std::function<void(Sink&)>;

// Collective: the header (once per file) and every rank's body. Returns the
// bytes this rank wrote. Errors stop every rank with the message.
uint64_t write_output(const Comm& comm, const OutputTarget& target, std::string_view header, const Body& body);

// The file rank `rank` writes in `dir`.
std::string part_path(const std::string& dir, int rank);

}  // namespace flowc::table
