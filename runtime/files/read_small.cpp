// See read_small.h.
#include "runtime/files/read_small.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include <fmt/format.h>

#include "runtime/files/tree.h"

namespace flowc::runtime::files {

std::optional<std::string> read_small(const std::string& path, uint64_t limit, std::string* error) {
  // Non-blocking: a FIFO with no writer would block the open itself.
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK);
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
    char buffer[1 << 16];
    while (true) {
      ssize_t n = ::read(fd, buffer, sizeof buffer);
      if (n == 0) break;
      if (n < 0) {
        if (errno == EINTR || errno == EAGAIN) continue;
        why = std::strerror(errno);
        break;
      }
      out.append(buffer, static_cast<size_t>(n));
      if (out.size() > limit) {  // it grew while read
        why = fmt::format("`{}` holds more than {} bytes; at most {} are read", path, limit, limit);
        break;
      }
    }
  }
  ::close(fd);
  if (!why.empty()) {
    *error = why;
    return std::nullopt;
  }
  return out;
}

}  // namespace flowc::runtime::files
