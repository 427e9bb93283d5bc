// bench/local: flowc's local runtime beside the process floor, Make, Ninja
// and Snakemake, in the manner of parsl-perf (growing batches, tasks/s).
//
//   local_bench --flowc FLOWC --floor W1_FLOOR --flow W1.flow [options]
//
// Workload W1: N trivial tasks `echo i > out_i`, then one gather `cat` of all
// of them into one file, 2 in flight. Every run is in a fresh temp dir; the
// tools take turns within each round, so machine noise hits all alike.
//
// Sections (--only w1,noop,dry; default all):
//   w1    for each N (--sizes, default 100,300,1000) and round (--rounds):
//         floor, `flowc run --fresh`, `flowc run` (fresh dir, no --fresh),
//         `make -j2`, `ninja -j2`; in the first round only, at the sizes in
//         --snakemake-sizes (default 100,1000), `snakemake --cores 2` and
//         `snakemake --cores 2 --scheduler greedy` (slow: one run each).
//   noop  builds a --noop-n (default 10,000) fan-out once with flowc, make
//         and ninja (timed, one run each), then times re-running each with
//         nothing to do (--noop-rounds).
//   dry   `flowc run --dry-run` of fan-outs of --dry-sizes (default
//         10000,100000,1000000,10000000): time, CPU and peak RSS
//         (--dry-rounds), and bytes per planned task.
// Prints medians, tasks/s, per-task overhead above the floor and ratios,
// then whether each of the goals is met.
#include <fcntl.h>
#include <spawn.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <optional>
#include <set>
#include <sstream>
#include <string>
#include <vector>

extern char** environ;

namespace fs = std::filesystem;

