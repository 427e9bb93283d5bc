// The Slurm executor's reading of Slurm, without Slurm: sbatch, squeue and
// scancel are answered by a fake through the command seam
// (slurm::Commands), and each job state and pending reason is checked to
// end the task with the right end reason. That the real Slurm says these
// things is tested against it (slurm_test.cpp).
#include <signal.h>

#include <filesystem>
#include <thread>

#include <catch2/catch.hpp>

#include "runtime/executors/batch/batch_hints.h"
#include "runtime/executors/local/local_executor.h"
#include "runtime/executors/router/router_executor.h"
#include "runtime/executors/slurm/job_script.h"
#include "runtime/executors/slurm/slurm_cli.h"
#include "runtime/executors/slurm/slurm_executor.h"
#include "runtime/process/run_captured.h"
#include "tests/runtime/fake_slurm.h"
#include "tests/support/project.h"
#include "tests/support/test_support.h"

namespace fs = std::filesystem;
using namespace flowc::runtime;
using How = Outcome::How;
using Strings = std::vector<std::string>;
using flowc::test::FakeSlurm;

namespace {

struct Fixture {
  flowc::test::Project p{"slurm-states"};
  FakeSlurm slurm;
  slurm::UseCommands use{slurm};
  std::unique_ptr<SlurmExecutor> executor;

  // `exit_grace`: how long an exit status saying "killed" waits for Slurm's reason.
  explicit Fixture(double exit_grace = 0) {
    SlurmSettings s;
    s.poll_interval = 0;  // squeue at every collect()
    s.lost_after = 0;
    s.exit_grace = exit_grace;
    s.array_min = 0;
    s.submit_rate = 1e6;
    executor = std::make_unique<SlurmExecutor>(s, p.dir.string());
  }
  LaunchSpec spec(const std::string& name) {
    LaunchSpec spec = flowc::test::fake_task(p.dir, name);
    spec.mem_bytes = 256ll << 20;
    return spec;
  }
  uint64_t submit(const std::string& name = "t") {
    uint64_t h = executor->submit(spec(name));
    executor->flush();
    return h;
  }
  void exit_status(const std::string& name, const std::string& text) {
    flowc::test::write_file((p.dir / name / slurm::kExitFile).string(), text);
  }
  // What collect() reports for `handle` within `tries` calls, if anything.
  // Exit status files are looked at every 250 ms: a call after the first
  // waits that long, so that each call sees them.
  std::optional<Outcome> outcome(uint64_t handle, int tries = 3) {
    for (int i = 0; i < tries; ++i) {
      if (i > 0) std::this_thread::sleep_for(std::chrono::milliseconds(260));
      for (Outcome& o : executor->collect()) {
        if (o.handle == handle) return o;
      }
    }
    return std::nullopt;
  }
};

}  // namespace

TEST_CASE("slurm states: every state word Slurm prints has its meaning", "[slurm_states]") {
  using slurm::State;
  auto [word, state] = GENERATE(table<std::string, State>({
      {"PENDING", State::Pending},          {"REQUEUED", State::Pending},          {"REQUEUE_HOLD", State::Pending},
      {"REQUEUE_FED", State::Pending},      {"SUSPENDED", State::Pending},         {"STOPPED", State::Pending},
      {"RESV_DEL_HOLD", State::Pending},    {"RUNNING", State::Running},           {"CONFIGURING", State::Running},
      {"COMPLETING", State::Running},       {"RESIZING", State::Running},          {"SIGNALING", State::Running},
      {"STAGE_OUT", State::Running},        {"COMPLETED", State::Completed},       {"FAILED", State::Failed},
      {"TIMEOUT", State::Timeout},          {"DEADLINE", State::Timeout},          {"CANCELLED", State::Cancelled},
      {"CANCELLED by 0", State::Cancelled}, {"CANCELLED+", State::Cancelled},      {"NODE_FAIL", State::NodeFail},
      {"BOOT_FAIL", State::NodeFail},       {"OUT_OF_MEMORY", State::OutOfMemory}, {"PREEMPTED", State::Preempted},
      {"REVOKED", State::Cancelled},        {"SPECIAL_EXIT", State::Failed},       {"SOMETHING_NEW", State::Running},
  }));
  INFO(word);
  CHECK(slurm::parse_state(word) == state);
}

