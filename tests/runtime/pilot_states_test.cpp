// The pilot executor without Slurm and without agents: sbatch and squeue are
// answered by a fake through the command seam (fake_slurm.h), and the test
// plays the agents by moving task files in the channel (pilot/channel.h) and
// writing exit status files, as an agent does. What the real agents and
// Slurm do is tested against them (pilot_test.cpp, cluster_test.cpp).
#include <signal.h>

#include <filesystem>
#include <thread>

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "runtime/executors/pilot/channel.h"
#include "runtime/executors/pilot/pilot_executor.h"
#include "runtime/executors/pilot/span.h"
#include "runtime/executors/slurm/job_script.h"
#include "tests/runtime/fake_slurm.h"
#include "tests/support/project.h"
#include "tests/support/test_support.h"

namespace fs = std::filesystem;
using namespace flowc::runtime;
using How = Outcome::How;
using flowc::test::FakeSlurm;

namespace {

struct Pilot {
  flowc::test::Project p{"pilot-states"};
  FakeSlurm slurm;
  slurm::UseCommands use{slurm};
  fs::path channel = p.dir / "pilot";
  std::unique_ptr<PilotExecutor> executor;

  explicit Pilot(int64_t nodes = 1) {
    PilotSettings s;
    s.nodes = nodes;
    s.poll_interval = 0;  // squeue and the agents' heartbeats at every collect()
    s.lost_after = 0;
    s.node_lost_after = 5;
    executor = std::make_unique<PilotExecutor>(s, channel.string());
  }
  LaunchSpec spec(const std::string& name) {
    LaunchSpec spec = flowc::test::fake_task(p.dir, name);
    spec.cpus = 2;
    spec.mem_bytes = 512ll << 20;
    return spec;
  }
  // Submitted and handed out, as the run loop does (flush() after a round).
  uint64_t submit(const std::string& name) {
    uint64_t h = executor->submit(spec(name));
    executor->flush();
    return h;
  }
  fs::path inbox(uint64_t h) const { return channel / "inbox" / (std::to_string(h) + ".task"); }
  // The agent on `node` claims the task, as an agent does: a rename.
  void claim(uint64_t h, const std::string& node) {
    fs::create_directories(channel / "running" / node);
    fs::rename(inbox(h), channel / "running" / node / (std::to_string(h) + ".task"));
  }
  // The agent on `node` beats, `age` seconds ago.
  void heartbeat(const std::string& node, double age) {
    fs::path f = channel / ("agent." + node + ".alive");
    pilot::touch(f.string());
    fs::last_write_time(f, fs::last_write_time(f) - std::chrono::duration_cast<fs::file_time_type::duration>(
                                                        std::chrono::duration<double>(age)));
  }
  void exit_status(const std::string& name, const std::string& text) {
    flowc::test::write_file((p.dir / name / slurm::kExitFile).string(), text);
  }
  // Everything collect() reports within `tries` calls, 30 ms apart (the
  // exit status files are looked at every 20 ms).
  std::vector<Outcome> collect(int tries = 3) {
    std::vector<Outcome> all;
    for (int i = 0; i < tries; ++i) {
      std::this_thread::sleep_for(std::chrono::milliseconds(30));
      for (Outcome& o : executor->collect()) all.push_back(std::move(o));
    }
    return all;
  }
  std::optional<Outcome> outcome(uint64_t handle) {
    for (Outcome& o : collect()) {
      if (o.handle == handle) return o;
    }
    return std::nullopt;
  }
};

bool has(const std::vector<std::string>& args, const std::string& arg) {
  return std::find(args.begin(), args.end(), arg) != args.end();
}

}  // namespace

TEST_CASE("pilot: many tasks cost one sbatch, each handed to the agents with its cpus and memory", "[pilot_states]") {
  Pilot t(4);
  uint64_t a = t.submit("a"), b = t.submit("b"), c = t.submit("c");
  REQUIRE(t.slurm.calls_of("sbatch").size() == 1);
  auto args = t.slurm.calls_of("sbatch").front();
  CHECK(has(args, "--nodes=4"));
  // A node lost must not end the allocation: its agent's tasks alone are lost.
  CHECK(has(args, "--no-kill"));
  CHECK(has(args, "--no-requeue"));
  for (uint64_t h : {a, b, c}) {
    REQUIRE(fs::exists(t.inbox(h)));
    auto task = pilot::parse_task(flowc::test::read_file(t.inbox(h).string()));
    REQUIRE(task);
    CHECK(task->cpus == 2);
    CHECK(task->mem_bytes == 512ll << 20);
  }
  CHECK(t.executor->job_ref(a).job == "slurm-pilot:100");
  CHECK(t.executor->running() == 3);
}