namespace {

using Clock = std::chrono::steady_clock;

// The goals.
constexpr double kGoalOverheadMs = 1.0;      // flowc above the floor, per task, at N = 1000
constexpr double kGoalVsSnakemake = 10.0;    // flowc at least 10x faster than Snakemake's default
constexpr double kGoalNoopSeconds = 0.5;     // no-op rerun of a 10,000-task fan-out
constexpr double kGoalDrySeconds = 1.5;      // dry run of 1,000,000 tasks
constexpr double kGoalDry10MSeconds = 10.0;  // dry run of 10,000,000 tasks
constexpr double kGoalDry10MMiB = 4096.0;    // ... in under 4 GiB
constexpr double kGoalVsNinja = 1.10;        // W1: flowc's wall time within 1.10x of Ninja's (same shell)
constexpr double kGoalOwnCpuMs = 0.12;       // W1: flowc's own CPU per task
constexpr double kGoalNoopVsNinja = 2.0;     // no-op rerun within 2x of Ninja's

struct Options {
  std::string flowc, floor, flow;
  std::string baseline;  // --baseline FLOWC: another build, run in the same turns (a change's cost)
  std::vector<long> sizes{100, 300, 1000};
  std::vector<long> snakemake_sizes{100, 1000};
  int rounds = 5;
  long noop_n = 10000;
  int noop_rounds = 5;
  std::vector<long> dry_sizes{10000, 100000, 1000000, 10000000};
  int dry_rounds = 3;
  std::set<std::string> only{"w1", "noop", "dry"};
  bool keep = false;
};

struct Sample {
  double seconds = -1;  // < 0: failed
  double rss_mib = 0;   // peak RSS of the largest process in the tree
  double cpu = 0;       // user + system seconds of the whole process tree
  double own_cpu = 0;   // ... of the tool's own process only (not its children)
};

// User + system seconds of process `pid` itself, read from /proc while it is
// a zombie (waited for with WNOWAIT, not yet reaped). Clock ticks: 10 ms.
double own_cpu_seconds(pid_t pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/stat");
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  size_t close = text.rfind(')');
  if (close == std::string::npos) return 0;
  std::istringstream fields(text.substr(close + 2));
  std::string field;
  double ticks = 0;
  // Fields after the command name start at 3 (state); utime is 14, stime 15.
  for (int i = 3; i <= 15 && fields >> field; ++i) {
    if (i >= 14) ticks += std::stod(field);
  }
  return ticks / static_cast<double>(sysconf(_SC_CLK_TCK));
}

// Runs argv (looked up in PATH) in `dir`, stdin from /dev/null, stdout and
// stderr appended to dir/../<name>.log; returns wall seconds and peak RSS.
Sample run_in(const fs::path& dir, const std::vector<std::string>& args, const fs::path& log) {
  std::vector<std::string> copy = args;
  std::vector<char*> argv;
  for (std::string& a : copy) argv.push_back(a.data());
  argv.push_back(nullptr);
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addchdir_np(&actions, dir.c_str());
  posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_addopen(&actions, 1, log.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
  posix_spawn_file_actions_adddup2(&actions, 1, 2);
  Sample s;
  auto start = Clock::now();
  pid_t pid = 0;
  int rc = posix_spawnp(&pid, argv[0], &actions, nullptr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  if (rc != 0) {
    std::fprintf(stderr, "local_bench: cannot start %s: %s\n", argv[0], std::strerror(rc));
    return s;
  }
  siginfo_t info{};
  waitid(P_PID, static_cast<id_t>(pid), &info, WEXITED | WNOWAIT);
  double seconds = std::chrono::duration<double>(Clock::now() - start).count();
  s.own_cpu = own_cpu_seconds(pid);
  int status = 0;
  rusage usage{};
  wait4(pid, &status, 0, &usage);
  s.rss_mib = usage.ru_maxrss / 1024.0;
  auto secs = [](const timeval& t) { return static_cast<double>(t.tv_sec) + t.tv_usec / 1e6; };
  s.cpu = secs(usage.ru_utime) + secs(usage.ru_stime);
  if (WIFEXITED(status) && WEXITSTATUS(status) == 0) s.seconds = seconds;
  return s;
}

std::string read_file(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

void write_file(const fs::path& path, const std::string& text) {
  std::ofstream out(path, std::ios::binary);
  out << text;
}

// The gathered file must hold 0..n-1, one a line, in order.
bool gathered_ok(const fs::path& path, long n) {
  std::ifstream in(path);
  std::string line;
  long i = 0;
  while (std::getline(in, line)) {
    if (line != std::to_string(i)) return false;
    ++i;
  }
  return i == n;
}

// flowc publishes the gather's output under flow-out/all/.
std::optional<fs::path> flowc_output(const fs::path& dir) {
  std::error_code ec;
  fs::path all = dir / "flow-out" / "all";
  if (fs::is_regular_file(all, ec)) return all;
  if (fs::is_directory(all, ec)) {
    for (const auto& e : fs::directory_iterator(all, ec)) {
      if (e.is_regular_file()) return e.path();
    }
  }
  return std::nullopt;
}

// ---- the tools ---------------------------------------------------------------

struct Tool {
  std::string name;
  std::function<void(const fs::path& dir, long n)> setup;
  std::function<std::vector<std::string>(long n)> argv;
  std::function<std::optional<fs::path>(const fs::path& dir)> output;
  // The floor running the same shell as this tool's commands ("": the
  // first floor): overheads are measured against it.
  std::string floor;
};

// flowc runs every command under bash with `set -euo pipefail` (its
// default); with `shell "sh"`, under /bin/sh (dash here). The floor and the
// peers run each shell in turn, so each comparison has the same shell on
// both sides, and the two floors give what bash costs per task.
const char* kBashFloor = "floor (posix_spawn, C++)";
const char* kShFloor = "floor, /bin/sh";
const char* kIsolationFloor = "work dirs alone (no processes)";

std::optional<fs::path> plain_output(const fs::path& dir) { return dir / "all.txt"; }

void write_makefile(const fs::path& dir, long n, bool bash) {
  std::string text = bash ? "SHELL := bash\n.SHELLFLAGS := -euo pipefail -c\n" : "";
  text += "all.txt:";
  for (long i = 0; i < n; ++i) text += " out_" + std::to_string(i);
  text += "\n\tcat $^ > $@\n";
  for (long i = 0; i < n; ++i) text += "out_" + std::to_string(i) + ":\n\techo " + std::to_string(i) + " > $@\n";
  write_file(dir / "Makefile", text);
}

// Ninja runs every command with `/bin/sh -c`: for bash, that shell execs it.
void write_ninja(const fs::path& dir, long n, bool bash) {
  std::string text = bash ? "rule w\n  command = exec bash -euo pipefail -c \"echo $i > $out\"\n"
                            "rule g\n  command = exec bash -euo pipefail -c \"cat $in > $out\"\n"
                          : "rule w\n  command = echo $i > $out\nrule g\n  command = cat $in > $out\n";
  for (long i = 0; i < n; ++i) text += "build out_" + std::to_string(i) + ": w\n  i = " + std::to_string(i) + "\n";
  text += "build all.txt: g";
  for (long i = 0; i < n; ++i) text += " out_" + std::to_string(i);
  text += "\ndefault all.txt\n";
  write_file(dir / "build.ninja", text);
}

void write_snakefile(const fs::path& dir, long n) {
  write_file(dir / "Snakefile", "N = " + std::to_string(n) +
                                    "\n\n"
                                    "rule gather:\n"
                                    "    input: expand(\"out_{i}\", i=range(N))\n"
                                    "    output: \"all.txt\"\n"
                                    "    shell: \"cat {input} > {output}\"\n\n"
                                    "rule write:\n"
                                    "    output: \"out_{i}\"\n"
                                    "    wildcard_constraints: i=\"[0-9]+\"\n"
                                    "    shell: \"echo {wildcards.i} > {output}\"\n");
}

// The tools of W1 in flowc's shell (bash); `with_variants` adds flowc
// without --fresh and every tool again with /bin/sh.
std::vector<Tool> w1_tools(const Options& o, bool with_variants) {
  std::vector<Tool> tools;
  auto floor_run = [&o](const char* shell) {
    return [&o, shell](long n) { return std::vector<std::string>{o.floor, std::to_string(n), "2", shell}; };
  };
  tools.push_back({kBashFloor, [](const fs::path&, long) {}, floor_run("bash"), plain_output, ""});
  // No processes: the folders and files flowc's own process makes to
  // isolate the tasks (w1_floor.cpp), for its own-CPU column.
  tools.push_back({kIsolationFloor, [](const fs::path&, long) {}, floor_run("files"), plain_output, ""});
  if (with_variants) tools.push_back({kShFloor, [](const fs::path&, long) {}, floor_run("sh"), plain_output, ""});
  auto copy_flow = [&o](const fs::path& dir, long) { fs::copy_file(o.flow, dir / "W1.flow"); };
  auto flowc_run = [&o](bool fresh) {
    return [&o, fresh](long n) {
      std::vector<std::string> argv{o.flowc, "run", "W1.flow", "-p", "n=" + std::to_string(n), "-j", "2"};
      if (fresh) argv.push_back("--fresh");
      return argv;
    };
  };
  tools.push_back({"flowc run --fresh", copy_flow, flowc_run(true), flowc_output, kBashFloor});
  if (!o.baseline.empty()) {
    // The same run by another flowc binary (--baseline): what a change cost.
    tools.push_back({"baseline flowc run --fresh", copy_flow,
                     [&o](long n) {
                       return std::vector<std::string>{o.baseline, "run", "W1.flow", "-p", "n=" + std::to_string(n),
                                                       "-j",       "2",   "--fresh"};
                     },
                     flowc_output, kBashFloor});
  }
  if (with_variants) {
    tools.push_back({"flowc run (no --fresh)", copy_flow, flowc_run(false), flowc_output, kBashFloor});
    // The same workflow with `shell "sh"` on both ops.
    auto copy_flow_sh = [&o](const fs::path& dir, long) {
      std::string text = read_file(o.flow);
      for (size_t at = text.find("run \""); at != std::string::npos; at = text.find("run \"", at + 20)) {
        text.insert(at, "shell \"sh\"\n    ");
      }
      write_file(dir / "W1.flow", text);
    };
    tools.push_back({"flowc run --fresh, shell \"sh\"", copy_flow_sh, flowc_run(true), flowc_output, kShFloor});
  }
  auto make = [](long) { return std::vector<std::string>{"make", "-j2"}; };
  auto ninja = [](long) { return std::vector<std::string>{"ninja", "-j2"}; };
  tools.push_back(
      {"make -j2", [](const fs::path& d, long n) { write_makefile(d, n, true); }, make, plain_output, kBashFloor});
  if (with_variants) {
    tools.push_back({"make -j2, /bin/sh", [](const fs::path& d, long n) { write_makefile(d, n, false); }, make,
                     plain_output, kShFloor});
  }
  tools.push_back(
      {"ninja -j2", [](const fs::path& d, long n) { write_ninja(d, n, true); }, ninja, plain_output, kBashFloor});
  if (with_variants) {
    tools.push_back({"ninja -j2, /bin/sh", [](const fs::path& d, long n) { write_ninja(d, n, false); }, ninja,
                     plain_output, kShFloor});
  }
  return tools;
}

std::vector<Tool> snakemake_tools() {
  return {
      // Snakemake runs its shell commands with bash in strict mode, as flowc does.
      {"snakemake --cores 2 (default)", write_snakefile,
       [](long) {
         return std::vector<std::string>{"snakemake", "--cores", "2"};
       },
       plain_output, kBashFloor},
      {"snakemake --cores 2 --scheduler greedy", write_snakefile,
       [](long) {
         return std::vector<std::string>{"snakemake", "--cores", "2", "--scheduler", "greedy"};
       },
       plain_output, kBashFloor},
  };
}

// ---- running and summarising --------------------------------------------------

class Bench {
 public:
  explicit Bench(Options o) : o_(std::move(o)) {
    const char* tmp = std::getenv("TMPDIR");
    std::string templ = std::string(tmp && *tmp ? tmp : "/tmp") + "/flowc-bench-local.XXXXXX";
    if (!mkdtemp(templ.data())) {
      std::perror("local_bench: mkdtemp");
      std::exit(2);
    }
    root_ = templ;
  }
  ~Bench() {
    std::error_code ec;
    if (o_.keep) {
      std::fprintf(stderr, "local_bench: kept %s\n", root_.c_str());
    } else {
      fs::remove_all(root_, ec);
    }
  }

  // One run of `tool` on N tasks in a fresh dir, checked; the dir is removed
  // afterwards unless `keep_dir` (then it is returned for reuse).
  Sample once(const Tool& tool, long n, fs::path* keep_dir = nullptr) {
    fs::path dir = root_ / ("run" + std::to_string(counter_++));
    fs::create_directories(dir);
    tool.setup(dir, n);
    fs::path log = root_ / (dir.filename().string() + ".log");
    ::sync();  // what the last tool wrote is not flushed on this one's time
    Sample s = run_in(dir, tool.argv(n), log);
    auto out = tool.output(dir);
    if (s.seconds < 0 || !out || !gathered_ok(*out, n)) {
      std::fprintf(stderr, "local_bench: %s with N=%ld failed or wrote a wrong result; its log (%s):\n%s\n",
                   tool.name.c_str(), n, log.c_str(), read_file(log).substr(0, 3000).c_str());
      s.seconds = -1;
    }
    // The dir stays until the end: on this VM's ext4 (no journal) every new
    // inode is checked against recently deleted ones (ext4's
    // recently_deleted()), so deleting a run's files would slow down the
    // next tool's file creation, the more so the more files it makes.
    if (keep_dir && s.seconds >= 0) *keep_dir = dir;
    return s;
  }

  // Runs argv again in an existing dir (a no-op rerun).
  Sample again(const fs::path& dir, const std::vector<std::string>& argv) {
    fs::path log = root_ / (dir.filename().string() + ".again.log");
    ::sync();
    Sample s = run_in(dir, argv, log);
    if (s.seconds < 0) {
      std::fprintf(stderr, "local_bench: `%s` failed in %s; its log:\n%s\n", argv[0].c_str(), dir.c_str(),
                   read_file(log).substr(0, 3000).c_str());
    }
    return s;
  }

  const fs::path& root() const { return root_; }

 private:
  Options o_;
  fs::path root_;
  long counter_ = 0;
};

struct Stats {
  double median = -1, min = -1, max = -1, rss = 0;
  double cpu = -1;      // median CPU seconds (user + system, whole tree)
  double own_cpu = -1;  // median CPU seconds of the tool's own process
  int runs = 0, failed = 0;
};

double median_of(std::vector<double> v) {
  if (v.empty()) return -1;
  std::sort(v.begin(), v.end());
  return v.size() % 2 ? v[v.size() / 2] : (v[v.size() / 2 - 1] + v[v.size() / 2]) / 2;
}

Stats stats_of(const std::vector<Sample>& samples) {
  Stats st;
  std::vector<double> v, cpu, own;
  for (const Sample& s : samples) {
    if (s.seconds < 0) {
      ++st.failed;
      continue;
    }
    v.push_back(s.seconds);
    cpu.push_back(s.cpu);
    own.push_back(s.own_cpu);
    st.rss = std::max(st.rss, s.rss_mib);
  }
  st.runs = static_cast<int>(v.size());
  if (v.empty()) return st;
  st.median = median_of(v);
  st.cpu = median_of(cpu);
  st.own_cpu = median_of(own);
  st.min = *std::min_element(v.begin(), v.end());
  st.max = *std::max_element(v.begin(), v.end());
  return st;
}

std::vector<long> parse_list(const std::string& s) {
  std::vector<long> out;
  std::stringstream in(s);
  for (std::string item; std::getline(in, item, ',');) {
    if (!item.empty()) out.push_back(std::atol(item.c_str()));
  }
  return out;
}

bool on_path(const std::string& program) {
  const char* path = std::getenv("PATH");
  std::stringstream in(path ? path : "");
  for (std::string dir; std::getline(in, dir, ':');) {
    if (!dir.empty() && ::access((fs::path(dir) / program).c_str(), X_OK) == 0) return true;
  }
  return false;
}

std::string version_of(const std::vector<std::string>& argv) {
  fs::path tmp = fs::temp_directory_path() / ("flowc-bench-version." + std::to_string(::getpid()));
  run_in(fs::current_path(), argv, tmp);
  std::string text = read_file(tmp);
  std::error_code ec;
  fs::remove(tmp, ec);
  size_t nl = text.find('\n');
  return nl == std::string::npos ? text : text.substr(0, nl);
}

// The 1-minute load average: these figures mean little on a busy machine.
std::string load_average() {
  std::string text = read_file("/proc/loadavg");
  size_t space = text.find(' ');
  return space == std::string::npos ? "?" : text.substr(0, space);
}

void print_rule() { std::printf("%s\n", std::string(143, '-').c_str()); }

struct Goal {
  std::string text;
  bool known, met;
  std::string figure;
};

void usage() {
  std::fprintf(
      stderr,
      "usage: local_bench --flowc FLOWC --floor W1_FLOOR --flow W1.flow [--sizes 100,300,1000] [--rounds 5]\n"
      "                   [--snakemake-sizes 100,1000] [--noop-n 10000] [--noop-rounds 5]\n"
      "                   [--dry-sizes 10000,100000,1000000,10000000] [--dry-rounds 3] [--only w1,noop,dry] [--keep]\n"
      "                   [--baseline FLOWC]  (another build in the same turns: what a change costs)\n");
}

}  // namespace

int main(int argc, char** argv) {
  Options o;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    auto value = [&]() -> std::string {
      if (i + 1 >= argc) {
        usage();
        std::exit(2);
      }
      return argv[++i];
    };
    if (a == "--flowc") o.flowc = value();
    else if (a == "--baseline") o.baseline = value();
    else if (a == "--floor") o.floor = value();
    else if (a == "--flow") o.flow = value();
    else if (a == "--sizes") o.sizes = parse_list(value());
    else if (a == "--snakemake-sizes") o.snakemake_sizes = parse_list(value());
    else if (a == "--rounds") o.rounds = std::max(1, std::atoi(value().c_str()));
    else if (a == "--noop-n") o.noop_n = std::atol(value().c_str());
    else if (a == "--noop-rounds") o.noop_rounds = std::max(1, std::atoi(value().c_str()));
    else if (a == "--dry-sizes") o.dry_sizes = parse_list(value());
    else if (a == "--dry-rounds") o.dry_rounds = std::max(1, std::atoi(value().c_str()));
    else if (a == "--keep") o.keep = true;
    else if (a == "--only") {
      o.only.clear();
      std::stringstream in(value());
      for (std::string s; std::getline(in, s, ',');) o.only.insert(s);
    } else {
      usage();
      return 2;
    }
  }
  if (o.flowc.empty() || o.floor.empty() || o.flow.empty()) {
    usage();
    return 2;
  }
  o.flowc = fs::absolute(o.flowc).string();
  if (!o.baseline.empty()) o.baseline = fs::absolute(o.baseline).string();
  o.floor = fs::absolute(o.floor).string();
  o.flow = fs::absolute(o.flow).string();

  bool have_snakemake = on_path("snakemake");
  bool have_make = on_path("make"), have_ninja = on_path("ninja");
  std::printf(
      "bench/local: workload W1 = N x `echo i > out_i` + 1 gather `cat`, 2 in flight; each run in a fresh dir\n");
  std::printf("machine: %ld cpus, load average %s at the start; flowc: %s\n", sysconf(_SC_NPROCESSORS_ONLN),
              load_average().c_str(), o.flowc.c_str());
  if (!o.baseline.empty()) std::printf("baseline: %s (in the same turns)\n", o.baseline.c_str());
  std::printf("runs in %s (TMPDIR)\n", fs::temp_directory_path().c_str());
  std::printf("peers: %s; %s; %s\n", have_make ? version_of({"make", "--version"}).c_str() : "make: not installed",
              have_ninja ? ("ninja " + version_of({"ninja", "--version"})).c_str() : "ninja: not installed",
              have_snakemake ? ("snakemake " + version_of({"snakemake", "--version"})).c_str()
                             : "snakemake: not installed (scripts/install-deps.sh bench)");
  std::fflush(stdout);

  Bench bench(o);
  std::vector<Goal> goals;
  auto warm = w1_tools(o, false);
  for (const Tool& t : warm) bench.once(t, 10);  // page cache warm for every binary

  // ---- W1 ------------------------------------------------------------------
  if (o.only.count("w1")) {
    std::vector<Tool> tools = w1_tools(o, true);
    std::vector<Tool> snakes = snakemake_tools();
    std::erase_if(tools, [&](const Tool& t) {
      return (t.name.starts_with("make") && !have_make) || (t.name.starts_with("ninja") && !have_ninja);
    });
    // samples[n][tool name]
    std::map<long, std::map<std::string, std::vector<Sample>>> samples;
    for (int r = 0; r < o.rounds; ++r) {
      std::fprintf(stderr, "local_bench: W1 round %d of %d\n", r + 1, o.rounds);
      for (long n : o.sizes) {
        // Rotate the order each round so no tool always follows another.
        for (size_t k = 0; k < tools.size(); ++k) {
          const Tool& t = tools[(k + r) % tools.size()];
          samples[n][t.name].push_back(bench.once(t, n));
        }
        if (r == 0 && have_snakemake &&
            std::find(o.snakemake_sizes.begin(), o.snakemake_sizes.end(), n) != o.snakemake_sizes.end()) {
          for (const Tool& t : snakes) {
            std::fprintf(stderr, "local_bench: %s, N=%ld (one run)\n", t.name.c_str(), n);
            samples[n][t.name].push_back(bench.once(t, n));
          }
        }
      }
    }

    std::printf("\n== W1: N tasks + 1 gather, 2 in flight; %d rounds in turns (Snakemake: 1 run) ==\n", o.rounds);
    std::printf(
        "flowc runs commands under bash with `set -euo pipefail`; make (SHELL := bash), ninja (its /bin/sh execs bash)\n"
        "and the floor do the same, and each again with /bin/sh (dash); each is measured against the floor of its shell.\n");
    std::printf(
        "tasks/s = N / median; over floor = (T - T_floor) / N; x floor = T / T_floor; x flowc = T / T_flowc --fresh;\n"
        "CPU = user + system seconds of the whole process tree (median), and its excess over the floor's per task;\n"
        "own = CPU of the tool's own process alone (not its commands) per task: its scheduling cost.\n"
        "On a busy machine wall times swing; CPU times much less.\n");
    std::map<long, std::map<std::string, Stats>> st;
    for (long n : o.sizes) {
      std::printf("\nN = %ld\n", n);
      std::printf("%-40s %4s %8s %7s %7s %7s %11s %7s %7s %7s %11s %10s %8s\n", "tool", "runs", "median s", "min s",
                  "max s", "tasks/s", "over floor", "x floor", "x flowc", "CPU s", "CPU over fl", "own CPU",
                  "peak MiB");
      print_rule();
      Stats flowc = stats_of(samples[n]["flowc run --fresh"]);
      std::vector<const Tool*> order;
      for (const Tool& t : tools) order.push_back(&t);
      for (const Tool& t : snakes) order.push_back(&t);
      for (const Tool* tool : order) {
        const std::string& name = tool->name;
        if (!samples[n].count(name)) continue;
        Stats floor = stats_of(samples[n][tool->floor.empty() ? name : tool->floor]);
        Stats s = stats_of(samples[n][name]);
        st[n][name] = s;
        if (s.runs == 0) {
          std::printf("%-40s %4d  all %d runs failed\n", name.c_str(), 0, s.failed);
          continue;
        }
        double over = floor.runs ? (s.median - floor.median) / n * 1000.0 : 0;
        double cpu_over = floor.runs ? (s.cpu - floor.cpu) / n * 1000.0 : 0;
        std::printf("%-40s %4d %8.3f %7.3f %7.3f %7.0f %8.3f ms %7.2f %7.2f %7.3f %8.3f ms %7.3f ms %8.1f%s\n",
                    name.c_str(), s.runs, s.median, s.min, s.max, n / s.median, over,
                    floor.runs ? s.median / floor.median : 0, flowc.runs ? s.median / flowc.median : 0, s.cpu, cpu_over,
                    s.own_cpu / n * 1000.0, s.rss, s.failed ? "  (some runs failed)" : "");
      }
      // What bash in strict mode costs per task against dash, for the floor
      // and for flowc.
      Stats bash_floor = st[n][kBashFloor], sh_floor = st[n][kShFloor];
      Stats flowc_sh = st[n]["flowc run --fresh, shell \"sh\""];
      if (bash_floor.runs && sh_floor.runs) {
        std::printf("bash -euo pipefail instead of /bin/sh (dash), per task: floor %+.3f ms",
                    (bash_floor.median - sh_floor.median) / n * 1000.0);
        if (flowc.runs && flowc_sh.runs) {
          std::printf(", flowc %+.3f ms", (flowc.median - flowc_sh.median) / n * 1000.0);
        }
        std::printf(" (CPU: floor %+.3f ms, flowc %+.3f ms)\n", (bash_floor.cpu - sh_floor.cpu) / n * 1000.0,
                    flowc.runs && flowc_sh.runs ? (flowc.cpu - flowc_sh.cpu) / n * 1000.0 : 0.0);
      }
    }
    std::fflush(stdout);

    // The W1 goals against Ninja, at every size from 1,000.
    for (auto& [size, by_tool] : st) {
      if (size < 1000) continue;
      Stats flowc = by_tool["flowc run --fresh"], ninja = by_tool["ninja -j2"];
      bool with_ninja = ninja.runs && flowc.runs;
      char vs[160];
      std::snprintf(vs, sizeof vs, "%.2fx wall (flowc %.3f s, ninja %.3f s), CPU %.2fx",
                    with_ninja ? flowc.median / ninja.median : 0.0, flowc.median, ninja.median,
                    with_ninja ? flowc.cpu / ninja.cpu : 0.0);
      goals.push_back({"flowc within 1.10x of Ninja at N=" + std::to_string(size), with_ninja,
                       with_ninja && flowc.median <= kGoalVsNinja * ninja.median, with_ninja ? vs : "not run"});
      Stats isolation = by_tool[kIsolationFloor];
      char own[160];
      std::snprintf(own, sizeof own, "%.3f ms/task (ninja %.3f; flowc's work dirs alone %.3f)",
                    flowc.runs ? flowc.own_cpu / size * 1000.0 : 0.0, ninja.runs ? ninja.own_cpu / size * 1000.0 : 0.0,
                    isolation.runs ? isolation.own_cpu / size * 1000.0 : 0.0);
      goals.push_back({"flowc's own CPU <= 0.12 ms/task at N=" + std::to_string(size), flowc.runs > 0,
                       flowc.runs && flowc.own_cpu / size * 1000.0 <= kGoalOwnCpuMs, flowc.runs ? own : "?"});
    }
    // Goals at N = 1000 (or the largest size run).
    long big = 1000;
    if (!st.count(big)) big = o.sizes.empty() ? 0 : *std::max_element(o.sizes.begin(), o.sizes.end());
    if (st.count(big)) {
      auto& s = st[big];
      Stats floor = s[tools[0].name], flowc = s["flowc run --fresh"];
      bool known = floor.runs && flowc.runs;
      double over = known ? (flowc.median - floor.median) / big * 1000.0 : 0;
      char fig[96];
      std::snprintf(fig, sizeof fig, "%.3f ms/task (CPU %.3f, flowc's own CPU %.3f ms/task)", over,
                    known ? (flowc.cpu - floor.cpu) / big * 1000.0 : 0.0, known ? flowc.own_cpu / big * 1000.0 : 0.0);
      goals.push_back({"flowc per-task overhead above the floor <= 1 ms at N=" + std::to_string(big), known,
                       known && over <= kGoalOverheadMs, known ? fig : "?"});
      if (!o.baseline.empty()) {
        Stats base = s["baseline flowc run --fresh"];
        bool k = base.runs && flowc.runs;
        double slower = k ? (flowc.median - base.median) / big * 1000.0 : 0;
        char text[128];
        std::snprintf(text, sizeof text, "%+.3f ms/task wall, %+.3f ms/task flowc's own CPU", slower,
                      k ? (flowc.own_cpu - base.own_cpu) / big * 1000.0 : 0.0);
        goals.push_back({"flowc no more than 0.05 ms/task slower than the baseline at N=" + std::to_string(big), k,
                         k && slower <= 0.05, k ? text : "?"});
      }
      for (const auto& [label, name, want] : std::vector<std::tuple<std::string, std::string, double>>{
               {"flowc >= 10x faster than Snakemake default", "snakemake --cores 2 (default)", kGoalVsSnakemake},
               {"flowc faster than Snakemake greedy", "snakemake --cores 2 --scheduler greedy", 1.0}}) {
        bool k = flowc.runs && s.count(name) && s[name].runs;
        double ratio = k ? s[name].median / flowc.median : 0;
        char ratio_text[64];
        std::snprintf(ratio_text, sizeof ratio_text, "%.2fx at N=%ld", ratio, big);
        goals.push_back({label, k, k && (want > 1.0 ? ratio >= want : ratio > want), k ? ratio_text : "not run"});
      }
    }
  }

  // ---- no-op rerun -----------------------------------------------------------
  if (o.only.count("noop")) {
    long n = o.noop_n;
    std::fprintf(stderr, "local_bench: building the %ld-task fan-out once with each tool\n", n);
    std::vector<Tool> tools = w1_tools(o, false);
    std::printf("\n== No-op rerun of a finished %ld-task fan-out (same dir, everything up to date) ==\n", n);
    std::printf("first run (one each, timed separately):\n");
    std::printf("%-40s %9s %9s %12s %9s %9s\n", "tool", "s", "tasks/s", "over floor", "CPU s", "peak MiB");
    print_rule();
    std::map<std::string, fs::path> dirs;
    double floor_s = -1;
    for (const Tool& t : tools) {
      if ((t.name.starts_with("make") && !have_make) || (t.name.starts_with("ninja") && !have_ninja)) continue;
      fs::path dir;
      bool is_floor = t.name.starts_with("floor");
      Sample s = bench.once(t, n, is_floor ? nullptr : &dir);
      if (is_floor) floor_s = s.seconds;
      if (s.seconds < 0) {
        std::printf("%-40s failed\n", t.name.c_str());
        continue;
      }
      std::printf("%-40s %9.2f %9.0f %9.3f ms %9.2f %9.1f\n", t.name.c_str(), s.seconds, n / s.seconds,
                  floor_s > 0 ? (s.seconds - floor_s) / n * 1000.0 : 0.0, s.cpu, s.rss_mib);
      if (!is_floor) dirs[t.name] = dir;
      std::fflush(stdout);
    }
    // flowc reruns without --fresh: everything is cached.
    std::vector<std::pair<std::string, std::vector<std::string>>> reruns;
    if (dirs.count("flowc run --fresh")) {
      reruns.push_back({"flowc run (no-op)", {o.flowc, "run", "W1.flow", "-p", "n=" + std::to_string(n), "-j", "2"}});
    }
    if (dirs.count("make -j2")) reruns.push_back({"make -j2 (no-op)", {"make", "-j2"}});
    if (dirs.count("ninja -j2")) reruns.push_back({"ninja -j2 (no-op)", {"ninja", "-j2"}});
    auto dir_of = [&](const std::string& name) {
      return name.starts_with("flowc")  ? dirs["flowc run --fresh"]
             : name.starts_with("make") ? dirs["make -j2"]
                                        : dirs["ninja -j2"];
    };
    std::map<std::string, std::vector<Sample>> samples;
    Stats flowc_noop, ninja_noop;
    for (int r = 0; r < o.noop_rounds; ++r) {
      for (size_t k = 0; k < reruns.size(); ++k) {
        auto& [name, args] = reruns[(k + r) % reruns.size()];
        samples[name].push_back(bench.again(dir_of(name), args));
      }
    }
    std::printf("\nno-op reruns, %d rounds in turns:\n", o.noop_rounds);
    std::printf("%-40s %5s %9s %9s %9s %14s %9s %9s\n", "tool", "runs", "median s", "min s", "max s", "us per task",
                "CPU s", "peak MiB");
    print_rule();
    for (auto& [name, args] : reruns) {
      Stats s = stats_of(samples[name]);
      if (s.runs == 0) {
        std::printf("%-40s failed\n", name.c_str());
        continue;
      }
      std::printf("%-40s %5d %9.3f %9.3f %9.3f %14.1f %9.3f %9.1f\n", name.c_str(), s.runs, s.median, s.min, s.max,
                  s.median / n * 1e6, s.cpu, s.rss);
      if (name.starts_with("flowc")) {
        // The first rerun is the run the goal is about (the second run in
        // that dir); later ones find a longer journal (one row per task per
        // run), so they are listed too.
        const std::vector<Sample>& in_order = samples[name];
        std::string list;
        for (const Sample& x : in_order) {
          char one[48];
          std::snprintf(one, sizeof one, "%s%.3f (CPU %.2f)", list.empty() ? "" : ", ", x.seconds, x.cpu);
          list += one;
        }
        std::printf("  flowc reruns in order (run 2, 3, ...), s: %s\n", list.c_str());
        double first = in_order.empty() ? -1 : in_order.front().seconds;
        char fig[128];
        std::snprintf(fig, sizeof fig, "%.3f s (second run, CPU %.3f s); median of %d reruns %.3f s", first,
                      in_order.empty() ? 0.0 : in_order.front().cpu, s.runs, s.median);
        goals.push_back({"no-op rerun of " + std::to_string(n) + " tasks under 0.5 s", first >= 0,
                         first >= 0 && first < kGoalNoopSeconds, fig});
        flowc_noop = s;
      }
      if (name.starts_with("ninja")) ninja_noop = s;
    }
    if (flowc_noop.runs && ninja_noop.runs) {
      char fig[160];
      std::snprintf(fig, sizeof fig, "%.1fx wall (%.3f vs %.3f s), %.1fx CPU (%.3f vs %.3f s), medians",
                    flowc_noop.median / ninja_noop.median, flowc_noop.median, ninja_noop.median,
                    flowc_noop.cpu / ninja_noop.cpu, flowc_noop.cpu, ninja_noop.cpu);
      goals.push_back({"no-op rerun of " + std::to_string(n) + " tasks within 2x of Ninja", true,
                       flowc_noop.median <= kGoalNoopVsNinja * ninja_noop.median, fig});
    }
    std::fflush(stdout);
  }

  // ---- dry run -----------------------------------------------------------------
  if (o.only.count("dry")) {
    std::printf("\n== flowc run --dry-run of a fan-out (plan only), %d runs each ==\n", o.dry_rounds);
    std::printf("%-40s %5s %9s %9s %9s %14s %9s %9s %9s\n", "tasks", "runs", "median s", "min s", "max s",
                "us per task", "CPU s", "peak MiB", "B/task");
    print_rule();
    Tool dry{"flowc run --dry-run", [&o](const fs::path& dir, long) { fs::copy_file(o.flow, dir / "W1.flow"); },
             [&o](long n) {
               return std::vector<std::string>{o.flowc, "run", "W1.flow",  "-p", "n=" + std::to_string(n),
                                               "-j",    "2",   "--dry-run"};
             },
             nullptr, ""};
    for (long n : o.dry_sizes) {
      std::fprintf(stderr, "local_bench: dry run of %ld tasks\n", n);
      std::vector<Sample> samples;
      for (int r = 0; r < o.dry_rounds; ++r) {
        fs::path dir = bench.root() / ("dry" + std::to_string(n) + "-" + std::to_string(r));
        fs::create_directories(dir);
        dry.setup(dir, n);
        fs::path log = bench.root() / ("dry" + std::to_string(n) + "-" + std::to_string(r) + ".log");
        ::sync();
        Sample s = run_in(dir, dry.argv(n), log);
        std::string text = read_file(log);
        if (s.seconds >= 0 && text.find(std::to_string(n) + " tasks can start now") == std::string::npos) {
          std::fprintf(stderr, "local_bench: the dry run did not plan %ld tasks:\n%s\n", n,
                       text.substr(0, 2000).c_str());
          s.seconds = -1;
        } else if (s.seconds < 0) {
          std::fprintf(stderr, "local_bench: the dry run of %ld failed:\n%s\n", n, text.substr(0, 2000).c_str());
        }
        samples.push_back(s);
      }
      Stats s = stats_of(samples);
      if (s.runs == 0) {
        std::printf("%-40ld failed\n", n);
        if (n == 1000000) goals.push_back({"dry run of 1,000,000 tasks under 1.5 s", true, false, "failed"});
        if (n == 10000000) goals.push_back({"dry run of 10,000,000 tasks under 10 s and 4 GiB", true, false, "failed"});
        continue;
      }
      std::printf("%-40ld %5d %9.3f %9.3f %9.3f %14.2f %9.3f %9.1f %9.0f\n", n, s.runs, s.median, s.min, s.max,
                  s.median / n * 1e6, s.cpu, s.rss, s.rss * 1048576.0 / n);
      std::fflush(stdout);
      // Wall time on this shared machine swings with its load; the CPU time
      // (user + system) is what the plan costs when a core is free.
      char fig[128];
      std::snprintf(fig, sizeof fig, "%.2f s (CPU %.2f s), %.0f MiB peak RSS", s.median, s.cpu, s.rss);
      if (n == 1000000) {
        goals.push_back({"dry run of 1,000,000 tasks under 1.5 s", true, s.median < kGoalDrySeconds, fig});
      }
      if (n == 10000000) {
        goals.push_back({"dry run of 10,000,000 tasks under 10 s and 4 GiB", true,
                         s.median < kGoalDry10MSeconds && s.rss < kGoalDry10MMiB, fig});
      }
    }
  }

  // ---- goals ---------------------------------------------------------------------
  std::printf("\nload average at the end: %s\n", load_average().c_str());
  if (!goals.empty()) {
    std::printf("\n== The issue's goals ==\n");
    for (const Goal& g : goals) {
      std::printf("  [%-7s] %-58s %s\n",
                  !g.known ? "n/a"
                  : g.met  ? "met"
                           : "NOT met",
                  g.text.c_str(), g.figure.c_str());
    }
  }
  std::fflush(stdout);  // before the temp dir's removal, which takes a while
  return 0;
}