TEST_CASE("slurm states: a pending reason that never clears is named, others wait", "[slurm_states]") {
  CHECK(slurm::never_starts("PartitionConfig"));
  CHECK(slurm::never_starts("PartitionTimeLimit"));
  CHECK(slurm::never_starts("BadConstraints"));
  CHECK(slurm::never_starts("InvalidAccount"));
  CHECK(slurm::never_starts("InvalidQOS"));
  for (const char* waits : {"Priority", "Resources", "Dependency", "QOSMaxJobsPerUserLimit", "BeginTime", "None"}) {
    CHECK_FALSE(slurm::never_starts(waits));
  }
}

TEST_CASE("slurm states: a job that ended without its exit status ends with the reason its state gives",
          "[slurm_states]") {
  auto [state, how] = GENERATE(table<std::string, How>({
      {"TIMEOUT|TimeLimit", How::TimedOut},
      {"DEADLINE|None", How::TimedOut},
      {"CANCELLED|None", How::Signaled},
      {"REVOKED|None", How::Signaled},
      {"NODE_FAIL|NodeDown", How::NodeFailed},
      {"BOOT_FAIL|None", How::NodeFailed},
      {"OUT_OF_MEMORY|OutOfMemory", How::OutOfMemory},
      {"PREEMPTED|None", How::Preempted},
      {"COMPLETED|None", How::NotStarted},
      {"FAILED|NonZeroExitCode", How::NotStarted},
      {"SPECIAL_EXIT|None", How::NotStarted},
  }));
  INFO(state);
  Fixture f;
  uint64_t h = f.submit();
  f.slurm.queue["100"] = state;
  auto o = f.outcome(h);
  REQUIRE(o);
  CHECK(o->how == how);
  CHECK((o->detail + o->error).find("job 100") != std::string::npos);
}

TEST_CASE("slurm states: a job pending or running has not ended", "[slurm_states]") {
  auto state = GENERATE(as<std::string>{}, "PENDING|Priority", "PENDING|Resources", "RUNNING|None", "CONFIGURING|None",
                        "COMPLETING|None", "SUSPENDED|None", "SOMETHING_NEW|None");
  INFO(state);
  Fixture f;
  uint64_t h = f.submit();
  f.slurm.queue["100"] = state;
  CHECK_FALSE(f.outcome(h, 1));
  CHECK(f.executor->job_ref(h).job == "slurm:100");
}

TEST_CASE("slurm states: a job that can never start is cancelled, saying why", "[slurm_states]") {
  auto reason = GENERATE(as<std::string>{}, "PartitionConfig", "PartitionTimeLimit", "BadConstraints", "InvalidAccount",
                         "InvalidQOS");
  Fixture f;
  uint64_t h = f.submit();
  f.slurm.queue["100"] = "PENDING|" + reason;
  auto o = f.outcome(h);
  REQUIRE(o);
  CHECK(o->how == How::NotStarted);
  CHECK(o->error.find("Slurm will never start job 100: ") == 0);
  CHECK(o->error.find("(squeue says " + reason + ")") != std::string::npos);
  CHECK(f.slurm.calls_of("scancel") == std::vector<Strings>{{"scancel", "100"}});
}

TEST_CASE("slurm states: a job Slurm forgot without an exit status is lost", "[slurm_states]") {
  Fixture f;
  uint64_t h = f.submit();
  f.slurm.queue.clear();
  auto o = f.outcome(h);
  REQUIRE(o);
  CHECK(o->how == How::Lost);
  CHECK(o->error.find("Slurm no longer knows job 100 and it left no exit status") == 0);
}

TEST_CASE("slurm states: Slurm not answering is not an end; the exit status still is", "[slurm_states]") {
  Fixture f;
  uint64_t h = f.submit();
  f.slurm.unreachable = true;
  f.slurm.queue.clear();
  CHECK_FALSE(f.outcome(h, 1));
  f.exit_status("t", "0 0\n");
  auto o = f.outcome(h, 2);
  REQUIRE(o);
  CHECK(o->how == How::Exited);
  CHECK(o->exit_code == 0);
}

