// `group = N`: fan-out items sharing one container, for real with podman
// (the `podman` CTest fixture). Which container an item ran in is what it
// saw as its hostname (the container's id): the tests count them.
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <map>
#include <set>
#include <thread>

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "runtime/containers/container_engine.h"
#include "runtime/process/run_captured.h"
#include "tests/support/podman_containers.h"
#include "tests/support/project.h"
#include "tests/support/test_support.h"

namespace fs = std::filesystem;
using flowc::test::containers_started_for;
using flowc::test::Project;
using nlohmann::json;

namespace {

// Task path → the hostname it wrote (its work dir's `host`), for every task
// of the last run that got as far as writing one.
std::map<std::string, std::string> hosts_of(const Project& p) {
  std::map<std::string, std::string> hosts;
  for (const json& e : p.events()) {
    if (!e.contains("work_dir") || !e.contains("task")) continue;
    fs::path host = fs::path(e["work_dir"].get<std::string>()) / "host";
    if (fs::exists(host)) hosts[e["task"]] = flowc::test::read_file(host.string());
  }
  return hosts;
}

size_t distinct(const std::map<std::string, std::string>& hosts) {
  std::set<std::string> seen;
  for (const auto& [task, host] : hosts) seen.insert(host);
  return seen.size();
}

constexpr const char* kItems = R"(
op item(i: int, bad: int, slow: int) -> (out: int) {
    image "localhost/flow-busybox"
    timeout 20s
    run """
        hostname > host
        if [ ${i} -eq ${slow} ]; then sleep 60; fi
        if [ ${i} -eq ${bad} ]; then echo "item ${i} fails on purpose" >&2; exit 4; fi
        echo $((${i} * 10)) > ${out}
    """
}
workflow main(n: int = 5, bad: int = -1, slow: int = -1, size: int = 5) -> (outs: list[int]) {
    for i in range(n) { t = item(i = i, bad = bad, slow = slow) with { group = size } }
    return (outs = t.out)
}
)";

}  // namespace

TEST_CASE("a group of 5 items runs in one container, each item cached on its own", "[containers][group]") {
  Project p;
  p.write("g.flow", kItems);
  auto r = p.flowc({"run", "g.flow"});
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  CHECK(json::parse(p.read("flow-out/outputs.json"))["outs"] == json::array({0, 10, 20, 30, 40}));
  auto hosts = hosts_of(p);
  CHECK(hosts.size() == 5);
  CHECK(distinct(hosts) == 1);
  CHECK(p.count("started") == 5);
  CHECK(containers_started_for(p).empty());

  // Ungrouped, the same items each get their own (the count can tell).
  auto apart = p.flowc({"run", "g.flow", "-p", "size=1", "--fresh"});
  INFO(apart.err);
  REQUIRE(apart.exit_code == 0);
  CHECK(distinct(hosts_of(p)) == 5);

  // Two more items: the five are reused one by one, the two run.
  auto more = p.flowc({"run", "g.flow", "-p", "n=7", "-p", "size=5"});
  INFO(more.err);
  REQUIRE(more.exit_code == 0);
  CHECK(more.err.find("(2 ran, 5 cached)") != std::string::npos);
  CHECK(containers_started_for(p).empty());
}

TEST_CASE("a failing item of a group fails alone", "[containers][group]") {
  Project p;
  p.write("g.flow", kItems);
  auto r = p.flowc({"run", "g.flow", "-p", "bad=2", "--keep-going"});
  INFO(r.err);
  CHECK(r.exit_code == 1);
  CHECK(r.err.find("op `item` at main.t[2] (g.flow:") != std::string::npos);
  CHECK(r.err.find("exited with code 4") != std::string::npos);
  CHECK(r.err.find("item 2 fails on purpose") != std::string::npos);
  CHECK(r.err.find("(4 ran, 0 cached, 1 failed)") != std::string::npos);
  auto hosts = hosts_of(p);
  CHECK(hosts.size() == 5);
  CHECK(distinct(hosts) == 1);  // the failure did not cost the others their container
  CHECK(containers_started_for(p).empty());

  // A resumed run reruns only what did not finish.
  auto again = p.flowc({"run", "g.flow", "-p", "bad=2", "--keep-going"});
  CHECK(again.err.find("(0 ran, 4 cached, 1 failed)") != std::string::npos);
}

