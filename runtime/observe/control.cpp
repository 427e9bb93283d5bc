// Detached runs and cancelling.
#include "runtime/observe/control.h"

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <filesystem>
#include <thread>

#include <fmt/format.h>

#include "runtime/observe/run_view.h"
#include "runtime/process/spawn.h"

extern char** environ;

namespace flowc::runtime::observe {
namespace fs = std::filesystem;

std::variant<Detached, std::string> start_detached(const std::vector<std::string>& run_args, const std::string& cwd,
                                                   const std::string& state_dir) {
  std::error_code ec;
  fs::path self = fs::read_symlink("/proc/self/exe", ec);
  if (ec) return std::string("cannot find the flowc executable (/proc/self/exe)");
  fs::path state = fs::absolute(fs::path(cwd) / state_dir).lexically_normal();
  Detached d;
  d.run_id = Store::new_run_id();
  fs::path run_dir = state / "runs" / d.run_id;
  fs::create_directories(run_dir, ec);
  if (ec) return fmt::format("cannot create `{}`: {}", run_dir.string(), ec.message());
  d.log = (run_dir / "flowc.log").string();

  std::vector<std::string> argv = {self.string(), "run"};
  argv.insert(argv.end(), run_args.begin(), run_args.end());
  argv.insert(argv.end(), {"--run-id", d.run_id});
  Spawn spawn;  // its own process group: a Ctrl-C meant for the caller does not reach it
  spawn.chdir(cwd);
  spawn.open(0, "/dev/null", O_RDONLY);
  spawn.open(1, d.log, O_WRONLY | O_CREAT | O_APPEND);
  spawn.open(2, d.log, O_WRONLY | O_CREAT | O_APPEND);
  std::vector<std::string> env;
  for (char** e = environ; *e; ++e) env.emplace_back(*e);
  if (int rc = spawn.start(&d.pid, argv, env); rc != 0) {
    return fmt::format("cannot start `{}`: {}", self.string(), std::strerror(rc));
  }

  // Wait for the run to be journaled (it writes its events.jsonl right after;
  // the database is not opened here, which would race the run for its lock
  // while it creates it), or for flowc to give up.
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  fs::path events = run_dir / "events.jsonl";
  while (std::chrono::steady_clock::now() < deadline) {
    if (fs::exists(events, ec)) return d;
    int status = 0;
    if (::waitpid(d.pid, &status, WNOHANG) == d.pid) {
      if (fs::exists(events, ec)) return d;  // a run quick enough to be over already
      int code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
      return fmt::format("the run did not start (flowc exited with {}):\n{}", code, file_tail(d.log, 30, 8192));
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return fmt::format("the run did not start within a minute; see {}", d.log);
}

std::string cancel_run(Store& store, const RunRecord& run, double wait_seconds) {
  if (run.status != "running") return fmt::format("run {} is not running (it {})", run.id, run.status);
  if (!run_process_alive(run)) {
    return fmt::format("run {} is not running: its flowc is gone (what it journaled is kept)", run.id);
  }
  auto pid = static_cast<pid_t>(run.meta.value("pid", int64_t{0}));
  if (::kill(pid, SIGINT) != 0)
    return fmt::format("cannot signal run {}'s flowc (pid {}): {}", run.id, pid, std::strerror(errno));
  auto deadline = std::chrono::steady_clock::now() + std::chrono::duration<double>(wait_seconds);
  while (std::chrono::steady_clock::now() < deadline) {
    auto now = store.run(run.id);
    if (!now || now->status != "running" || !run_process_alive(*now)) return "";
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  return wait_seconds > 0 ? fmt::format("run {} was told to stop and is still stopping its tasks", run.id) : "";
}

}  // namespace flowc::runtime::observe