TEST_CASE("slurm states: the exit status a job leaves says how its command ended", "[slurm_states]") {
  auto [status, how, code] = GENERATE(table<std::string, How, int>({
      {"0 0", How::Exited, 0},
      {"3 0", How::Exited, 3},
      {"143 1", How::TimedOut, -1},
  }));
  Fixture f;
  uint64_t h = f.submit();
  f.slurm.queue["100"] = "COMPLETED|None";
  f.exit_status("t", status + "\n");
  auto o = f.outcome(h);
  REQUIRE(o);
  CHECK(o->how == how);
  CHECK(o->exit_code == code);
}

TEST_CASE("slurm states: a command killed by a signal Slurm sent takes Slurm's reason", "[slurm_states]") {
  auto [status, state, how] = GENERATE(table<std::string, std::string, How>({
      {"137 0", "OUT_OF_MEMORY|OutOfMemory", How::OutOfMemory},
      {"143 0", "NODE_FAIL|NodeDown", How::NodeFailed},
      {"143 0", "PREEMPTED|None", How::Preempted},
      {"143 0", "FAILED|NonZeroExitCode", How::Exited},  // the script's own failure: its code stands
  }));
  INFO(state);
  Fixture f(60);  // held until Slurm says why
  uint64_t h = f.submit();
  f.slurm.queue["100"] = "RUNNING|None";
  f.exit_status("t", status + "\n");
  CHECK_FALSE(f.outcome(h, 1));  // held: Slurm is asked first
  f.slurm.queue["100"] = state;
  auto o = f.outcome(h);
  REQUIRE(o);
  CHECK(o->how == how);
}

TEST_CASE("slurm states: out of memory names what the job asked for", "[slurm_states]") {
  Fixture f;
  uint64_t h = f.submit();
  f.slurm.queue["100"] = "OUT_OF_MEMORY|OutOfMemory";
  auto o = f.outcome(h);
  REQUIRE(o);
  CHECK(o->how == How::OutOfMemory);
  CHECK(o->detail.find("Slurm job 100, which asked for 256 MiB; its job log: ") == 0);
}

TEST_CASE("slurm states: a cancel is one scancel, and the job ends as cancelled", "[slurm_states]") {
  Fixture f;
  uint64_t h = f.submit();
  f.executor->cancel(h);
  CHECK_FALSE(f.outcome(h, 1));
  CHECK(f.slurm.calls_of("scancel") == std::vector<Strings>{{"scancel", "100"}});
  f.slurm.queue["100"] = "CANCELLED|None";
  auto o = f.outcome(h);
  REQUIRE(o);
  CHECK(o->how == How::Cancelled);
}

TEST_CASE("slurm states: a refusal for good does not start the task, one for now is retried", "[slurm_states]") {
  Fixture f;
  f.slurm.refusal = "sbatch: error: Batch job submission failed: Invalid partition name specified";
  uint64_t h = f.submit();
  auto o = f.outcome(h, 1);
  REQUIRE(o);
  CHECK(o->how == How::NotStarted);
  CHECK(o->error.find("Slurm refused the job: sbatch: error: Batch job submission failed: Invalid partition") == 0);

  Fixture later;
  later.slurm.refusal = "sbatch: error: Batch job submission failed: Socket timed out on send/recv operation";
  uint64_t h2 = later.submit();
  CHECK_FALSE(later.outcome(h2, 2));
  CHECK(later.executor->job_ref(h2).job.empty());  // not submitted yet
}

TEST_CASE("slurm states: jobs a killed flowc left are kept when they may still end well", "[slurm_states]") {
  Fixture f;
  f.slurm.queue = {{"7", "RUNNING|None"}, {"8", "COMPLETED|None"}};
  fs::create_directories(f.p.dir / "done");
  f.exit_status("done", "0 0\n");
  std::vector<LeftBehind> left = {
      {JobRef{0, 0, "slurm:7"}, (f.p.dir / "running").string()},
      {JobRef{0, 0, "slurm:8"}, (f.p.dir / "ended").string()},
      {JobRef{0, 0, "slurm:9"}, (f.p.dir / "done").string()},
  };
  CHECK(f.executor->settle(left) == std::vector<bool>{true, false, true});
  CHECK(f.slurm.calls_of("scancel") == std::vector<Strings>{{"scancel", "8"}});

  f.slurm.unreachable = true;  // not known now: followed, and seen
  CHECK(f.executor->settle({left[0]}) == std::vector<bool>{true});
}

