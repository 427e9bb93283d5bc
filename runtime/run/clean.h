// `flowc clean`: removes work dirs that the latest runs do not use, and
// forgets their cache entries.
#pragma once

#include <string>

namespace flowc::runtime {

struct CleanReport {
  size_t removed = 0;
  size_t kept = 0;
  uint64_t bytes = 0;
  std::string error;
};

// Keeps every work dir a task of the `keep_runs` most recent runs used.
CleanReport clean_work_dirs(const std::string& state_dir, size_t keep_runs, bool dry_run);

}  // namespace flowc::runtime
