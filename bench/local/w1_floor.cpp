// bench/local: the floor of workload W1, the cost of its processes alone.
//
//   w1_floor N [JOBS] [SHELL]
//
// In the current folder, runs `/bin/sh -c 'echo i > out_i'` for i in 0..N-1,
// JOBS (default 2) at a time (posix_spawn, then waitpid for any child), and
// then one `/bin/sh -c 'cat out_0 ... out_N-1 > all.txt'`. No bookkeeping
// but a counter: whatever a workflow tool takes beyond this is its overhead.
// SHELL `bash` runs each with `bash -c 'set -euo pipefail; ...'` instead,
// the shell flowc runs commands with; `sh` (the default) /bin/sh.
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <string>

extern char** environ;

namespace {

bool use_bash = false;

pid_t start_shell(const std::string& script) {
  std::string sh = use_bash ? "bash" : "/bin/sh", c = "-c", text = use_bash ? "set -euo pipefail; " + script : script;
  char* argv[] = {sh.data(), c.data(), text.data(), nullptr};
  pid_t pid = 0;
  int rc = posix_spawnp(&pid, argv[0], nullptr, nullptr, argv, environ);
  if (rc != 0) {
    std::fprintf(stderr, "w1_floor: posix_spawn failed (%d)\n", rc);
    std::exit(1);
  }
  return pid;
}

bool reap_one() {
  int status = 0;
  pid_t pid = waitpid(-1, &status, 0);
  return pid > 0 && WIFEXITED(status) && WEXITSTATUS(status) == 0;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: w1_floor N [JOBS] [sh|bash]\n");
    return 2;
  }
  long n = std::atol(argv[1]);
  int jobs = argc > 2 ? std::atoi(argv[2]) : 2;
  if (jobs < 1) jobs = 1;
  use_bash = argc > 3 && std::string(argv[3]) == "bash";
  int running = 0;
  bool ok = true;
  for (long i = 0; i < n; ++i) {
    if (running == jobs) {
      ok = reap_one() && ok;
      --running;
    }
    std::string i_text = std::to_string(i);
    start_shell("echo " + i_text + " > out_" + i_text);
    ++running;
  }
  while (running > 0) {
    ok = reap_one() && ok;
    --running;
  }
  std::string gather = "cat";
  for (long i = 0; i < n; ++i) gather += " out_" + std::to_string(i);
  gather += " > all.txt";
  start_shell(gather);
  ok = reap_one() && ok;
  return ok ? 0 : 1;
}
