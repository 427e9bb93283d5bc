// What the hostile-input tests share: flowc run with a deadline (a hang is
// a failure, not a stuck suite), its peak memory, and a scratch tmpfs.
#pragma once

#include <sys/mount.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <string>
#include <thread>
#include <vector>

#include "tests/support/project.h"
#include "tests/support/test_support.h"

namespace flowc::test {

struct Bounded {
  int exit_code = -1;      // 128 + signal if a signal ended it
  bool timed_out = false;  // killed at the deadline: it hung
  long max_rss_kb = 0;     // its peak resident memory
  double seconds = 0;
  std::string err;
};

// Runs flowc in `p` at most `deadline_s` seconds (then SIGKILL: it hung).
inline Bounded run_bounded(const Project& p, const std::vector<std::string>& args, double deadline_s,
                           const std::vector<std::string>& env = {}) {
  std::string out = p.path(".bounded.out"), err = p.path(".bounded.err");
  auto start = std::chrono::steady_clock::now();
  pid_t pid = start_flowc(args, p.dir.string(), env, out, err);
  Bounded b;
  int status = 0;
  rusage usage{};
  while (true) {
    pid_t done = ::wait4(pid, &status, WNOHANG, &usage);
    if (done == pid) break;
    if (std::chrono::steady_clock::now() - start > std::chrono::duration<double>(deadline_s)) {
      b.timed_out = true;
      ::kill(pid, SIGKILL);
      ::wait4(pid, &status, 0, &usage);
      break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  b.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  b.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  b.max_rss_kb = usage.ru_maxrss;
  b.err = read_file(err);
  return b;
}

// A tmpfs of `megabytes` mounted on a fresh folder (root only), unmounted
// at the end. `mounted()` false says why in `why`.
struct ScratchTmpfs {
  std::filesystem::path dir;
  bool ok = false;
  std::string why;
  explicit ScratchTmpfs(const std::string& name, int megabytes, const std::string& extra = "") {
    static int n = 0;
    dir =
        std::filesystem::temp_directory_path() / (name + "-" + std::to_string(::getpid()) + "-" + std::to_string(n++));
    std::filesystem::create_directories(dir);
    std::string options = "size=" + std::to_string(megabytes) + "m,mode=0755" + (extra.empty() ? "" : "," + extra);
    if (::mount("tmpfs", dir.c_str(), "tmpfs", 0, options.c_str()) == 0) {
      ok = true;
    } else {
      why = std::strerror(errno);
    }
  }
  ~ScratchTmpfs() {
    if (ok) ::umount2(dir.c_str(), MNT_DETACH);
    std::error_code ec;
    std::filesystem::remove_all(dir, ec);
  }
  ScratchTmpfs(const ScratchTmpfs&) = delete;
  ScratchTmpfs& operator=(const ScratchTmpfs&) = delete;
};

// Makes a Unix socket file at `path` (bound, then closed: the file stays).
inline bool make_socket(const std::string& path) {
  int fd = ::socket(AF_UNIX, SOCK_STREAM, 0);
  if (fd < 0) return false;
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  std::snprintf(addr.sun_path, sizeof addr.sun_path, "%s", path.c_str());
  bool ok = ::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0;
  ::close(fd);
  return ok;
}

}  // namespace flowc::test
