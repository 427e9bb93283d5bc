// Streams across the nodes of the test cluster (the `cluster` CTest fixture):
// a gang's tasks are Slurm jobs the scheduler spreads over the nodes (the
// cluster places each job on its least loaded node), wired by tcp on each
// node's own address through the registry, embedded in the run or in a
// Redis server that listens on the cluster's bridge.
#include <signal.h>

#include <fstream>
#include <regex>
#include <set>

#include <catch2/catch.hpp>
#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "tests/runtime/cluster_project.h"
#include "tests/support/profiles.h"

using flowc::test::cluster_dir;
using flowc::test::ClusterProject;
using flowc::test::write_quick_poll_profile;
using nlohmann::json;
namespace fs = std::filesystem;

namespace {

// The run's last events of one kind.
std::vector<json> events_of(const flowc::test::Project& p, const std::string& kind) {
  std::vector<json> out;
  for (json& e : p.events()) {
    if (e["event"] == kind) out.push_back(std::move(e));
  }
  return out;
}

// The nodes the endpoints are on ("tcp://10.219.x.12:40000" -> node2); an
// endpoint elsewhere (127.0.0.1, ipc) counts as "elsewhere".
std::set<std::string> nodes_of(const std::vector<std::string>& endpoints) {
  auto nodes = flowc::test::node_of_address();
  std::set<std::string> out;
  std::regex tcp("tcp://([0-9.]+):[0-9]+");
  for (const std::string& e : endpoints) {
    std::smatch m;
    if (!std::regex_match(e, m, tcp) || !nodes.count(m[1].str())) {
      out.insert("elsewhere: " + e);
      continue;
    }
    out.insert(nodes[m[1].str()]);
  }
  return out;
}

// A stream whose END is not acknowledged fails after this many seconds
// instead of the default ten minutes (the ack must cross nodes too).
const std::string kAckTimeout = "FLOWC_STREAM_ACK_TIMEOUT=30";

// This machine's address on the cluster's bridge (scripts/cluster-setup.sh).
std::string host_address() {
  std::ifstream in(cluster_dir() / "net.env");
  for (std::string line; std::getline(in, line);) {
    if (line.rfind("host_addr=", 0) == 0) return line.substr(10);
  }
  return "";
}

// A redis-server on the cluster's bridge (tests/streams/redis.sh: with a
// password, as it is reachable from other nodes), stopped with the test.
struct BridgeRedis {
  fs::path dir;
  std::string url, password;
  explicit BridgeRedis(const flowc::test::Project& p) : dir(p.dir / "redis") {
    auto r = flowc::runtime::capture_output(
        {flowc::test::source_path("tests/streams/redis.sh"), "start", dir.string(), host_address()}, {}, 60);
    INFO(r.why() << r.err);
    REQUIRE(r.ok());
    std::string port = flowc::test::read_file((dir / "port").string());
    while (!port.empty() && port.back() == '\n') port.pop_back();
    url = "redis://" + host_address() + ":" + port;
    password = flowc::test::read_file((dir / "password").string());
  }
  // redis-cli ARGS..., with the password.
  std::string cli(const std::vector<std::string>& args) const {
    std::vector<std::string> argv = {"env", "REDISCLI_AUTH=" + password, "redis-cli", "-u", url, "--raw"};
    argv.insert(argv.end(), args.begin(), args.end());
    std::string out = flowc::runtime::capture_output(argv, {}, 30).out;
    while (!out.empty() && out.back() == '\n') out.pop_back();
    return out;
  }
  ~BridgeRedis() {
    flowc::runtime::capture_output({flowc::test::source_path("tests/streams/redis.sh"), "stop", dir.string()}, {}, 60);
  }
};

}  // namespace

