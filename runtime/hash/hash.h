// Content hashes (xxHash XXH3-128, as 32 hex digits) of bytes, files and
// directories, and the cheap stamp that tells whether a file may have changed.
// Folders are read through runtime/files/tree.h: a link inside a folder is
// hashed as a link, a link out of it by what it leads to, and a special file
// (FIFO, socket, device) is an error, never read.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "runtime/files/tree.h"

namespace flowc::runtime {

std::string hash_bytes(std::string_view data);

// The hash of a file's content, or of a directory: its files' relative
// paths and content hashes, and its links' relative paths and targets, in
// name order. Links out of it are followed (the user's own data), except
// into a folder that holds them. Returns nullopt with `*error` set if
// something cannot be read, is special, or SIGINT/SIGTERM is pending.
std::optional<std::string> hash_path(const std::string& path, std::string* error);
// The same, of entries files::walk() found (so a walk that checked them is
// not repeated).
std::optional<std::string> hash_tree(const std::vector<files::Entry>& entries, std::string* error);

// What changes when a file's content may have: if the stamp is the same, the
// content hash recorded with it still holds (as Make, Ninja and Nextflow
// assume). A directory's stamp sums its files: total size, newest mtime
// (its own mtime does not change when a file inside is edited; a link's
// own mtime counts, it changes when the link is made again).
struct FileStamp {
  uint64_t size = 0;
  int64_t mtime_ns = 0;
  uint64_t inode = 0;
  bool is_dir = false;
  bool operator==(const FileStamp&) const = default;
};

std::optional<FileStamp> stamp_of(const std::string& path);
FileStamp stamp_of_tree(const std::vector<files::Entry>& entries);

}  // namespace flowc::runtime