// The run loop journals a task's job (the allocation) between submit() and
// flush(): only then may an agent see it, so a flowc killed in between
// leaves nothing running that a rerun does not know of.
TEST_CASE("pilot: a task reaches the agents at flush(), its job known from submit()", "[pilot_states]") {
  Pilot t(2);
  uint64_t a = t.executor->submit(t.spec("a")), b = t.executor->submit(t.spec("b"));
  CHECK(t.executor->job_ref(a).job == "slurm-pilot:100");
  CHECK_FALSE(fs::exists(t.inbox(a)));
  CHECK_FALSE(fs::exists(t.inbox(b)));
  // One not yet handed out is taken back at once when cancelled.
  t.executor->cancel(b);
  t.executor->flush();
  CHECK(fs::exists(t.inbox(a)));
  CHECK_FALSE(fs::exists(t.inbox(b)));
  auto o = t.outcome(b);
  REQUIRE(o);
  CHECK(o->how == How::Cancelled);
}

TEST_CASE("pilot: on N nodes each node's agent is a step of its own, on one the agent is the batch step",
          "[pilot_states]") {
  {
    Pilot t(3);
    t.submit("a");
    std::string script = flowc::test::read_file((t.channel / "pilot.sh").string());
    CHECK(script.find("scontrol show hostnames") != std::string::npos);
    CHECK(script.find("srun --nodes=1 --ntasks=1 --nodelist=\"$node\" --overlap --no-kill") != std::string::npos);
    CHECK(script.find("wait") != std::string::npos);
  }
  {
    Pilot t(1);
    t.submit("a");
    std::string script = flowc::test::read_file((t.channel / "pilot.sh").string());
    CHECK(script.find("srun") == std::string::npos);
    CHECK(script.find("exec ") != std::string::npos);
  }
}

TEST_CASE("pilot: a task's end is the exit status file its agent leaves", "[pilot_states]") {
  Pilot t;
  uint64_t ok = t.submit("ok"), bad = t.submit("bad"), slow = t.submit("slow");
  t.claim(ok, "node1");
  t.claim(bad, "node1");
  t.claim(slow, "node1");
  t.exit_status("ok", "0 0\n");
  t.exit_status("bad", "3 0\n");
  t.exit_status("slow", "143 1\n");
  std::map<uint64_t, Outcome> got;
  for (Outcome& o : t.collect()) got[o.handle] = o;
  REQUIRE(got.size() == 3);
  CHECK(got[ok].how == How::Exited);
  CHECK(got[ok].exit_code == 0);
  CHECK(got[bad].how == How::Exited);
  CHECK(got[bad].exit_code == 3);
  CHECK(got[slow].how == How::TimedOut);
  // Where to look, for people: the allocation and the task's job log.
  CHECK(got[bad].detail.find("Slurm job 100") != std::string::npos);
  CHECK(t.executor->running() == 0);
  CHECK_FALSE(t.executor->next_deadline());
}

TEST_CASE("pilot: cancelling a task no agent took takes it back, one an agent runs is asked of it", "[pilot_states]") {
  Pilot t;
  uint64_t waiting = t.submit("waiting"), running = t.submit("running");
  t.claim(running, "node1");
  t.executor->cancel(waiting);
  t.executor->cancel(running);
  CHECK_FALSE(fs::exists(t.inbox(waiting)));
  CHECK(fs::exists(t.channel / "cancel" / std::to_string(running)));
  auto o = t.outcome(waiting);
  REQUIRE(o);
  CHECK(o->how == How::Cancelled);
  // The agent stopped it: a non-zero end of a task being cancelled is its cancellation.
  t.exit_status("running", "143 0\n");
  o = t.outcome(running);
  REQUIRE(o);
  CHECK(o->how == How::Cancelled);
}

