// flowc-measure FILE -- COMMAND...: runs COMMAND, then writes what its
// process tree used to FILE (the measurement file, runtime/observe/usage.h),
// and exits as COMMAND did. A Slurm job script runs each task's command
// under it (there is no slurmdbd to ask, and jobacct_gather may be off): the
// measurement is taken where the task ran, as the local executor takes it.
// A signal that stops the job ends it as it ends the command (the default
// dispositions are kept): a job killed with its node leaves no measurement
// and no exit status, as it did before, and flowc reports the node failure.
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <string>

#include "runtime/process/reap.h"

extern char** environ;

int main(int argc, char** argv) {
  if (argc < 4 || std::strcmp(argv[2], "--") != 0) {
    std::fprintf(stderr, "usage: flowc-measure FILE -- COMMAND [ARGS...]\n");
    return 2;
  }
  const char* file = argv[1];
  auto start = std::chrono::steady_clock::now();
  pid_t pid = 0;
  int rc = ::posix_spawnp(&pid, argv[3], nullptr, nullptr, argv + 3, environ);
  if (rc != 0) {
    std::fprintf(stderr, "flowc-measure: cannot start %s: %s\n", argv[3], std::strerror(rc));
    return 127;
  }
  siginfo_t info{};
  while (::waitid(P_PID, static_cast<id_t>(pid), &info, WEXITED | WNOWAIT) != 0 && errno == EINTR) {
  }
  auto reaped = flowc::runtime::reap_measured(pid);
  if (!reaped) return 127;
  double wall = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  const auto& u = reaped->usage;
  std::string temporary = std::string(file) + ".tmp";
  if (FILE* out = std::fopen(temporary.c_str(), "we")) {
    std::fprintf(out, "source rusage\nwall_seconds %.6f\nuser_seconds %.6f\nsystem_seconds %.6f\npeak_rss_bytes %lld\n",
                 wall, u.user_seconds, u.system_seconds, static_cast<long long>(u.peak_rss_bytes));
    if (u.read_bytes >= 0) std::fprintf(out, "read_bytes %lld\n", static_cast<long long>(u.read_bytes));
    if (u.written_bytes >= 0) std::fprintf(out, "written_bytes %lld\n", static_cast<long long>(u.written_bytes));
    if (std::fclose(out) == 0) std::rename(temporary.c_str(), file);
  }
  int status = reaped->status;
  if (WIFEXITED(status)) return WEXITSTATUS(status);
  return 128 + WTERMSIG(status);  // as a shell reports it
}
