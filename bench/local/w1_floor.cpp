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
//
//   w1_floor N JOBS files
//
// Starts no process: makes only the folders and files that flowc's own
// process makes to isolate W1's tasks (each task's work dir `ab/<hash>/`
// and its `.command.sh`; the gather's work dir with an `inputs/parts/i/`
// folder and a link per item; .stdout and .stderr are opened by the child,
// so they are not here), then writes all.txt. Its CPU time is what that
// isolation costs the kernel, whatever the tool: the part of flowc's own
// CPU per task that no bookkeeping of its own can remove.
#include <fcntl.h>
#include <spawn.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <functional>
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

bool make_dir(const std::string& path) { return ::mkdir(path.c_str(), 0777) == 0; }

bool write_text(const std::string& path, const std::string& text) {
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0666);
  if (fd < 0) return false;
  bool ok = ::write(fd, text.data(), text.size()) == static_cast<ssize_t>(text.size());
  return ::close(fd) == 0 && ok;
}

// A work dir named as flowc names them: a hash, its first two digits a folder.
std::string work_dir(long i) {
  char name[40];
  std::snprintf(name, sizeof name, "%016zx%016zx", std::hash<std::string>{}("op" + std::to_string(i)),
                std::hash<std::string>{}(std::to_string(i)));
  std::string bucket = std::string("work/") + name[0] + name[1];
  make_dir(bucket);  // most exist already, as flowc finds them
  return bucket + "/" + (name + 2);
}

// The `files` mode: flowc's isolation of W1's tasks, in one process.
int isolation_only(long n) {
  bool ok = make_dir("work");
  std::string script = "#!/bin/bash\nset -euo pipefail\ncd \"$FLOWC_WORK_DIR\"\n";
  std::string all;
  for (long i = 0; i < n; ++i) {
    std::string dir = work_dir(i);
    std::string i_text = std::to_string(i);
    ok = make_dir(dir) && write_text(dir + "/.command.sh", script + "echo " + i_text + " > out\n") && ok;
    all += i_text + "\n";
  }
  std::string gather = work_dir(n);
  ok = make_dir(gather) && make_dir(gather + "/inputs") && make_dir(gather + "/inputs/parts") && ok;
  for (long i = 0; i < n; ++i) {
    std::string item = gather + "/inputs/parts/" + std::to_string(i);
    ok = make_dir(item) && ::symlink((work_dir(i) + "/out").c_str(), (item + "/out").c_str()) == 0 && ok;
  }
  ok = write_text(gather + "/.command.sh", script + "cat inputs/parts/*/out > all\n") && ok;
  ok = write_text("all.txt", all) && ok;
  return ok ? 0 : 1;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: w1_floor N [JOBS] [sh|bash|files]\n");
    return 2;
  }
  long n = std::atol(argv[1]);
  int jobs = argc > 2 ? std::atoi(argv[2]) : 2;
  if (jobs < 1) jobs = 1;
  if (argc > 3 && std::string(argv[3]) == "files") return isolation_only(n);
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