TEST_CASE("slurm states: an adopted job is followed to its exit status", "[slurm_states]") {
  Fixture f;
  f.slurm.queue = {{"7", "RUNNING|None"}};
  LaunchSpec spec = f.spec("adopted");
  uint64_t h = f.executor->adopt({JobRef{0, 0, "slurm:7"}, spec.work_dir}, spec);
  CHECK(f.executor->job_ref(h).job == "slurm:7");
  CHECK_FALSE(f.outcome(h, 1));
  f.exit_status("adopted", "0 0\n");
  auto o = f.outcome(h, 2);
  REQUIRE(o);
  CHECK(o->how == How::Exited);
  CHECK(f.slurm.calls_of("sbatch").empty());
}

TEST_CASE("slurm states: tasks of one kind go as one job array, their hints passed on by a router", "[slurm_states]") {
  flowc::test::Project p{"slurm-kinds"};
  FakeSlurm fake;
  slurm::UseCommands use{fake};
  SlurmSettings s;
  s.poll_interval = 0;
  s.array_min = 2;
  s.submit_rate = 1e6;
  std::vector<std::unique_ptr<Executor>> executors;
  executors.push_back(std::make_unique<LocalExecutor>());  // the run's; the tasks ask for slurm
  executors.push_back(std::make_unique<SlurmExecutor>(s, p.dir.string()));
  RouterExecutor router(std::move(executors));
  auto task = [&](const std::string& name) {
    LaunchSpec spec = flowc::test::fake_task(p.dir, name);
    spec.executor = "slurm";
    return spec;
  };
  BatchHints align{"align", {}}, call{"call", {}};
  submit_with_hints(router, task("a1"), align);
  submit_with_hints(router, task("c1"), call);
  submit_with_hints(router, task("a2"), align);
  router.submit(task("n1"));  // without hints: never with others
  router.submit(task("n2"));
  router.flush();
  std::vector<Strings> sbatch = fake.calls_of("sbatch");
  REQUIRE(sbatch.size() == 4);
  auto has = [](const Strings& argv, const std::string& arg) {
    return std::find(argv.begin(), argv.end(), arg) != argv.end();
  };
  // The two of kind "align" as one array named after it; each other task alone, under its own name.
  CHECK(has(sbatch[0], "--array=0-1"));
  CHECK(has(sbatch[0], "--job-name=align"));
  CHECK(has(sbatch[1], "--job-name=main.c1"));
  CHECK(has(sbatch[2], "--job-name=main.n1"));
  CHECK(has(sbatch[3], "--job-name=main.n2"));
  for (size_t i = 1; i < sbatch.size(); ++i) {
    CHECK_FALSE(std::any_of(sbatch[i].begin(), sbatch[i].end(),
                            [](const std::string& a) { return a.rfind("--array", 0) == 0; }));
  }
}

TEST_CASE("slurm states: a task's job script stages what its hints say, with the profile's scratch", "[slurm_states]") {
  Fixture f;
  SlurmSettings s;
  s.poll_interval = 0;
  s.array_min = 0;
  s.submit_rate = 1e6;
  s.scratch = (f.p.dir / "scratch").string();
  f.executor = std::make_unique<SlurmExecutor>(s, f.p.dir.string());
  LaunchSpec staged = f.spec("staged"), plain = f.spec("plain");
  BatchHints hints;
  hints.staging.inputs.push_back({staged.work_dir + "/inputs/in.txt", (f.p.dir / "in.txt").string()});
  hints.staging.outputs.push_back(staged.work_dir + "/out.txt");
  submit_with_hints(*f.executor, staged, hints);
  f.executor->submit(plain);
  f.executor->flush();
  std::string with = flowc::test::read_file(staged.work_dir + "/" + slurm::kScriptFile);
  std::string without = flowc::test::read_file(plain.work_dir + "/" + slurm::kScriptFile);
  CHECK_THAT(
      with, Catch::Contains("# Node-local staging") && Catch::Contains("/inputs/in.txt") && Catch::Contains("out.txt"));
  CHECK_THAT(without, !Catch::Contains("Node-local staging"));
}
