// The local executor's stop command (LaunchSpec::stop_argv): run after a
// task it stopped, never after one that ended by itself, and waited for
// when the executor goes away with tasks still running.
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <thread>

#include <catch2/catch.hpp>

#include "runtime/executors/local/local_executor.h"
#include "tests/support/project.h"

namespace fs = std::filesystem;
using namespace flowc::runtime;

namespace {

LaunchSpec sh(const flowc::test::Project& p, const std::string& script, const std::string& marker) {
  LaunchSpec spec;
  spec.work_dir = p.dir.string();
  spec.argv = {"/bin/sh", "-c", script};
  spec.env = {"PATH=/usr/bin:/bin"};
  spec.stdout_path = (p.dir / "out").string();
  spec.stderr_path = (p.dir / "err").string();
  spec.stop_argv = {"/bin/sh", "-c", "echo cleaned >> \"$0\"", (p.dir / marker).string()};
  return spec;
}

std::vector<Outcome> collect_until(LocalExecutor& e, size_t n) {
  std::vector<Outcome> all;
  for (int i = 0; i < 1000 && all.size() < n; ++i) {
    for (Outcome& o : e.collect()) all.push_back(o);
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return all;
}

}  // namespace

TEST_CASE("the stop command runs after a cancel and a timeout, not after a normal exit", "[executor]") {
  flowc::test::Project p;
  {
    LocalExecutor e(std::chrono::milliseconds(200));
    uint64_t cancelled = e.submit(sh(p, "sleep 30", "cancelled"));
    LaunchSpec timed = sh(p, "sleep 30", "timed");
    timed.timeout_seconds = 0.2;
    e.submit(timed);
    e.submit(sh(p, "exit 4", "exited"));
    e.cancel(cancelled);
    auto outcomes = collect_until(e, 3);
    REQUIRE(outcomes.size() == 3);
    // Let the stop commands finish (the destructor would wait for them too).
    for (int i = 0; i < 500 && !(fs::exists(p.dir / "cancelled") && fs::exists(p.dir / "timed")); ++i) {
      e.collect();
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
  }
  CHECK(p.read("cancelled") == "cleaned\n");
  CHECK(p.read("timed") == "cleaned\n");
  CHECK_FALSE(p.exists("exited"));
}

TEST_CASE("an executor destroyed with tasks running runs their stop commands and waits for them", "[executor]") {
  flowc::test::Project p;
  {
    LocalExecutor e;
    e.submit(sh(p, "sleep 30", "a"));
    e.submit(sh(p, "sleep 30", "b"));
  }
  CHECK(p.read("a") == "cleaned\n");
  CHECK(p.read("b") == "cleaned\n");
}