TEST_CASE("a timeout inside a group stops that item, and the rest go on in a new container", "[containers][group]") {
  Project p;
  p.write("g.flow", kItems);
  auto start = std::chrono::steady_clock::now();
  auto r = p.flowc({"run", "g.flow", "-p", "slow=1", "--keep-going"});
  double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  INFO(r.err);
  CHECK(r.exit_code == 1);
  CHECK(r.err.find("op `item` at main.t[1]") != std::string::npos);
  CHECK(r.err.find("ran longer than its timeout of 20s and was stopped") != std::string::npos);
  CHECK(r.err.find("(4 ran, 0 cached, 1 failed)") != std::string::npos);
  CHECK(seconds < 55);  // the sleep did not run on
  auto hosts = hosts_of(p);
  REQUIRE(hosts.size() == 5);
  CHECK(hosts["main.t[0]"] == hosts["main.t[1]"]);
  CHECK(hosts["main.t[2]"] != hosts["main.t[1]"]);  // its container went with it
  CHECK(hosts["main.t[2]"] == hosts["main.t[4]"]);
  CHECK(containers_started_for(p).empty());
}

TEST_CASE("Ctrl-C or kill -9 during a group leaves no container", "[containers][group]") {
  Project p;
  p.write("g.flow", kItems);
  std::string out = (p.dir / "out.txt").string(), err = (p.dir / "err.txt").string();
  int signal = GENERATE(SIGINT, SIGKILL);
  pid_t pid = flowc::test::start_flowc({"run", "g.flow", "-p", "slow=0"}, p.dir.string(), {}, out, err);
  bool running = false;
  for (int i = 0; i < 600 && !running; ++i) {
    running = !containers_started_for(p).empty() && p.count("started") >= 1;
    if (!running) std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  INFO(flowc::test::read_file(err));
  REQUIRE(running);
  ::kill(pid, signal);
  int code = flowc::test::wait_exit(pid);
  if (signal == SIGINT) CHECK(code == 130);
  // kill -9: flowc held the container's stdin; the kernel closed it, and
  // the container ended by itself (no later run needed).
  bool gone = false;
  for (int i = 0; i < 300 && !gone; ++i) {
    gone = containers_started_for(p).empty();
    if (!gone) std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  CHECK(gone);
}

TEST_CASE("a profile's containers.group groups fan-outs whose calls do not say", "[containers][group]") {
  Project p;
  p.write("u.flow", R"(
op item(i: int) -> (out: int) {
    image "localhost/flow-busybox"
    run "hostname > host; echo ${i} > ${out}"
}
workflow main(n: int = 4) -> (outs: list[int]) {
    for i in range(n) { t = item(i = i) }
    return (outs = t.out)
}
)");
  p.write("profile.json", R"({"containers": {"engine": "podman", "group": 4}})");
  auto r = p.flowc({"run", "u.flow", "--profile", "profile.json"});
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  CHECK(distinct(hosts_of(p)) == 1);
  CHECK(hosts_of(p).size() == 4);
}

TEST_CASE("a run whose container tasks are all reused starts no container", "[containers]") {
  Project p;
  p.write("g.flow", kItems);
  auto first = p.flowc({"run", "g.flow", "-p", "n=2"});
  INFO(first.err);
  REQUIRE(first.exit_code == 0);

  // A podman that writes down how it was called.
  auto real = flowc::runtime::capture_output({"/bin/sh", "-c", "command -v podman"}, {}, 30);
  REQUIRE(real.exit_code == 0);
  std::string podman = real.out.substr(0, real.out.find('\n'));
  fs::path shim = p.dir / "shim";
  fs::create_directories(shim);
  std::string log = (p.dir / "podman.log").string();
  p.write("shim/podman", "#!/bin/sh\necho \"$*\" >> '" + log + "'\nexec '" + podman + "' \"$@\"\n");
  fs::permissions(shim / "podman", fs::perms::owner_all);
  std::string path = "PATH=" + shim.string() + ":" + std::getenv("PATH");

  auto again = p.flowc({"run", "g.flow", "-p", "n=2"}, {path});
  INFO(again.err);
  REQUIRE(again.exit_code == 0);
  CHECK(again.err.find("(0 ran, 2 cached)") != std::string::npos);
  std::string calls = flowc::test::read_file(log);
  INFO(calls);
  CHECK(calls.find("image inspect") != std::string::npos);  // the shim was used
  CHECK(calls.find("run ") == std::string::npos);
  CHECK(calls.find("exec ") == std::string::npos);

  // One more item: now a container starts (the probe, then the group's).
  auto more = p.flowc({"run", "g.flow", "-p", "n=3"}, {path});
  REQUIRE(more.exit_code == 0);
  CHECK(flowc::test::read_file(log).find("run ") != std::string::npos);
}

TEST_CASE("an item of a group is retried in its turn, in the group's container", "[containers][group]") {
  Project p;
  // The items of a group share the container's own files (its /tmp): the
  // first attempt of item 2 leaves a mark there and fails, the retry sees it.
  p.write("r.flow", R"(
op item(i: int) -> (out: int) {
    image "localhost/flow-busybox"
    retry 1
    run """
        hostname > host
        if [ ${i} -eq 2 ] && [ ! -e /tmp/tried ]; then touch /tmp/tried; echo "first try" >&2; exit 3; fi
        echo ${i} > ${out}
    """
}
workflow main(n: int = 4) -> (outs: list[int]) {
    for i in range(n) { t = item(i = i) with { group = 4 } }
    return (outs = t.out)
}
)");
  auto r = p.flowc({"run", "r.flow"});
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  CHECK(json::parse(p.read("flow-out/outputs.json"))["outs"] == json::array({0, 1, 2, 3}));
  CHECK(p.count("retrying") == 1);
  CHECK(distinct(hosts_of(p)) == 1);
  CHECK(containers_started_for(p).empty());
}

TEST_CASE("identical items of a group run once, in strict mode, and the others take the result",
          "[containers][group][identical]") {
  Project p;
  p.write("i.flow", R"(
op item(s: str) -> (out: str) {
    image "localhost/flow-busybox"
    run "hostname > host; sleep 0.3; echo ${s} > ${out}"
}
op piped(s: str) -> (out: str) {
    image "localhost/flow-busybox"
    run "false | true; echo ${s} > ${out}"
}
workflow main(xs: list[str] = ["A", "A", "B", "A"]) -> (outs: list[str]) {
    for x in xs {
        t = item(s = x) with { group = 4 }
        f = piped(s = x) with { group = 4, optional = true }
    }
    return (outs = t.out)
}
)");
  auto r = p.flowc({"run", "i.flow"});
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  CHECK(json::parse(p.read("flow-out/outputs.json"))["outs"] == json::array({"A", "A", "B", "A"}));
  std::multiset<std::string> started;
  for (const json& e : p.events()) {
    if (e["event"] == "started") started.insert(e["task"].get<std::string>());
  }
  CHECK(started == std::multiset<std::string>{"main.t[0]", "main.t[2]", "main.f[0]", "main.f[2]"});
  CHECK(r.err.find("8 tasks (2 ran, 2 cached, 4 failed)") != std::string::npos);  // the group's loop is strict too
  CHECK(containers_started_for(p).empty());
}
