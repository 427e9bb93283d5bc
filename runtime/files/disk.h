// A full disk, said plainly. ENOSPC reaches flowc as "No space left on
// device" from its own writes, as SQLite's "database or disk is full", or
// as a task failing after it filled the disk; each is reported as "no space
// left on device in DIR" with what to do.
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>

namespace flowc::runtime::files {

// The free space of the file system holding `path` (what its user may still
// write), or nullopt if it cannot be known.
std::optional<uint64_t> free_bytes(const std::filesystem::path& path);

// Whether that file system is full, or nearly (under 1 MiB, or under 0.1%
// of it, is left): a failure there is most likely for want of space.
bool nearly_full(const std::filesystem::path& path);

// strerror(error), but for ENOSPC and EDQUOT: "no space left on device in
// `DIR` (N bytes free): free space there, then run again".
std::string io_error_text(int error, const std::filesystem::path& where);

// The advice for a full disk under `where`.
std::string no_space_text(const std::filesystem::path& where);

}  // namespace flowc::runtime::files
