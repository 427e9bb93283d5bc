// The state folder's lock.
#include "runtime/run/state_lock.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>

#include <fmt/format.h>

#include "runtime/process/process_table.h"

namespace flowc::runtime {
namespace fs = std::filesystem;

std::string not_writable_text(const fs::path& dir, int error) {
  if (error != EROFS && error != EACCES && error != EPERM) return "";
  return fmt::format(
      "the state folder `{}` is not writable ({}): flowc keeps its journal, cache and work dirs "
      "there; make it writable, or give another with --state-dir",
      dir.string(), std::strerror(error));
}

StateLock::StateLock(const fs::path& dir) : path_(dir / "lock") {
  // Writable at all? (An flock could be taken on a read-only file system,
  // and the journal then fail later with a less clear error.)
  if (::access(dir.c_str(), W_OK) != 0) {
    int e = errno;
    problem_ = not_writable_text(dir, e);
    if (problem_.empty()) {
      problem_ = fmt::format("cannot use the state folder `{}`: {}", dir.string(), std::strerror(e));
    }
    return;
  }
  fd_ = ::open(path_.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  if (fd_ < 0) {
    int e = errno;
    problem_ = not_writable_text(dir, e);
    if (problem_.empty()) problem_ = fmt::format("cannot open `{}`: {}", path_.string(), std::strerror(e));
    return;
  }
  if (::flock(fd_, LOCK_EX | LOCK_NB) != 0) {
    int e = errno;
    problem_ = e == EWOULDBLOCK
                   ? fmt::format("{} is running a workflow in this folder (it holds `{}`); wait for it to end",
                                 holder_text(), path_.string())
                   : fmt::format("cannot lock `{}`: {}", path_.string(), std::strerror(e));
    return;
  }
  std::string pid = std::to_string(::getpid()) + "\n";
  if (::ftruncate(fd_, 0) == 0 && ::write(fd_, pid.data(), pid.size()) < 0) {
    // the pid in the file is only a courtesy for the messages above
  }
}

StateLock::~StateLock() {
  if (fd_ >= 0) ::close(fd_);
}

// Who holds the lock: the process the file names, if that process can be
// the one that wrote it.
std::string StateLock::holder_text() const {
  std::ifstream in(path_);
  long long pid = 0;
  in >> pid;
  struct stat st;
  bool written = ::stat(path_.c_str(), &st) == 0;
  if (pid > 0 && pid < (1ll << 22)) {
    bool alive = ::kill(static_cast<pid_t>(pid), 0) == 0 || errno == EPERM;
    double started = alive ? process_start_seconds(static_cast<pid_t>(pid)) : 0;
    double wrote = written ? static_cast<double>(st.st_mtim.tv_sec) + st.st_mtim.tv_nsec / 1e9 : 0;
    // Clock ticks round the start time: allow a second.
    if (alive && (started == 0 || wrote == 0 || started <= wrote + 1)) return fmt::format("process {}", pid);
    return fmt::format("another process (not {}, which the lock file names: it has ended)", pid);
  }
  return "another process";
}

}  // namespace flowc::runtime
