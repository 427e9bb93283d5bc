// Content hashes (xxHash XXH3-128, as 32 hex digits) of bytes, files and
// directories, and the cheap stamp that tells whether a file may have changed.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace flowc::runtime {

std::string hash_bytes(std::string_view data);

// The hash of a file's content, or of a directory: its entries' relative
// paths and content hashes, in name order, recursively (symlinks followed).
// Returns nullopt with `*error` set if something cannot be read.
std::optional<std::string> hash_path(const std::string& path, std::string* error);

// What changes when a file's content may have: if the stamp is the same, the
// content hash recorded with it still holds (as Make, Ninja and Nextflow
// assume). A directory's stamp sums its files: total size, newest mtime
// (its own mtime does not change when a file inside is edited).
struct FileStamp {
  uint64_t size = 0;
  int64_t mtime_ns = 0;
  uint64_t inode = 0;
  bool is_dir = false;
  bool operator==(const FileStamp&) const = default;
};

std::optional<FileStamp> stamp_of(const std::string& path);

}  // namespace flowc::runtime
