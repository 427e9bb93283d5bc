#include "runtime/files/real_path.h"

#include <fcntl.h>
#include <unistd.h>

#include <array>
#include <cstdio>
#include <filesystem>

#include "runtime/files/fd.h"

namespace flowc::runtime::files {

namespace fs = std::filesystem;

namespace {

// What /proc/self/fd/N says for a descriptor: the kernel's name for the file
// it opened, or "" when it cannot say (no /proc, a name too long, a file
// unlinked since: " (deleted)", which a real name could also end with).
std::string kernel_name(int fd) {
  std::array<char, 32> link{};
  std::snprintf(link.data(), link.size(), "/proc/self/fd/%d", fd);
  std::array<char, 4096> buf{};
  ssize_t n = ::readlink(link.data(), buf.data(), buf.size());
  if (n <= 0 || static_cast<size_t>(n) >= buf.size() || buf[0] != '/') return "";
  std::string name(buf.data(), static_cast<size_t>(n));
  static constexpr std::string_view kDeleted = " (deleted)";
  if (name.size() >= kDeleted.size() && name.compare(name.size() - kDeleted.size(), kDeleted.size(), kDeleted) == 0) {
    return "";
  }
  return name;
}

}  // namespace

std::string real_path(const std::string& path) {
  // A trailing slash or a `.`/`..` last component: weakly_canonical keeps
  // or resolves them in its own way; let it.
  bool plain_tail =
      !path.empty() && path.back() != '/' && fs::path(path).filename() != "." && fs::path(path).filename() != "..";
  if (plain_tail) {
    Fd fd(::open(path.c_str(), O_PATH | O_CLOEXEC));
    if (fd.get() >= 0) {
      std::string name = kernel_name(fd.get());
      if (!name.empty()) return name;
    }
  }
  std::error_code ec;
  fs::path real = fs::weakly_canonical(path, ec);
  return (ec ? fs::path(path).lexically_normal() : real).string();
}

}  // namespace flowc::runtime::files
