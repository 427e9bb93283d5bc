// A path with every link resolved, cheaply. std::filesystem::weakly_canonical
// looks at a path one component at a time (a stat and a readlink each: ~20
// system calls for a file in a task's work dir), and checking a task's
// outputs does it for every output of every task. The kernel resolves the
// whole path in one open, and says where it landed through /proc.
#pragma once

#include <string>

namespace flowc::runtime::files {

// What fs::weakly_canonical(path) gives: absolute, links resolved as far as
// the path exists, the rest normalized as written. Falls back to it when the
// fast way cannot answer (no /proc, a path that does not exist, an unlinked
// file); lexically normalized if even that fails.
std::string real_path(const std::string& path);

}  // namespace flowc::runtime::files
