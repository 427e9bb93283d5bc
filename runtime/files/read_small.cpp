// See read_small.h.
#include "runtime/files/read_small.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include <fmt/format.h>

#include "runtime/files/fd.h"
#include "runtime/files/tree.h"

namespace flowc::runtime::files {

std::optional<std::string> read_small(const std::string& path, uint64_t limit, std::string* error) {
  // Non-blocking: a FIFO with no writer would block the open itself.
  Fd file(::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK));
  int fd = file.get();
  if (fd < 0) {
    *error = std::strerror(errno);
    return std::nullopt;
  }
  struct stat st;
  std::string out;
  std::string why;
  if (::fstat(fd, &st) != 0) {
    why = std::strerror(errno);
  } else if (std::string kind = special_kind(st.st_mode); !kind.empty()) {
    why = fmt::format("`{}` is {}, not a regular file", path, kind);
  } else if (S_ISDIR(st.st_mode)) {
    why = fmt::format("`{}` is a directory, not a file", path);
  } else if (static_cast<uint64_t>(st.st_size) > limit) {
    why = fmt::format("`{}` holds {} bytes; at most {} are read", path, st.st_size, limit);
  } else {
    // Read straight into the string, sized from stat (plus one byte, to
    // notice a file that grew): no growing copies of a large file.
    size_t want = static_cast<size_t>(st.st_size) + 1;
    out.resize(want);
    size_t have = 0;
    while (true) {
      if (have == out.size()) out.resize(out.size() * 2);
      ssize_t n = ::read(fd, out.data() + have, out.size() - have);
      if (n == 0) break;
      if (n < 0) {
        if (errno == EINTR || errno == EAGAIN) continue;
        why = std::strerror(errno);
        break;
      }
      have += static_cast<size_t>(n);
      if (have > limit) {  // it grew while read
        why = fmt::format("`{}` holds more than {} bytes; at most {} are read", path, limit, limit);
        break;
      }
    }
    out.resize(have);
  }
  if (!why.empty()) {
    *error = why;
    return std::nullopt;
  }
  return out;
}

Tail read_tail(const std::string& path, uint64_t max_bytes) {
  Tail tail;
  Fd file(::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK));
  int fd = file.get();
  if (fd < 0) return tail;
  struct stat st;
  if (::fstat(fd, &st) == 0 && S_ISREG(st.st_mode)) {
    tail.size = static_cast<uint64_t>(st.st_size);
    uint64_t from = tail.size > max_bytes ? tail.size - max_bytes : 0;
    tail.cut = from > 0;
    tail.text.resize(static_cast<size_t>(tail.size - from));
    ssize_t n = ::pread(fd, tail.text.data(), tail.text.size(), static_cast<off_t>(from));
    tail.text.resize(n > 0 ? static_cast<size_t>(n) : 0);
  }
  return tail;
}

}  // namespace flowc::runtime::files
