// bench/compile: how long `flowc check` takes on a large program.
//
//   compile_bench FLOWC FILE.flow [RUNS]
//
// Runs, in one go and in turns (so machine noise hits both alike):
//   floor  `flowc --version`: starting the process, no compiling;
//   check  `flowc check FILE`: the whole front end, as a user runs it.
// Prints medians of wall time and of CPU time (user + system: what a run
// costs when a core is free, which the wall time of this shared machine
// shows only when it is quiet), the goal's ratio, lines/s, and (in process)
// the time of each phase.
#include <fcntl.h>
#include <spawn.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "compiler/driver/compilation.h"

extern char** environ;

namespace {

using Clock = std::chrono::steady_clock;
constexpr double kGoalMs = 40.0;

double ms_since(Clock::time_point start) {
  return std::chrono::duration<double, std::milli>(Clock::now() - start).count();
}

struct Timing {
  double wall_ms = -1;  // < 0: failed
  double cpu_ms = 0;    // user + system
};

// Runs a command with stdout/stderr to /dev/null.
Timing timed_run(const std::vector<std::string>& args) {
  std::vector<char*> argv;
  std::vector<std::string> copy = args;
  for (std::string& a : copy) argv.push_back(a.data());
  argv.push_back(nullptr);
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0);
  posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0);
  auto start = Clock::now();
  pid_t pid;
  int rc = posix_spawn(&pid, argv[0], &actions, nullptr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  if (rc != 0) return {};
  int status = 0;
  rusage usage{};
  wait4(pid, &status, 0, &usage);
  double ms = ms_since(start);
  auto ms_of = [](const timeval& t) { return t.tv_sec * 1000.0 + t.tv_usec / 1000.0; };
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) return {};
  return {ms, ms_of(usage.ru_utime) + ms_of(usage.ru_stime)};
}

struct Summary {
  double median, min, max;
};

Summary summarize(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return {v[v.size() / 2], v.front(), v.back()};
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 3) {
    std::fprintf(stderr, "usage: compile_bench FLOWC FILE.flow [RUNS]\n");
    return 2;
  }
  std::string flowc = argv[1], file = argv[2];
  int runs = argc > 3 ? std::atoi(argv[3]) : 15;
  std::ifstream in(file);
  std::stringstream text;
  text << in.rdbuf();
  std::string source = text.str();
  long lines = std::count(source.begin(), source.end(), '\n');

  // One untimed run of each, so the first timed run is not a page-cache miss.
  if (timed_run({flowc, "check", file}).wall_ms < 0) {
    std::fprintf(stderr, "compile_bench: `flowc check %s` failed\n", file.c_str());
    return 1;
  }
  timed_run({flowc, "--version"});

  std::vector<double> floor, check, floor_cpu, check_cpu;
  for (int i = 0; i < runs; ++i) {
    Timing f = timed_run({flowc, "--version"});
    Timing c = timed_run({flowc, "check", file});
    floor.push_back(f.wall_ms);
    floor_cpu.push_back(f.cpu_ms);
    check.push_back(c.wall_ms);
    check_cpu.push_back(c.cpu_ms);
  }
  Summary fl = summarize(floor), ch = summarize(check);
  Summary flc = summarize(floor_cpu), chc = summarize(check_cpu);
  double load = 0;
  if (std::FILE* f = std::fopen("/proc/loadavg", "r")) {
    if (std::fscanf(f, "%lf", &load) != 1) load = 0;
    std::fclose(f);
  }
  std::printf("flowc check of %ld lines (%zu bytes), %d runs each, alternating; load average %.1f\n\n", lines,
              source.size(), runs, load);
  std::printf("%-28s %10s %10s %10s %12s %10s\n", "", "median ms", "min ms", "max ms", "CPU median", "CPU min");
  std::printf("%-28s %10.1f %10.1f %10.1f %12.1f %10.1f\n", "floor: flowc --version", fl.median, fl.min, fl.max,
              flc.median, flc.min);
  std::printf("%-28s %10.1f %10.1f %10.1f %12.1f %10.1f\n", "flowc check", ch.median, ch.min, ch.max, chc.median,
              chc.min);
  std::printf("\nlines/s (median): %.0f\n", lines / (ch.median / 1000.0));
  std::printf("goal: under %.0f ms median -> wall %.2f of the goal (%s), CPU %.2f of the goal (%s)\n", kGoalMs,
              ch.median / kGoalMs, ch.median < kGoalMs ? "met" : "NOT met", chc.median / kGoalMs,
              chc.median < kGoalMs ? "met" : "NOT met");
  std::printf("above the process floor: %.1f ms wall, %.1f ms CPU\n\n", ch.median - fl.median, chc.median - flc.median);

  // Phases, in process (the same allocator and huge-page set-up as flowc): the first round pays
  // one-time costs (fresh memory, ANTLR's static set-up); later ones do not.
  std::printf("%-8s %14s %9s %9s %9s\n", "round", "load+parse ms", "check ms", "lower ms", "total ms");
  for (int r = 0; r < 3; ++r) {
    auto t0 = Clock::now();
    auto c = flowc::compile(file, flowc::CompileOptions{});
    double total = ms_since(t0);
    if (!c->ok()) {
      std::fprintf(stderr, "compile_bench: %s does not compile\n", file.c_str());
      return 1;
    }
    std::printf("%-8d %14.1f %9.1f %9.1f %9.1f\n", r, c->times.load_parse_ms, c->times.check_ms, c->times.lower_ms,
                total);
  }
  return 0;
}
