// Reading regular files only, with a size cap.
#include "ir/regular_file.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <optional>

#include <fmt/format.h>

namespace flowc::ir {
namespace {

// Closes the descriptor on every path out.
class Fd {
 public:
  explicit Fd(int fd) : fd_(fd) {}
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  ~Fd() {
    if (fd_ >= 0) ::close(fd_);
  }
  int get() const { return fd_; }

 private:
  int fd_;
};

FileProblem unreadable(int err) { return {FileProblem::Kind::Unreadable, std::strerror(err)}; }

std::optional<FileProblem> check_stat(const struct stat& st, uint64_t max_bytes) {
  if (S_ISDIR(st.st_mode)) return FileProblem{FileProblem::Kind::Directory, file_kind_name(st.st_mode)};
  if (!S_ISREG(st.st_mode)) return FileProblem{FileProblem::Kind::NotRegular, file_kind_name(st.st_mode)};
  if (static_cast<uint64_t>(st.st_size) > max_bytes) {
    return FileProblem{FileProblem::Kind::TooLarge, size_text(static_cast<uint64_t>(st.st_size))};
  }
  return std::nullopt;
}

}  // namespace

std::string file_kind_name(unsigned mode) {
  if (S_ISDIR(mode)) return "a directory";
  if (S_ISFIFO(mode)) return "a FIFO (named pipe)";
  if (S_ISCHR(mode)) return "a character device";
  if (S_ISBLK(mode)) return "a block device";
  if (S_ISSOCK(mode)) return "a socket";
  if (S_ISREG(mode)) return "a regular file";
  return "not a regular file";
}

std::string size_text(uint64_t bytes) {
  if (bytes < 1024) return fmt::format("{} bytes", bytes);
  const char* units[] = {"KiB", "MiB", "GiB", "TiB", "PiB", "EiB"};
  double v = static_cast<double>(bytes) / 1024;
  size_t u = 0;
  while (v >= 1024 && u + 1 < std::size(units)) v /= 1024, ++u;
  return fmt::format("{:.1f} {}", v, units[u]);
}

FileText read_regular_file(const std::string& path, uint64_t max_bytes) {
  // stat before open: opening a FIFO blocks until a writer comes, and opening
  // some devices does something (a tape rewinds).
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) return unreadable(errno);
  if (auto problem = check_stat(st, max_bytes)) return *problem;

  Fd fd(::open(path.c_str(), O_RDONLY | O_NONBLOCK | O_CLOEXEC | O_NOCTTY));
  if (fd.get() < 0) return unreadable(errno);
  if (::fstat(fd.get(), &st) != 0) return unreadable(errno);
  if (auto problem = check_stat(st, max_bytes)) return *problem;  // replaced in between

  // Read to the end, but never past the cap: a file may grow while it is read.
  std::string text;
  text.resize(static_cast<size_t>(st.st_size));
  size_t used = 0;
  while (true) {
    if (used == text.size()) {
      if (text.size() > max_bytes) break;
      text.resize(std::min<uint64_t>(max_bytes + 1, std::max<uint64_t>(text.size() * 2, 4096)));
    }
    ssize_t n = ::read(fd.get(), text.data() + used, text.size() - used);
    if (n < 0) {
      if (errno == EINTR) continue;
      return unreadable(errno);
    }
    if (n == 0) break;
    used += static_cast<size_t>(n);
  }
  if (used > max_bytes) return FileProblem{FileProblem::Kind::TooLarge, "more than " + size_text(max_bytes)};
  text.resize(used);
  return text;
}

}  // namespace flowc::ir
