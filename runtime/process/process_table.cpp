// Reading /proc/PID/stat and /proc/PID/environ.
#include "runtime/process/process_table.h"

#include <dirent.h>
#include <fcntl.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <fstream>
#include <memory>
#include <sstream>

namespace flowc::runtime {

namespace {

struct Stat {
  char state = 0;
  pid_t pgrp = 0;
  pid_t session = 0;
  int64_t start = 0;
};

// The fields of /proc/PID/stat flowc uses, or state 0 if it is gone. Read
// with one read() into a buffer and parsed in place: the run loop reads it
// for every task it starts (its job ref), and a stream and a string stream
// each time were a tenth of flowc's own CPU in bench/local.
Stat read_stat(pid_t pid) {
  Stat s;
  char path[32];
  std::snprintf(path, sizeof path, "/proc/%d/stat", static_cast<int>(pid));
  int fd = ::open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0) return s;
  char text[1024];
  ssize_t n = ::read(fd, text, sizeof text - 1);
  ::close(fd);
  if (n <= 0) return s;
  text[n] = '\0';
  const char* close = std::strrchr(text, ')');  // the command name may hold spaces and parentheses
  if (!close || close + 2 >= text + n) return s;
  // Fields after the command name start at 3 (state); pgrp is 5, session
  // 6, starttime 22.
  const char* at = close + 2;
  for (int i = 3; i <= 22 && *at; ++i) {
    const char* end = std::strchr(at, ' ');
    if (i == 3) s.state = *at;
    if (i == 5) s.pgrp = static_cast<pid_t>(std::atoll(at));
    if (i == 6) s.session = static_cast<pid_t>(std::atoll(at));
    if (i == 22) s.start = std::atoll(at);
    if (!end) break;
    at = end + 1;
  }
  return s;
}

}  // namespace

int64_t process_start(pid_t pid) {
  Stat s = read_stat(pid);
  return s.state == 0 || s.state == 'Z' ? 0 : s.start;
}

int64_t boot_ticks_now() {
  // /proc/PID/stat gives a process's start as its boot-time nanoseconds
  // divided down to clock ticks (floor): the same division here.
  static const int64_t ns_per_tick = 1'000'000'000 / ::sysconf(_SC_CLK_TCK);
  timespec t{};
  ::clock_gettime(CLOCK_BOOTTIME, &t);
  return (static_cast<int64_t>(t.tv_sec) * 1'000'000'000 + t.tv_nsec) / ns_per_tick;
}

double process_start_seconds(pid_t pid) {
  int64_t ticks = process_start(pid);
  if (ticks == 0) return 0;
  std::ifstream stat("/proc/stat");
  for (std::string line; std::getline(stat, line);) {
    if (line.rfind("btime ", 0) == 0) {
      return static_cast<double>(std::atoll(line.c_str() + 6)) +
             static_cast<double>(ticks) / static_cast<double>(::sysconf(_SC_CLK_TCK));
    }
  }
  return 0;
}

struct CloseDir {
  void operator()(DIR* d) const { ::closedir(d); }
};

// Every process's pid.
std::vector<pid_t> all_pids() {
  std::vector<pid_t> pids;
  std::unique_ptr<DIR, CloseDir> proc(::opendir("/proc"));
  if (!proc) return pids;
  while (dirent* e = ::readdir(proc.get())) {
    pid_t pid = static_cast<pid_t>(std::atoll(e->d_name));
    if (pid > 0) pids.push_back(pid);
  }
  return pids;
}

std::vector<pid_t> process_group_members(pid_t pgid) {
  std::vector<pid_t> members;
  for (pid_t pid : all_pids()) {
    Stat s = read_stat(pid);
    if (s.state != 0 && s.state != 'Z' && s.pgrp == pgid) members.push_back(pid);
  }
  return members;
}

std::vector<pid_t> processes_with_env(const std::string& entry) {
  std::vector<pid_t> found;
  pid_t self = ::getpid();
  for (pid_t pid : all_pids()) {
    if (pid == self) continue;
    Stat s = read_stat(pid);
    if (s.state == 0 || s.state == 'Z' || s.session == pid) continue;
    if (process_has_env(pid, entry)) found.push_back(pid);
  }
  return found;
}

bool process_has_env(pid_t pid, const std::string& entry) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/environ", std::ios::binary);
  for (std::string item; std::getline(in, item, '\0');) {
    if (item == entry) return true;
  }
  return false;
}

}  // namespace flowc::runtime
