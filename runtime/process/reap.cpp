// waitid(WNOWAIT) → /proc/PID/io → wait4.
#include "runtime/process/reap.h"

#include <fcntl.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>

namespace flowc::runtime {
namespace {

double seconds_of(const timeval& tv) { return static_cast<double>(tv.tv_sec) + static_cast<double>(tv.tv_usec) / 1e6; }

// rchar and wchar of /proc/PID/io: what the process (and its reaped
// descendants) read and wrote through system calls. One read() of a small
// file; -1 when the kernel does not keep I/O accounting.
void read_io(pid_t pid, ResourceUsage& usage) {
  char path[40];
  std::snprintf(path, sizeof path, "/proc/%d/io", static_cast<int>(pid));
  int fd = ::open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0) return;
  char text[512];
  ssize_t n = ::read(fd, text, sizeof text - 1);
  ::close(fd);
  if (n <= 0) return;
  text[n] = 0;
  if (const char* r = std::strstr(text, "rchar: ")) usage.read_bytes = std::strtoll(r + 7, nullptr, 10);
  if (const char* w = std::strstr(text, "wchar: ")) usage.written_bytes = std::strtoll(w + 7, nullptr, 10);
}

}  // namespace

std::optional<Reaped> reap_measured(pid_t pid) {
  siginfo_t info{};
  if (::waitid(P_PID, static_cast<id_t>(pid), &info, WEXITED | WNOHANG | WNOWAIT) != 0 || info.si_pid != pid) {
    return std::nullopt;
  }
  Reaped r;
  r.usage.source = "rusage";
  read_io(pid, r.usage);
  rusage ru{};
  pid_t got;
  while ((got = ::wait4(pid, &r.status, 0, &ru)) < 0 && errno == EINTR) {
  }
  if (got != pid) return std::nullopt;
  r.usage.user_seconds = seconds_of(ru.ru_utime);
  r.usage.system_seconds = seconds_of(ru.ru_stime);
  r.usage.peak_rss_bytes = static_cast<int64_t>(ru.ru_maxrss) * 1024;  // Linux: KiB
  return r;
}

}  // namespace flowc::runtime