TEST_CASE("pilot: a node whose agent falls silent fails only the tasks that agent claimed, naming the node",
          "[pilot_states]") {
  Pilot t(3);
  uint64_t on1 = t.submit("on1"), on2 = t.submit("on2"), also2 = t.submit("also2"), queued = t.submit("queued");
  t.claim(on1, "node1");
  t.claim(on2, "node2");
  t.claim(also2, "node2");
  t.exit_status("also2", "0 0\n");  // it finished before the node went
  t.heartbeat("node1", 0);
  t.heartbeat("node2", 30);
  std::map<uint64_t, Outcome> got;
  for (Outcome& o : t.collect()) got[o.handle] = o;
  REQUIRE(got.count(on2));
  CHECK(got[on2].how == How::NodeFailed);
  CHECK(got[on2].detail.find("node node2") != std::string::npos);
  CHECK(got[on2].detail.find("Slurm job 100") != std::string::npos);
  REQUIRE(got.count(also2));
  CHECK(got[also2].how == How::Exited);
  CHECK_FALSE(got.count(on1));
  CHECK_FALSE(got.count(queued));
  // The node is given up, once: should its agent still live, it stops and leaves.
  CHECK(fs::exists(t.channel / "lost.node2"));
  CHECK_FALSE(fs::exists(t.channel / "running" / "node2" / (std::to_string(on2) + ".task")));
  // The pilot goes on: the others end as their agents say, a new task is handed out.
  t.heartbeat("node1", 0);
  t.exit_status("on1", "0 0\n");
  auto o = t.outcome(on1);
  REQUIRE(o);
  CHECK(o->how == How::Exited);
  uint64_t again = t.submit("again");
  CHECK(fs::exists(t.inbox(again)));
  CHECK(t.slurm.calls_of("sbatch").size() == 1);
}

TEST_CASE("pilot: an agent beating within node_lost_after is not given up", "[pilot_states]") {
  Pilot t(2);
  uint64_t h = t.submit("a");
  t.claim(h, "node2");
  t.heartbeat("node2", 2);
  CHECK(t.collect().empty());
  CHECK_FALSE(fs::exists(t.channel / "lost.node2"));
  CHECK(t.executor->running() == 1);
}

TEST_CASE("pilot: the allocation ending fails running tasks as lost, queued ones as not started, and later ones",
          "[pilot_states]") {
  Pilot t;
  uint64_t ran = t.submit("ran"), queued = t.submit("queued");
  t.claim(ran, "node1");
  t.slurm.queue["100"] = "TIMEOUT|TimeLimit";
  std::map<uint64_t, Outcome> got;
  for (Outcome& o : t.collect()) got[o.handle] = o;
  REQUIRE(got.size() == 2);
  CHECK(got[ran].how == How::Lost);
  CHECK(got[ran].error.find("while the task ran") != std::string::npos);
  CHECK(got[ran].error.find("TIMEOUT") != std::string::npos);
  CHECK(got[queued].how == How::NotStarted);
  CHECK(got[queued].error.find("before the task started") != std::string::npos);
  uint64_t late = t.submit("late");
  auto o = t.outcome(late);
  REQUIRE(o);
  CHECK(o->how == How::NotStarted);
  CHECK(t.slurm.calls_of("sbatch").size() == 1);
}

TEST_CASE("pilot: an allocation Slurm forgot is gone after lost_after, and its tasks are lost", "[pilot_states]") {
  Pilot t;
  uint64_t h = t.submit("a");
  t.claim(h, "node1");
  t.slurm.queue.clear();
  auto o = t.outcome(h);
  REQUIRE(o);
  CHECK(o->how == How::Lost);
  CHECK(o->error.find("is gone") != std::string::npos);
}

TEST_CASE("pilot: Slurm silent for a while is not the allocation's end", "[pilot_states]") {
  Pilot t;
  uint64_t h = t.submit("a");
  t.slurm.unreachable = true;
  CHECK(t.collect().empty());
  t.slurm.unreachable = false;
  t.claim(h, "node1");
  t.exit_status("a", "0 0\n");
  auto o = t.outcome(h);
  REQUIRE(o);
  CHECK(o->how == How::Exited);
}

TEST_CASE("pilot: Slurm refusing the allocation fails each task with its words", "[pilot_states]") {
  Pilot t;
  t.slurm.refusal = "sbatch: error: Batch job submission failed: Invalid account or account/partition combination";
  uint64_t a = t.submit("a"), b = t.submit("b");
  std::map<uint64_t, Outcome> got;
  for (Outcome& o : t.collect(1)) got[o.handle] = o;
  REQUIRE(got.size() == 2);
  for (uint64_t h : {a, b}) {
    CHECK(got[h].how == How::NotStarted);
    CHECK(got[h].error.find("Invalid account") != std::string::npos);
  }
  CHECK(t.slurm.calls_of("sbatch").size() == 1);  // not asked again for b
}

