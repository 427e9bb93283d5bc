// Reading a small file whole (a value a task wrote, a file a builtin like
// read_lines reads), safely: a FIFO, socket or device is refused instead of
// blocking or never ending, and a file over the limit is refused instead of
// filling memory. And reading only the end of a file that may be huge (a
// task's log).
#pragma once

#include <cstdint>
#include <optional>
#include <string>

namespace flowc::runtime::files {

// The content of `path`, or nullopt with `*error` ("`P` is a FIFO (named
// pipe), not a regular file", "`P` holds N bytes; at most M are read", or
// the system's reason).
std::optional<std::string> read_small(const std::string& path, uint64_t limit, std::string* error);

// The last `max_bytes` of a regular file (all of it if smaller); `cut` when
// the file holds more before them. Empty if it cannot be read.
struct Tail {
  std::string text;
  bool cut = false;
  uint64_t size = 0;  // the whole file's
};
Tail read_tail(const std::string& path, uint64_t max_bytes);

}  // namespace flowc::runtime::files
