// bench/spawn: is Boost.Process's launch overhead material next to the
// posix_spawn the local executor uses?
//
//   spawn_bench [N] [BLOCKS]
//
// Launches each command N times (default 2000) per launcher, mode and heap:
//   commands   /bin/true; /bin/sh -c 'echo x > f'
//   launchers  posix_spawn with no attributes (reference);
//              posix_spawn with the executor's attributes
//                (runtime/executors/local/local_executor.cpp: a new process
//                group, signal mask emptied, every signal to its default,
//                chdir, stdin /dev/null, stdout and stderr to files);
//              fork+exec doing the same by hand;
//              Boost.Process `bp::child` doing the same (fork + an error
//                pipe), and with `bp::posix::use_vfork`;
//   modes      sequential; 2 in flight (waiting for the oldest);
//   heap       this process small; holding 64 MiB of touched anonymous
//              memory in 4 KiB pages; the same in transparent huge pages
//              (flowc backs its heap with huge pages: cli/allocator.cpp).
// The N launches are split into BLOCKS (default 5) taken in turns over every
// combination, so machine noise hits all alike; each figure is the median
// over blocks of wall microseconds per launch (start to reaped).
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <deque>
#include <filesystem>
#include <fstream>
#include <map>
#include <string>
#include <vector>

#include "launch.h"

extern char** environ;

namespace fs = std::filesystem;
using namespace spawn_bench;

void spawn_bench::reset_signals_in_child() {
  sigset_t none;
  sigemptyset(&none);
  sigprocmask(SIG_SETMASK, &none, nullptr);
  struct sigaction dfl {};
  dfl.sa_handler = SIG_DFL;
  for (int s = 1; s < NSIG; ++s) {
    if (s != SIGKILL && s != SIGSTOP) sigaction(s, &dfl, nullptr);
  }
}

