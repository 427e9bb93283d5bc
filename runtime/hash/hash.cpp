// Hashing with XXH3-128, streaming files in 256 KiB blocks.
#include "runtime/hash/hash.h"

#include <sys/stat.h>
#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <vector>

#include <fmt/format.h>
#include <xxhash.h>

#include "runtime/files/fd.h"
#include "runtime/files/interrupt.h"

namespace flowc::runtime {

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

std::string special_text(const std::string& path, const std::string& kind) {
  return fmt::format(
      "`{}` is {}, not a regular file: flowc reads a file whole to hash it, and this one would block "
      "or never end; give a regular file (or a folder)",
      path, kind);
}

std::optional<std::string> hash_file(const std::string& path, std::string* error) {
  // Non-blocking, so that opening a FIFO with no writer returns at once
  // instead of waiting for one forever; it is refused just below.
  files::Fd file(::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK));
  if (file.get() < 0) {
    *error = fmt::format("cannot read `{}`: {}", path, std::strerror(errno));
    return std::nullopt;
  }
  struct stat st;
  if (::fstat(file.get(), &st) != 0) {
    *error = fmt::format("cannot read `{}`: {}", path, std::strerror(errno));
    return std::nullopt;
  }
  if (std::string kind = files::special_kind(st.st_mode); !kind.empty()) {
    *error = special_text(path, kind);
    return std::nullopt;
  }
  StreamHash h;
  // One buffer for every file: allocating (and zeroing) a fresh one per file
  // cost more than hashing the small files most tasks write.
  static thread_local std::vector<char> buffer(256 << 10);
  while (true) {
    ssize_t n = ::read(file.get(), buffer.data(), buffer.size());
    if (n == 0) break;
    if (n < 0) {
      if (errno == EINTR || errno == EAGAIN) continue;
      *error = fmt::format("cannot read `{}`: {}", path, std::strerror(errno));
      return std::nullopt;
    }
    // A big file takes seconds: Ctrl-C is obeyed between blocks.
    if (files::interrupt_pending()) {
      *error = fmt::format("hashing `{}` was interrupted", path);
      return std::nullopt;
    }
    h.update(buffer.data(), static_cast<size_t>(n));
  }
  return h.digest();
}

// The user's own data: links out are theirs and followed (not into a folder
// that holds them); a dangling one is skipped.
const files::LinkPolicy kAnywhere{true, {}, true};

}  // namespace

std::string hash_bytes(std::string_view data) { return hex(XXH3_128bits(data.data(), data.size())); }

std::optional<std::string> hash_tree(const std::vector<files::Entry>& entries, std::string* error) {
  if (entries.empty()) {
    *error = "nothing to hash";
    return std::nullopt;
  }
  const files::Entry& root = entries.front();
  if (root.kind == files::Entry::File) return hash_file(root.source, error);
  StreamHash h;
  h.update("dir\n");
  for (size_t i = 1; i < entries.size(); ++i) {
    const files::Entry& e = entries[i];
    if (e.kind == files::Entry::Dir) continue;  // a folder counts by what it holds
    h.update(e.rel);
    h.update("\0", 1);
    if (e.kind == files::Entry::Link) {
      h.update("link:");
      h.update(e.target);
    } else {
      auto file = hash_file(e.source, error);
      if (!file) return std::nullopt;
      h.update(*file);
    }
    h.update("\n");
  }
  return h.digest();
}

std::optional<std::string> hash_path(const std::string& path, std::string* error) {
  files::Walked walked = files::walk(path, kAnywhere);
  if (auto* refused = std::get_if<files::Refusal>(&walked)) {
    bool root = refused->path == path && refused->target.empty();
    *error = refused->kind == files::Refusal::Special && root ? special_text(path, refused->detail) : refused->text();
    return std::nullopt;
  }
  return hash_tree(std::get<std::vector<files::Entry>>(walked), error);
}

FileStamp stamp_of_tree(const std::vector<files::Entry>& entries) {
  FileStamp s;
  if (entries.empty()) return s;
  const files::Entry& root = entries.front();
  s.is_dir = root.kind == files::Entry::Dir;
  s.size = s.is_dir ? 0 : root.size;
  s.mtime_ns = root.mtime_ns;
  s.inode = root.ino;
  for (size_t i = 1; i < entries.size(); ++i) {
    const files::Entry& e = entries[i];
    if (e.kind == files::Entry::Dir) continue;
    s.size += e.size;
    s.mtime_ns = std::max(s.mtime_ns, e.mtime_ns);
  }
  return s;
}

std::optional<FileStamp> stamp_of(const std::string& path) {
  struct stat st;
  if (::stat(path.c_str(), &st) != 0) return std::nullopt;
  if (!S_ISDIR(st.st_mode)) {
    // A file (or something special: hashing it will say what is wrong).
    FileStamp s;
    s.size = static_cast<uint64_t>(st.st_size);
    s.mtime_ns = static_cast<int64_t>(st.st_mtim.tv_sec) * 1'000'000'000 + st.st_mtim.tv_nsec;
    s.inode = st.st_ino;
    return s;
  }
  files::Walked walked = files::walk(path, kAnywhere);
  if (std::holds_alternative<files::Refusal>(walked)) return std::nullopt;
  return stamp_of_tree(std::get<std::vector<files::Entry>>(walked));
}

}  // namespace flowc::runtime
