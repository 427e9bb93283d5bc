// bench/report: how long `flowc report` takes, and how big its file is, for a
// run of N tasks (default 100,000). The run's journal is made here (a fan-out
// of N tasks with measured usage, one failure in 2,000 with a stderr of 50
// lines, as a run of that size would leave it; running 100,000 real tasks
// would take this machine many minutes and measure the same journal), then
// `flowc report` runs on it, timed as a whole process, 3 times.
//   report_bench FLOWC [N]
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "runtime/store/store.h"

namespace fs = std::filesystem;
using flowc::runtime::Store;
using flowc::runtime::TaskRecord;
using flowc::runtime::TaskState;
using flowc::runtime::Value;

constexpr double kGoalSeconds = 2.0;
constexpr double kGoalMB = 10.0;

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: report_bench FLOWC [N]\n");
    return 2;
  }
  std::string flowc = fs::absolute(argv[1]).string();
  long n = argc > 2 ? std::atol(argv[2]) : 100000;
  fs::path dir = fs::temp_directory_path() / fmt::format("flowc-bench-report.{}", ::getpid());
  fs::path state = dir / ".flow";
  fs::create_directories(state / "runs");
  auto store = Store::open((state / "flow.db").string());
  std::string id = store->begin_run({{"workflow", "main"}, {"source", "bench.flow"}, {"pid", 0}});
  double t0 = store->run(id)->started;
  fs::create_directories(state / "runs" / id);
  std::ofstream(state / "runs" / id / "graph.json")
      << R"({"nodes":[{"id":"main.w","label":"w = work","op":"work","kind":"op","loc":"bench.flow:9:9"},)"
      << R"({"id":"main.g","label":"g = gather","op":"gather","kind":"op","loc":"bench.flow:11:5"}],"edges":[["main.w","main.g"]]})";
  for (long i = 0; i < n; ++i) {
    TaskRecord t;
    t.run_id = id;
    t.path = fmt::format("main.w[{}]", i);
    t.key = fmt::format("{:016x}{:016x}{:016x}{:016x}", i * 2654435761u, i, ~i, i * 7);
    t.op = i % 10 == 0 ? "work_big" : "work";
    bool failed = i % 2000 == 1999;
    t.state = failed ? TaskState::Failed : i % 7 == 0 ? TaskState::Cached : TaskState::Succeeded;
    t.exit_code = failed ? 1 : 0;
    t.work_dir = (state / "work" / t.key.substr(0, 2) / t.key.substr(2)).string();
    t.started = t0 + i * 0.004;
    t.finished = t.started + 0.5 + (i % 97) * 0.01;
    t.attempt = 1;
    t.pid = 1000 + i;
    if (failed) {
      t.error = fmt::format("op `work` at {} (bench.flow:9:9) exited with code 1\n  work dir: {}", t.path, t.work_dir);
      fs::create_directories(t.work_dir);
      std::ofstream err(fs::path(t.work_dir) / ".stderr");
      for (int k = 0; k < 50; ++k) err << "step " << k << ": residual " << (1.0 / (k + 1)) << "\n";
    }
    if (t.state != TaskState::Cached) {
      t.usage = {{"wall", t.finished - t.started},
                 {"user", 0.4 + (i % 13) * 0.01},
                 {"sys", 0.02},
                 {"rss", 50000000 + (i % 101) * 100000},
                 {"read", 4096 * (i % 50)},
                 {"written", 1000 + i},
                 {"source", "rusage"},
                 {"requested", {{"cpus", 1}, {"mem", 268435456}}}};
    }
    store->record_task(t);
    if (i % 10000 == 9999) store->flush();
  }
  store->flush();
  store->finish_run(id, "failed");
  store.reset();

  std::printf("bench/report: `flowc report` of a run of %ld tasks (a journal made for it; %ld failures with stderr)\n",
              n, n / 2000);
  std::vector<double> times, cpu;  // wall, and CPU (user + system) of the flowc process
  size_t bytes = 0;
  for (int round = 0; round < 3; ++round) {
    fs::path out = dir / "report.html";
    auto start = std::chrono::steady_clock::now();
    pid_t pid = ::fork();
    if (pid == 0) {
      ::close(2);
      ::execl(flowc.c_str(), flowc.c_str(), "report", "--state-dir", state.c_str(), "-o", out.c_str(), nullptr);
      ::_exit(127);
    }
    int status = 0;
    rusage ru{};
    ::wait4(pid, &status, 0, &ru);
    times.push_back(std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
    cpu.push_back(static_cast<double>(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) +
                  static_cast<double>(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e6);
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
      std::printf("flowc report failed\n");
      return 1;
    }
    bytes = fs::file_size(out);
  }
  std::sort(times.begin(), times.end());
  std::sort(cpu.begin(), cpu.end());
  double mb = static_cast<double>(bytes) / 1e6;
  double load[3] = {0, 0, 0};
  ::getloadavg(load, 3);
  std::printf("  %-28s %8.3f s (min %.3f, max %.3f), machine load average %.1f\n", "time (median of 3)", times[1],
              times[0], times[2], load[0]);
  std::printf("  %-28s %8.3f s (what it costs on an idle core)\n", "CPU, user + system (median)", cpu[1]);
  std::printf("  %-28s %8.2f MB (%.0f bytes per task)\n", "file size", mb, static_cast<double>(bytes) / n);
  std::printf(
      "goal: written in under %.0f s: %s%s\n", kGoalSeconds, times[1] < kGoalSeconds ? "met" : "NOT MET",
      times[1] >= kGoalSeconds && cpu[1] < kGoalSeconds ? " (its CPU time is under it: the machine is busy)" : "");
  std::printf("goal: under %.0f MB: %s\n", kGoalMB, mb < kGoalMB ? "met" : "NOT MET");
  if (std::getenv("FLOWC_BENCH_KEEP")) {
    std::printf("kept: %s\n", dir.c_str());
  } else {
    std::error_code ec;
    fs::remove_all(dir, ec);
  }
  return 0;
}
