// One flowc run per state folder at a time: the cache and work dirs are
// shared. The lock is an flock on `.flow/lock`, released when the process
// ends, however it ends; the file names the holder's pid, for messages.
//
// When the lock cannot be taken, the message says why: the folder is not
// writable (a read-only mount, another user's folder), or a live process
// holds it. A pid in the file is named only if that process is alive and
// started before the file was written (else the pid was reused, or the
// holder is someone else).
#pragma once

#include <filesystem>
#include <string>

namespace flowc::runtime {

class StateLock {
 public:
  explicit StateLock(const std::filesystem::path& dir);
  ~StateLock();
  StateLock(const StateLock&) = delete;
  StateLock& operator=(const StateLock&) = delete;

  bool locked() const { return problem_.empty(); }
  // Why it is not locked, for people (without "flowc: error: ").
  const std::string& problem() const { return problem_; }

 private:
  std::string holder_text() const;

  std::filesystem::path path_;
  int fd_ = -1;
  std::string problem_;
};

// "the state folder `D` is not writable (REASON): ..." when `error` (an
// errno) means it is not; "" otherwise.
std::string not_writable_text(const std::filesystem::path& dir, int error);

}  // namespace flowc::runtime
