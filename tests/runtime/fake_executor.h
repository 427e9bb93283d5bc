// An executor that runs nothing (Ninja's FakeCommandRunner): each task's
// end is scripted by the test, outputs are written where the command would
// write them, and a whole `Run` — its retries, timeouts, cancellation,
// adoption after a crash, identical tasks, fan-outs, failure wording — is
// driven in-process, in milliseconds, with no process started.
//
// Time is counted in collect() calls (ticks), not seconds: a test never
// waits for a clock.
#pragma once

#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "runtime/executors/executor.h"
#include "runtime/run/run.h"

namespace flowc::test {

// What one task does when the fake "runs" it.
struct Act {
  runtime::Outcome::How how = runtime::Outcome::How::Exited;
  int exit_code = 0;
  int signal = 0;
  std::string error;   // NotStarted, Lost: why
  std::string detail;  // what the "executor" knows beyond that
  // Files it writes in its work dir when it ends (a file or value output is
  // named by its port unless the op gives it a path), and to its stderr.
  std::map<std::string, std::string> writes;
  std::string stderr_text;
  int ticks = 0;           // collect() calls it runs before it ends
  bool forever = false;    // runs until cancelled or stopped at its timeout
  bool interrupt = false;  // Ctrl-C as it starts (SIGINT to this process)
  bool crash = false;      // flowc is killed while it runs: the next collect() throws, the job lives on
};

// Succeeds, writing `files` ({name: content}).
Act writes(std::map<std::string, std::string> files);
// Ends as `how` (an exit code for Exited).
Act ends(runtime::Outcome::How how, int exit_code = -1);

// Where the fake's jobs live: it outlives one run's executor, as a batch
// system outlives a flowc that was killed.
struct FakeWorld {
  // How each task ends, by its spec (spec.job_name is its call path; its
  // attempt is how often that path was submitted before, plus one).
  std::function<Act(const runtime::LaunchSpec& spec, int attempt)> act;
  // What the runs did, for the test to check.
  std::vector<std::string> submitted;  // call paths, in order (a retry again)
  std::vector<std::string> cancelled;
  std::vector<std::string> adopted;
  std::vector<std::string> made;  // executor names, one per executor a run made
  size_t most_at_once = 0;
  int flushes = 0;
  // Called as each task is submitted (after) and at each flush (before it
  // hands out what was submitted): what the journal holds at those moments.
  std::function<void(const runtime::LaunchSpec& spec)> on_submit;
  std::function<void()> on_flush;
  // Jobs left running by a "killed" flowc, by job id ("fake:3").
  struct Job {
    runtime::LaunchSpec spec;
    Act act;
  };
  std::map<std::string, Job> alive;
  uint64_t next_id = 1;
  // The executor's answers: tasks at once (-1: any), and never_fits.
  int room = -1;
  std::optional<runtime::Misfit> misfit;

  int attempts(const std::string& path) const;
};

class FakeExecutor : public runtime::Executor, public runtime::Recovery {
 public:
  FakeExecutor(FakeWorld& world, std::string name) : world_(world), name_(std::move(name)) {}
  ~FakeExecutor() override;

  std::string name() const override { return name_; }
  int default_jobs() const override { return 4; }
  std::optional<runtime::Misfit> never_fits(const runtime::LaunchSpec&) const override { return world_.misfit; }
  bool has_room(const runtime::LaunchSpec&) const override {
    return world_.room < 0 || static_cast<int>(jobs_.size()) < world_.room;
  }
  uint64_t submit(const runtime::LaunchSpec& spec) override;
  void flush() override {
    ++world_.flushes;
    if (world_.on_flush) world_.on_flush();
  }
  void cancel(uint64_t handle) override;
  std::vector<runtime::Outcome> collect() override;
  std::optional<runtime::Clock::time_point> next_deadline() const override;
  Recovery* recovery() override { return this; }
  runtime::JobRef job_ref(uint64_t handle) const override;
  std::vector<bool> settle(const std::vector<runtime::LeftBehind>& left) override;
  uint64_t adopt(const runtime::LeftBehind& left, const runtime::LaunchSpec& spec) override;

 private:
  struct Job {
    std::string id;
    runtime::LaunchSpec spec;
    Act act;
    int ticks = 0;
    bool cancelled = false;
  };
  uint64_t start(std::string id, runtime::LaunchSpec spec, Act act);
  bool can_end(const Job& job) const;

  FakeWorld& world_;
  std::string name_;
  uint64_t next_handle_ = 1;
  std::map<uint64_t, Job> jobs_;
  bool crashed_ = false;
};

// A run of a .flow program in `dir`, in-process, with the fake.
struct FakeRun {
  int exit_code = -1;
  std::string err;                     // what flowc printed
  std::vector<nlohmann::json> events;  // the run's event log
  std::string run_id;
  std::vector<std::string> tasks(const std::string& event) const;  // call paths of events of a kind
  std::string output(const std::filesystem::path& dir, const std::string& name) const;
};

// Compiles `text` and runs its entry workflow with `inputs` (JSON text).
// `options` are the run's (state_dir and outdir are set under `dir`).
FakeRun run_fake(const std::filesystem::path& dir, const std::string& text, FakeWorld& world,
                 runtime::RunOptions options = {}, const std::string& inputs = "{}");

}  // namespace flowc::test