TEST_CASE("pilot: after a crash, a task that finished is adopted and the allocation of the others cancelled, once",
          "[pilot_states]") {
  Pilot t;
  fs::create_directories(t.p.dir / "done");
  fs::create_directories(t.p.dir / "left1");
  fs::create_directories(t.p.dir / "left2");
  t.exit_status("done", "0 0\n");
  // The old pilot's agents go on without flowc: one more task is waiting in
  // its inbox, and `left2` finishes while the allocation is being cancelled.
  fs::create_directories(t.channel / "inbox");
  flowc::test::write_file((t.channel / "inbox" / "9.task").string(), "{}");
  t.slurm.queue["77"] = "RUNNING|None";
  t.slurm.on_scancel = [&] {
    CHECK_FALSE(fs::exists(t.channel / "inbox" / "9.task"));  // closed before the cancel: nothing more is taken
    t.exit_status("left2", "0 0\n");
    t.slurm.queue["77"] = "CANCELLED|None";
  };
  std::vector<LeftBehind> left = {{{0, 0, "slurm-pilot:77"}, (t.p.dir / "done").string()},
                                  {{0, 0, "slurm-pilot:77"}, (t.p.dir / "left1").string()},
                                  {{0, 0, "slurm-pilot:77"}, (t.p.dir / "left2").string()}};
  auto keep = t.executor->settle(left);
  // Judged once the pilot ended: what finished meanwhile is kept, not run twice.
  CHECK(keep == std::vector<bool>{true, false, true});
  auto cancels = t.slurm.calls_of("scancel");
  REQUIRE(cancels.size() == 1);
  CHECK(has(cancels.front(), "77"));
  uint64_t h = t.executor->recovery()->adopt(left[0], t.spec("done"));
  auto o = t.outcome(h);
  REQUIRE(o);
  CHECK(o->how == How::Exited);
  CHECK(o->exit_code == 0);
  CHECK(t.slurm.calls_of("sbatch").empty());  // adopting starts no allocation
}

// A step spanning nodes (span.h), played by hand: the agents' heartbeats are
// files, a coordinator and the agents it holds talk through the channel.
TEST_CASE("pilot: a spanning MPI step holds the nodes it needs, one at a time, and lets them go", "[pilot_states]") {
  CHECK(pilot::nodes_needed(2, 2, 3) == 1);
  CHECK(pilot::nodes_needed(4, 2, 3) == 2);
  CHECK(pilot::nodes_needed(6, 2, 3) == 3);
  CHECK(pilot::nodes_needed(8, 2, 3) == 3);  // at most the agents alive: overcommitted
  CHECK(pilot::nodes_needed(8, 0, 3) == 1);  // the node's size unknown
  Pilot t(3);
  std::string error;
  REQUIRE(pilot::make_channel(t.channel.string(), &error));
  for (const char* node : {"node1", "node2", "node3"}) t.heartbeat(node, 0);
  CHECK(pilot::live_agents(t.channel) == std::vector<std::string>{"node1", "node2", "node3"});
  {
    pilot::Span first(t.channel, "node2"), second(t.channel, "node3");
    REQUIRE(first.begin("7", 2));
    CHECK(first.nodes() == std::vector<std::string>{"node2", "node1"});
    // One spanning step is placed at a time.
    CHECK(second.busy());
    CHECK_FALSE(second.begin("8", 2));
    // node1 is held: it takes nothing new, and says so once idle.
    CHECK_FALSE(pilot::held_for_span(t.channel, "node3", true));
    CHECK(pilot::held_for_span(t.channel, "node1", false));
    CHECK_FALSE(first.others_ready());
    CHECK(pilot::held_for_span(t.channel, "node1", true));
    CHECK(first.others_ready());
    first.end();
    CHECK_FALSE(pilot::held_for_span(t.channel, "node1", true));
    CHECK_FALSE(second.busy());
    REQUIRE(second.begin("8", 3));
    // Its coordinator falls silent (its node lost): the held agents let go,
    // and the place is free for another.
    t.heartbeat("node3", 30);
    CHECK_FALSE(pilot::held_for_span(t.channel, "node1", true));
    CHECK_FALSE(first.busy());
  }
  CHECK_FALSE(fs::exists(t.channel / "span"));
}
