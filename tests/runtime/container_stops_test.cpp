// A container's stop command (runtime/containers/container_stops.h): run
// after a task of this machine that was stopped, never after one that ended
// by itself, waited for when the executor goes away with tasks still
// running, and never for a task a batch system runs elsewhere. The
// executor it wraps knows nothing of it.
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <thread>

#include <catch2/catch.hpp>

#include "runtime/containers/container_stops.h"
#include "runtime/executors/local/local_executor.h"
#include "tests/support/project.h"

namespace fs = std::filesystem;
using namespace flowc::runtime;
using Strings = std::vector<std::string>;

namespace {

// A task in its own work dir `dir/name`, whose container's stop command
// appends "cleaned" to `dir/name.stopped`.
LaunchSpec sh(const flowc::test::Project& p, const std::string& script, const std::string& name) {
  LaunchSpec spec;
  spec.work_dir = (p.dir / name).string();
  fs::create_directories(spec.work_dir);
  spec.argv = {"/bin/sh", "-c", script};
  spec.env = {"PATH=/usr/bin:/bin"};
  spec.stdout_path = spec.work_dir + "/out";
  spec.stderr_path = spec.work_dir + "/err";
  return spec;
}

ContainerStops::StopCommand stop_marks() {
  return [](const LaunchSpec& spec) -> Strings {
    return {"/bin/sh", "-c", "echo cleaned >> \"$0\"", spec.work_dir + ".stopped"};
  };
}

std::vector<Outcome> collect_until(Executor& e, size_t n) {
  std::vector<Outcome> all;
  for (int i = 0; i < 1000 && all.size() < n; ++i) {
    for (Outcome& o : e.collect()) all.push_back(o);
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return all;
}

// A batch system's executor as the wrapper sees it: its tasks are known by
// a job, not a process group, and each ends cancelled.
struct Elsewhere : Executor, Recovery {
  std::vector<uint64_t> ended;
  uint64_t next = 1;
  std::string name() const override { return "batch"; }
  int default_jobs() const override { return 1; }
  std::optional<Misfit> never_fits(const LaunchSpec&) const override { return std::nullopt; }
  bool has_room(const LaunchSpec&) const override { return true; }
  uint64_t submit(const LaunchSpec&) override {
    ended.push_back(next);
    return next++;
  }
  void cancel(uint64_t) override {}
  std::vector<Outcome> collect() override {
    std::vector<Outcome> out;
    for (uint64_t h : ended) {
      Outcome o;
      o.handle = h;
      o.how = Outcome::How::Cancelled;
      out.push_back(o);
    }
    ended.clear();
    return out;
  }
  std::optional<Clock::time_point> next_deadline() const override { return std::nullopt; }
  Recovery* recovery() override { return this; }
  JobRef job_ref(uint64_t handle) const override { return {0, 0, "batch:" + std::to_string(handle)}; }
  std::vector<bool> settle(const std::vector<LeftBehind>& left) override { return std::vector<bool>(left.size()); }
  uint64_t adopt(const LeftBehind&, const LaunchSpec& spec) override { return submit(spec); }
};

}  // namespace

TEST_CASE("the stop command runs after a cancel and a timeout, not after a normal exit", "[executor][containers]") {
  flowc::test::Project p;
  {
    ContainerStops e(std::make_unique<LocalExecutor>(std::chrono::milliseconds(200)), stop_marks());
    uint64_t cancelled = e.submit(sh(p, "sleep 30", "cancelled"));
    LaunchSpec timed = sh(p, "sleep 30", "timed");
    timed.timeout_seconds = 0.2;
    e.submit(timed);
    e.submit(sh(p, "exit 4", "exited"));
    e.cancel(cancelled);
    auto outcomes = collect_until(e, 3);
    REQUIRE(outcomes.size() == 3);
    // Let the stop commands finish (the destructor would wait for them too).
    for (int i = 0; i < 500 && !(p.exists("cancelled.stopped") && p.exists("timed.stopped")); ++i) {
      e.collect();
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
  }
  CHECK(p.read("cancelled.stopped") == "cleaned\n");
  CHECK(p.read("timed.stopped") == "cleaned\n");
  CHECK_FALSE(p.exists("exited.stopped"));
}

TEST_CASE("the stop command runs after a task killed from outside", "[executor][containers]") {
  flowc::test::Project p;
  {
    ContainerStops e(std::make_unique<LocalExecutor>(), stop_marks());
    e.submit(sh(p, "kill -9 $$", "killed"));
    auto outcomes = collect_until(e, 1);
    REQUIRE(outcomes.size() == 1);
    CHECK(outcomes[0].how == Outcome::How::Signaled);
  }
  CHECK(p.read("killed.stopped") == "cleaned\n");
}

TEST_CASE("an executor destroyed with tasks running runs their stop commands and waits for them",
          "[executor][containers]") {
  flowc::test::Project p;
  {
    ContainerStops e(std::make_unique<LocalExecutor>(), stop_marks());
    e.submit(sh(p, "sleep 30", "a"));
    e.submit(sh(p, "sleep 30", "b"));
  }
  CHECK(p.read("a.stopped") == "cleaned\n");
  CHECK(p.read("b.stopped") == "cleaned\n");
}

TEST_CASE("a task without a container, or run elsewhere by a batch system, gets no stop command",
          "[executor][containers]") {
  flowc::test::Project p;
  {
    // Only "with" starts a container.
    ContainerStops e(std::make_unique<LocalExecutor>(), [](const LaunchSpec& spec) -> Strings {
      if (fs::path(spec.work_dir).filename() != "with") return {};
      return {"/bin/sh", "-c", "echo cleaned >> \"$0\"", spec.work_dir + ".stopped"};
    });
    uint64_t without = e.submit(sh(p, "sleep 30", "without"));
    e.cancel(without);
    REQUIRE(collect_until(e, 1).size() == 1);
    e.submit(sh(p, "sleep 30", "with"));
  }
  CHECK_FALSE(p.exists("without.stopped"));
  CHECK(p.read("with.stopped") == "cleaned\n");
  {
    auto batch = std::make_unique<Elsewhere>();
    ContainerStops e(std::move(batch), stop_marks());
    e.submit(sh(p, "true", "remote"));
    auto outcomes = e.collect();
    REQUIRE(outcomes.size() == 1);
    CHECK(outcomes[0].how == Outcome::How::Cancelled);
  }
  CHECK_FALSE(p.exists("remote.stopped"));
}
