// A run's summary: what a rerun needs to know that it has nothing to do,
// read in one go instead of 10,000 journal lookups (docs/runtime.md, "A
// no-op rerun"). Written at the end of a run in which everything
// succeeded, named by the run's digest (the IR, its inputs and the options
// that change what runs), it holds every task as a rerun would find it in
// the cache, the run whose journal records those tasks, the cache's
// generation, what was published, and a stat signature of every file the
// run depended on: the inputs its keys were made of (folders entry by
// entry), the files its expressions read, the optional companions it
// looked for, the matches of each glob(), every task's output files and
// everything published. A signature is lstat's device, inode, mode, size,
// mtime and ctime (and the same of where a link leads): `touch -d` can set
// an mtime back, nothing but the kernel sets a ctime.
//
// The file is binary, with a version, its length and a checksum of its
// content: a summary that is missing, truncated (a flowc killed while it
// wrote it, though it is written beside its place and renamed), corrupt or
// of another version is no summary, and the rerun takes the ordinary path.
#pragma once

#include <cstdint>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "runtime/eval/evaluator.h"

namespace flowc::runtime {

// What stat says of a path; all zero for a path that does not exist.
struct StatSignature {
  uint64_t mode = 0, dev = 0, ino = 0, size = 0;
  int64_t mtime_ns = 0, ctime_ns = 0;
  bool operator==(const StatSignature&) const = default;
};

// A path itself (lstat) and, when it is a link, where it leads (stat).
struct FileSignature {
  StatSignature self;
  StatSignature target;
  bool operator==(const FileSignature&) const = default;
  bool is_dir() const;
};

FileSignature signature_of(const std::string& path);

struct SummaryTask {
  std::string path;  // main.w[3]
  std::string op;    // op id
  std::string work_dir;
};

struct SeenGlob {
  std::string pattern;             // absolute
  std::vector<std::string> files;  // what glob_files listed
};

struct RunSummary {
  std::string digest;      // the run's (its file's name)
  std::string source_run;  // the run whose journal holds these tasks
  int64_t cache_generation = 0;
  std::string published;           // what was published (outputs.json's value), as JSON
  std::vector<SummaryTask> tasks;  // in the plan's order
  std::vector<std::pair<std::string, FileSignature>> files;
  std::vector<SeenGlob> globs;
};

// <state>/summaries/<digest>
std::string summary_path(const std::string& state_dir, const std::string& digest);

// Written beside its place and renamed over it. False (with `*error`) if it
// could not be: the next rerun is then an ordinary one.
bool write_summary(const std::string& path, const RunSummary& summary, std::string* error);

// The summary at `path`, or nothing when there is none, or it is truncated,
// corrupt, or of another format.
std::optional<RunSummary> read_summary(const std::string& path);

// The first file or glob() that is no longer as the summary says ("" if
// none is).
std::string first_change(const RunSummary& summary);

// Collects what a run depended on, as its plan and task runner tell it.
class RunWitness : public FileWitness {
 public:
  void read(const std::string& path) override { paths_.insert(path); }
  void globbed(const std::string& pattern, const std::vector<std::string>& files) override {
    globs_.push_back({pattern, files});
  }
  void unrepeatable(const std::string& why) override {
    if (unrepeatable_.empty()) unrepeatable_ = why;
  }

  const std::set<std::string>& paths() const { return paths_; }
  const std::vector<SeenGlob>& globs() const { return globs_; }
  // Why a rerun could not be told from a summary ("" when it can).
  const std::string& why_unrepeatable() const { return unrepeatable_; }

 private:
  std::set<std::string> paths_;
  std::vector<SeenGlob> globs_;
  std::string unrepeatable_;
};

// Adds `path`'s signature to `files` (once), and for a folder those of
// everything inside it. False if a folder could not be walked.
bool sign_path(const std::string& path, std::set<std::string>& seen,
               std::vector<std::pair<std::string, FileSignature>>& files);

}  // namespace flowc::runtime
