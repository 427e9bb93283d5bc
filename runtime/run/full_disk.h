// A task that failed for want of space must not keep the disk full: its
// partial outputs would stay in its work dir, and every later `flowc run`
// (and the journal with it) would fail too, even after the user freed their
// own files. A failed task's outputs are never reused, and its work dir is
// cleared before it runs again: they are removed at once, keeping its
// command and the end of its logs, which say what happened.
#pragma once

#include <string>

namespace flowc::runtime {

// Whether a task that failed with this work dir and this end of its stderr
// failed for want of space: its file system is (nearly) full, or its
// stderr says ENOSPC or EDQUOT.
bool failed_for_space(const std::string& work_dir, const std::string& stderr_tail);

// Empties a failed task's work dir but for `.command.sh` and the last 64 KiB
// of `.stdout` and `.stderr`. Returns what to tell the user: where the disk
// is full, what was freed, what to do.
std::string free_failed_task(const std::string& work_dir);

}  // namespace flowc::runtime
