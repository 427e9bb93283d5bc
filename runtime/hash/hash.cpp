// Hashing with XXH3-128, streaming files in 1 MiB blocks.
#include "runtime/hash/hash.h"

#include <sys/stat.h>
#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <vector>

#include <fmt/format.h>
#include <xxhash.h>

namespace flowc::runtime {
namespace fs = std::filesystem;

namespace {

std::string hex(XXH128_hash_t h) { return fmt::format("{:016x}{:016x}", h.high64, h.low64); }

// Keeps an XXH3 state for exactly one scope.
class StreamHash {
 public:
  StreamHash() : state_(XXH3_createState()) { XXH3_128bits_reset(state_); }
  ~StreamHash() { XXH3_freeState(state_); }
  StreamHash(const StreamHash&) = delete;
  StreamHash& operator=(const StreamHash&) = delete;
  void update(const void* data, size_t size) { XXH3_128bits_update(state_, data, size); }
  void update(std::string_view s) { update(s.data(), s.size()); }
  std::string digest() const { return hex(XXH3_128bits_digest(state_)); }

 private:
  XXH3_state_t* state_;
};

std::optional<std::string> hash_file(const std::string& path, std::string* error) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    *error = fmt::format("cannot read `{}`: {}", path, std::strerror(errno));
    return std::nullopt;
  }
  StreamHash h;
  // One buffer for every file: allocating (and zeroing) a fresh one per file
  // cost more than hashing the small files most tasks write.
  static thread_local std::vector<char> buffer(256 << 10);
  while (true) {
    ssize_t n = ::read(fd, buffer.data(), buffer.size());
    if (n == 0) break;
    if (n < 0) {
      if (errno == EINTR) continue;
      *error = fmt::format("cannot read `{}`: {}", path, std::strerror(errno));
      ::close(fd);
      return std::nullopt;
    }
    h.update(buffer.data(), static_cast<size_t>(n));
  }
  ::close(fd);
  return h.digest();
}

}  // namespace

std::string hash_bytes(std::string_view data) { return hex(XXH3_128bits(data.data(), data.size())); }

std::optional<std::string> hash_path(const std::string& path, std::string* error) {
  std::error_code ec;
  if (!fs::is_directory(path, ec)) return hash_file(path, error);
  std::vector<std::string> entries;
  for (auto it = fs::recursive_directory_iterator(path, fs::directory_options::follow_directory_symlink, ec);
       !ec && it != fs::recursive_directory_iterator(); it.increment(ec)) {
    if (it->is_regular_file(ec)) entries.push_back(fs::relative(it->path(), path, ec).string());
  }
  if (ec) {
    *error = fmt::format("cannot list `{}`: {}", path, ec.message());
    return std::nullopt;
  }
  std::sort(entries.begin(), entries.end());
  StreamHash h;
  h.update("dir\n");
  for (const std::string& rel : entries) {
    auto file = hash_file((fs::path(path) / rel).string(), error);
    if (!file) return std::nullopt;
    h.update(rel);
    h.update("\0", 1);
    h.update(*file);
    h.update("\n");
  }
  return h.digest();
}

std::optional<FileStamp> stamp_of(const std::string& path) {
  struct stat st;
  if (::stat(path.c_str(), &st) != 0) return std::nullopt;
  auto mtime = [](const struct stat& x) {
    return static_cast<int64_t>(x.st_mtim.tv_sec) * 1'000'000'000 + x.st_mtim.tv_nsec;
  };
  FileStamp s;
  s.size = static_cast<uint64_t>(st.st_size);
  s.mtime_ns = mtime(st);
  s.inode = st.st_ino;
  s.is_dir = S_ISDIR(st.st_mode);
  if (s.is_dir) {
    s.size = 0;
    std::error_code ec;
    for (auto it = fs::recursive_directory_iterator(path, fs::directory_options::follow_directory_symlink, ec);
         !ec && it != fs::recursive_directory_iterator(); it.increment(ec)) {
      struct stat entry;
      if (::stat(it->path().c_str(), &entry) != 0 || !S_ISREG(entry.st_mode)) continue;
      s.size += static_cast<uint64_t>(entry.st_size);
      s.mtime_ns = std::max(s.mtime_ns, mtime(entry));
    }
    if (ec) return std::nullopt;
  }
  return s;
}

}  // namespace flowc::runtime