TEST_CASE("examples/detector.flow under --executor slurm: its gang spread over three nodes, wired by tcp",
          "[cluster][streams]") {
  ClusterProject p("cluster-detector");
  write_quick_poll_profile(p);
  auto r = p.flowc({"run", flowc::test::source_path("examples/detector.flow"), "--profile", "prof.json", "-p",
                    "frames=3000", "-p", "replicas=2"},
                   {kAckTimeout});
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  CHECK(p.output_file("summary").rfind("frames 3000\n", 0) == 0);
  // The consumers registered endpoints on their nodes' own addresses, and
  // on more than one node (the producer's END was acknowledged across).
  std::string run_id = events_of(p, "run_started")[0]["run_id"];
  std::vector<std::string> endpoints;
  for (const auto& e : fs::directory_iterator(p.dir / ".flow" / "runs" / run_id / "registry")) {
    endpoints.push_back(flowc::test::read_file(e.path().string()));
  }
  CHECK(endpoints.size() == 3);  // the two replicas' inputs and the aggregator's
  auto nodes = nodes_of(endpoints);
  INFO(fmt::format("{}", fmt::join(nodes, ", ")));
  CHECK(nodes.size() >= 2);
  for (const std::string& n : nodes) CHECK(n.rfind("node", 0) == 0);
  // The gang's four jobs (detector, two replicas, aggregator) ran on all
  // three nodes, as Slurm's own log of finished jobs says (written once
  // slurmctld hears of each job's end, which may be after flowc saw it).
  std::set<std::string> ran_on;
  std::vector<std::string> placed;
  flowc::test::eventually(
      [&] {
        ran_on.clear();
        placed.clear();
        for (const json& e : events_of(p, "finished")) {
          std::string node = flowc::test::node_that_ran(e["work_dir"].get<std::string>());
          placed.push_back(e["task"].get<std::string>() + " on " + (node.empty() ? "?" : node));
          ran_on.insert(node);
        }
        return !ran_on.count("");
      },
      30);
  INFO(fmt::format("{}", fmt::join(placed, ", ")));
  CHECK(placed.size() == 4);
  CHECK(ran_on == std::set<std::string>{"node1", "node2", "node3"});
  // Counts: every frame produced was received once.
  uint64_t received = 0;
  for (const json& e : events_of(p, "stream")) {
    if (e["task"].get<std::string>().rfind("main.r#", 0) == 0 && e["direction"] == "in")
      received += e["messages"].get<uint64_t>();
  }
  CHECK(received == 3000);
}

TEST_CASE("native streams across nodes through a Redis registry on the cluster's bridge", "[cluster][streams]") {
  ClusterProject p("cluster-native");
  BridgeRedis redis(p);
  p.write("s.flow", R"(
op emit(tool: str, n: int, size: int) -> (out: stream[bytes]) { streams "native" run "${tool} emit ${n} ${size}" }
op relay(tool: str, frames: stream[bytes]) -> (out: stream[bytes]) { streams "native" run "${tool} relay" }
op sink(tool: str, frames: stream[bytes]) -> (summary: file) { streams "native" run "${tool} sink ${summary}" }
workflow main(tool: str, n: int = 4000, size: int = 1000) -> (summary: file) {
    e = emit(tool = tool, n = n, size = size)
    r = relay(tool = tool, frames = e.out) with { replicas = 2 }
    s = sink(tool = tool, frames = r.out)
    return (summary = s.summary)
})");
  write_quick_poll_profile(p);
  std::vector<std::string> args = {"run",        "s.flow",  "--profile", "prof.json",
                                   "--registry", redis.url, "-p",        std::string("tool=") + FLOWC_STREAM_TOOL};
  // Without its password, the registry is refused before anything runs.
  auto refused = p.flowc(args);
  CHECK(refused.exit_code == 2);
  CHECK_THAT(refused.err, Catch::Contains("NOAUTH") && Catch::Contains("set FLOWC_REGISTRY_PASSWORD"));
  auto r = p.flowc(args, {kAckTimeout, "FLOWC_REGISTRY_PASSWORD=" + redis.password});
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  json summary = json::parse(p.output_file("summary"));
  CHECK(summary["messages"] == 4000);
  // The endpoints in Redis are on the nodes.
  std::string run_id = events_of(p, "run_started")[0]["run_id"];
  std::vector<std::string> endpoints;
  std::istringstream lines(redis.cli({"KEYS", "flowc:" + run_id + ":*"}));
  for (std::string key; std::getline(lines, key);) {
    if (!key.empty()) endpoints.push_back(redis.cli({"GET", key}));
  }
  CHECK(endpoints.size() == 3);
  auto nodes = nodes_of(endpoints);
  INFO(fmt::format("{}", fmt::join(nodes, ", ")));
  CHECK(nodes.size() >= 2);
  for (const std::string& n : nodes) CHECK(n.rfind("node", 0) == 0);
}