namespace {

using Clock = std::chrono::steady_clock;

enum class Launcher { SpawnPlain, SpawnExecutor, ForkExec, Boost, BoostVfork };
const char* name_of(Launcher l) {
  switch (l) {
    case Launcher::SpawnPlain: return "posix_spawn, no attributes";
    case Launcher::SpawnExecutor: return "posix_spawn, executor's attributes";
    case Launcher::ForkExec: return "fork+exec, same attributes";
    case Launcher::Boost: return "Boost.Process bp::child";
    case Launcher::BoostVfork: return "Boost.Process + posix::use_vfork";
  }
  return "?";
}

enum class Heap { Small, Touched4K, TouchedHuge };
const char* name_of(Heap h) {
  switch (h) {
    case Heap::Small: return "small heap";
    case Heap::Touched4K: return "+64 MiB, 4 KiB pages";
    case Heap::TouchedHuge: return "+64 MiB, huge pages";
  }
  return "?";
}

// ---- the memory this process holds -------------------------------------------

constexpr size_t kHeld = size_t{64} << 20;
constexpr size_t kHuge = size_t{2} << 20;

class HeldMemory {
 public:
  ~HeldMemory() { release(); }
  void set(Heap h) {
    release();
    if (h == Heap::Small) return;
    size_ = kHeld + kHuge;
    base_ = mmap(nullptr, size_, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (base_ == MAP_FAILED) {
      std::perror("spawn_bench: mmap");
      std::exit(1);
    }
    auto aligned = reinterpret_cast<char*>((reinterpret_cast<uintptr_t>(base_) + kHuge - 1) & ~(kHuge - 1));
    madvise(aligned, kHeld, h == Heap::TouchedHuge ? MADV_HUGEPAGE : MADV_NOHUGEPAGE);
    for (size_t i = 0; i < kHeld; i += 4096) aligned[i] = 1;  // touch every page
  }
  void release() {
    if (base_) munmap(base_, size_);
    base_ = nullptr;
  }

 private:
  void* base_ = nullptr;
  size_t size_ = 0;
};

// Anonymous huge pages and RSS of this process, in KiB, from smaps_rollup.
std::pair<long, long> rss_and_huge_kib() {
  std::ifstream in("/proc/self/smaps_rollup");
  std::string key;
  long value = 0, rss = 0, huge = 0;
  std::string unit;
  std::string line;
  while (std::getline(in, line)) {
    if (std::sscanf(line.c_str(), "Rss: %ld", &value) == 1) rss = value;
    if (std::sscanf(line.c_str(), "AnonHugePages: %ld", &value) == 1) huge = value;
  }
  return {rss, huge};
}

// ---- launching by hand ---------------------------------------------------------

struct Prepared {
  std::vector<std::string> strings;
  std::vector<char*> argv;
};

Prepared argv_of(const Launch& l) {
  Prepared p;
  p.strings.push_back(l.exe);
  for (const std::string& a : l.args) p.strings.push_back(a);
  for (std::string& s : p.strings) p.argv.push_back(s.data());
  p.argv.push_back(nullptr);
  return p;
}

// As LocalExecutor::submit does it, environment vector included.
pid_t spawn_like_executor(const Launch& l, Prepared& p) {
  posix_spawnattr_t attr;
  posix_spawn_file_actions_t actions;
  posix_spawnattr_init(&attr);
  posix_spawn_file_actions_init(&actions);
  sigset_t none, defaults;
  sigemptyset(&none);
  sigfillset(&defaults);
  posix_spawnattr_setsigmask(&attr, &none);
  posix_spawnattr_setsigdefault(&attr, &defaults);
  posix_spawnattr_setpgroup(&attr, 0);
  posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);
  posix_spawn_file_actions_addchdir_np(&actions, l.dir.c_str());
  posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_addopen(&actions, 1, l.out.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  posix_spawn_file_actions_addopen(&actions, 2, l.err.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  std::vector<std::string> env;
  for (char** e = environ; *e; ++e) env.emplace_back(*e);
  std::vector<char*> envp;
  for (std::string& e : env) envp.push_back(e.data());
  envp.push_back(nullptr);
  pid_t pid = -1;
  int rc = posix_spawn(&pid, p.argv[0], &actions, &attr, p.argv.data(), envp.data());
  posix_spawnattr_destroy(&attr);
  posix_spawn_file_actions_destroy(&actions);
  return rc == 0 ? pid : -1;
}

pid_t spawn_plain(Prepared& p) {
  pid_t pid = -1;
  return posix_spawn(&pid, p.argv[0], nullptr, nullptr, p.argv.data(), environ) == 0 ? pid : -1;
}

// fork, then in the child what the executor's attributes ask for.
pid_t fork_exec(const Launch& l, Prepared& p) {
  pid_t pid = fork();
  if (pid != 0) return pid;
  setpgid(0, 0);
  reset_signals_in_child();
  if (chdir(l.dir.c_str()) != 0) _exit(127);
  int in = open("/dev/null", O_RDONLY);
  int out = open(l.out.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  int err = open(l.err.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  if (in < 0 || out < 0 || err < 0) _exit(127);
  dup2(in, 0);
  dup2(out, 1);
  dup2(err, 2);
  close(in);
  close(out);
  close(err);
  execve(p.argv[0], p.argv.data(), environ);
  _exit(127);
}

// Seconds for `count` launches, `in_flight` at once (waiting for the oldest),
// or -1 if one failed.
double by_hand(Launcher kind, const Launch& l, int count, int in_flight) {
  Prepared p = argv_of(l);
  std::deque<pid_t> running;
  bool ok = true;
  auto reap_oldest = [&] {
    int status = 0;
    pid_t pid = running.front();
    running.pop_front();
    if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status) || WEXITSTATUS(status) != 0) ok = false;
  };
  auto start = Clock::now();
  for (int i = 0; i < count && ok; ++i) {
    if (static_cast<int>(running.size()) >= in_flight) reap_oldest();
    pid_t pid = kind == Launcher::SpawnPlain      ? spawn_plain(p)
                : kind == Launcher::SpawnExecutor ? spawn_like_executor(l, p)
                                                  : fork_exec(l, p);
    if (pid < 0) {
      ok = false;
      break;
    }
    running.push_back(pid);
  }
  while (!running.empty()) reap_oldest();
  double seconds = std::chrono::duration<double>(Clock::now() - start).count();
  return ok ? seconds : -1;
}

double launches(Launcher kind, const Launch& l, int count, int in_flight) {
  switch (kind) {
    case Launcher::Boost: return boost_launches(l, count, in_flight, false);
    case Launcher::BoostVfork: return boost_launches(l, count, in_flight, true);
    default: return by_hand(kind, l, count, in_flight);
  }
}

double median(std::vector<double> v) {
  if (v.empty()) return -1;
  std::sort(v.begin(), v.end());
  return v.size() % 2 ? v[v.size() / 2] : (v[v.size() / 2 - 1] + v[v.size() / 2]) / 2;
}

}  // namespace

int main(int argc, char** argv) {
  int n = argc > 1 ? std::atoi(argv[1]) : 2000;
  int blocks = argc > 2 ? std::max(1, std::atoi(argv[2])) : 5;
  int per_block = std::max(1, n / blocks);

  char templ[] = "/tmp/flowc-bench-spawn.XXXXXX";
  if (!mkdtemp(templ)) {
    std::perror("spawn_bench: mkdtemp");
    return 2;
  }
  fs::path dir = templ;
  std::string out = (dir / ".stdout").string(), err = (dir / ".stderr").string();
  struct Command {
    const char* label;
    Launch launch;
  };
  std::vector<Command> commands = {
      {"/bin/true", {"/bin/true", {}, dir.string(), out, err}},
      {"/bin/sh -c 'echo x > f'", {"/bin/sh", {"-c", "echo x > f"}, dir.string(), out, err}},
  };
  std::vector<Launcher> launchers = {Launcher::SpawnPlain, Launcher::SpawnExecutor, Launcher::ForkExec};
  if (boost_available()) {
    launchers.push_back(Launcher::Boost);
    launchers.push_back(Launcher::BoostVfork);
  }
  std::vector<Heap> heaps = {Heap::Small, Heap::Touched4K, Heap::TouchedHuge};
  std::vector<int> modes = {1, 2};

  // Warm-up: every launcher once, so the first block pays no page-cache miss.
  for (const Command& c : commands) {
    for (Launcher l : launchers) {
      if (launches(l, c.launch, 5, 1) < 0) {
        std::fprintf(stderr, "spawn_bench: %s cannot run %s\n", name_of(l), c.label);
        return 1;
      }
    }
  }

  HeldMemory held;
  std::map<Heap, std::pair<long, long>> memory;  // RSS, huge pages seen while holding
  // us[command][heap][mode][launcher] = per-block microseconds per launch
  std::map<int, std::map<Heap, std::map<int, std::map<Launcher, std::vector<double>>>>> us;
  for (int b = 0; b < blocks; ++b) {
    std::fprintf(stderr, "spawn_bench: block %d of %d (%d launches per figure)\n", b + 1, blocks, per_block);
    for (size_t hi = 0; hi < heaps.size(); ++hi) {
      Heap h = heaps[(hi + b) % heaps.size()];
      held.set(h);
      memory[h] = rss_and_huge_kib();
      for (size_t ci = 0; ci < commands.size(); ++ci) {
        for (int mode : modes) {
          for (size_t li = 0; li < launchers.size(); ++li) {
            Launcher l = launchers[(li + b) % launchers.size()];
            double s = launches(l, commands[ci].launch, per_block, mode);
            if (s < 0) {
              std::fprintf(stderr, "spawn_bench: %s failed running %s\n", name_of(l), commands[ci].label);
              return 1;
            }
            us[ci][h][mode][l].push_back(s / per_block * 1e6);
          }
        }
      }
    }
  }
  held.release();

  std::printf(
      "bench/spawn: %d launches per figure (%d blocks of %d, in turns); median us per launch, start to reaped\n",
      per_block * blocks, blocks, per_block);
  std::printf("2 in flight: two children at a time, waiting for the oldest (us = wall time / launches)\n");
  std::printf("memory held while launching (RSS / of which anonymous huge pages):");
  for (Heap h : heaps) std::printf("  %s %ld / %ld MiB;", name_of(h), memory[h].first / 1024, memory[h].second / 1024);
  std::printf("\n");
  if (!boost_available()) std::printf("Boost.Process: not built (no Boost.Filesystem found)\n");

  for (size_t ci = 0; ci < commands.size(); ++ci) {
    std::printf("\n%s\n", commands[ci].label);
    std::printf("%-36s", "");
    for (Heap h : heaps) std::printf(" | %-21s", name_of(h));
    std::printf("\n%-36s", "launcher");
    for (size_t k = 0; k < heaps.size(); ++k) std::printf(" | %10s %10s", "sequential", "2 in fl.");
    std::printf("\n%s\n", std::string(36 + 24 * heaps.size(), '-').c_str());
    for (Launcher l : launchers) {
      std::printf("%-36s", name_of(l));
      for (Heap h : heaps) std::printf(" | %10.0f %10.0f", median(us[ci][h][1][l]), median(us[ci][h][2][l]));
      std::printf("\n");
    }
    std::printf("ratio to posix_spawn (executor's attributes), and difference in us:\n");
    for (Launcher l : launchers) {
      if (l == Launcher::SpawnExecutor) continue;
      std::printf("  %-34s", name_of(l));
      for (Heap h : heaps) {
        std::printf(" |");
        for (int mode : modes) {
          double base = median(us[ci][h][mode][Launcher::SpawnExecutor]), v = median(us[ci][h][mode][l]);
          char cell[32];
          std::snprintf(cell, sizeof cell, "%.2fx %+.0f", v / base, v - base);
          std::printf(" %10s", cell);
        }
      }
      std::printf("\n");
    }
  }
  std::error_code ec;
  fs::remove_all(dir, ec);
  return 0;
}
