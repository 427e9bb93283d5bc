// statvfs, and the words for a full disk.
#include "runtime/files/disk.h"

#include <sys/statvfs.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include <fmt/format.h>

namespace flowc::runtime::files {
namespace fs = std::filesystem;

namespace {

// The nearest existing folder at or above `path`.
fs::path existing(fs::path path) {
  std::error_code ec;
  path = fs::absolute(path, ec).lexically_normal();
  while (!path.empty() && !fs::is_directory(path, ec) && path != path.root_path()) path = path.parent_path();
  return path;
}

}  // namespace

std::optional<uint64_t> free_bytes(const fs::path& path) {
  struct statvfs s;
  if (::statvfs(existing(path).c_str(), &s) != 0) return std::nullopt;
  // root may write into the blocks reserved for it.
  uint64_t blocks = ::geteuid() == 0 ? s.f_bfree : s.f_bavail;
  return blocks * s.f_frsize;
}

bool nearly_full(const fs::path& path) {
  struct statvfs s;
  if (::statvfs(existing(path).c_str(), &s) != 0) return false;
  uint64_t blocks = ::geteuid() == 0 ? s.f_bfree : s.f_bavail;
  uint64_t left = blocks * s.f_frsize;
  uint64_t total = static_cast<uint64_t>(s.f_blocks) * s.f_frsize;
  return left < (1u << 20) || (total > 0 && left < total / 1000);
}

std::string no_space_text(const fs::path& where) {
  fs::path dir = existing(where);
  auto left = free_bytes(dir);
  return fmt::format(
      "no space left on device in `{}`{}: free space on that file system (`flowc clean` removes work "
      "dirs the last run did not use), then run again; every finished task is kept",
      dir.string(), left ? fmt::format(" ({} bytes free)", *left) : "");
}

std::string io_error_text(int error, const fs::path& where) {
  if (error == ENOSPC) return no_space_text(where);
  if (error == EDQUOT) {
    return fmt::format("disk quota exceeded in `{}`: free space within your quota, then run again",
                       existing(where).string());
  }
  return std::strerror(error);
}

}  // namespace flowc::runtime::files
