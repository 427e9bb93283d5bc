// The pilot on the multi-node cluster (the `cluster` fixture: three 2-core
// nodes): an agent on every node of one allocation, tasks placed by their
// requests, and a node crashing under its tasks.
#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <tuple>

#include <catch2/catch.hpp>
#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "tests/runtime/cluster_project.h"
#include "tests/runtime/hpc_project.h"
#include "tests/support/profiles.h"

using flowc::test::ClusterProject;
using flowc::test::eventually;
using nlohmann::json;
namespace fs = std::filesystem;

namespace {

// The nodes the run's outputs name (each task writes its hostname).
std::map<std::string, int> nodes_of_outputs(const flowc::test::Project& p) {
  std::map<std::string, int> count;
  std::error_code ec;
  for (const auto& e : fs::directory_iterator(p.dir / "flow-out" / "hosts", ec)) {
    std::string text = flowc::test::read_file((e.path() / "host").string());
    while (!text.empty() && text.back() == '\n') text.pop_back();
    ++count[text];
  }
  return count;
}

// Tasks the agent on `node` has claimed now.
size_t claimed_on(const flowc::test::Project& p, const std::string& node) {
  std::error_code ec;
  size_t n = 0;
  for (const auto& e : fs::directory_iterator(p.dir / ".flow" / "pilot" / "running" / node, ec)) {
    n += e.path().extension() == ".task";
  }
  return n;
}

}  // namespace

TEST_CASE("a pilot on three nodes runs an agent on each, and tasks asking for a whole node spread over all",
          "[cluster][pilot]") {
  ClusterProject p("cluster-pilot");
  p.write("w.flow", R"(
op where(i: int) -> (host: file) {
    resources { cpus = 2 }
    run "hostname > ${host}; sleep 1"
}
workflow main() -> (hosts: list[file]) {
    for i in range(6) { w = where(i = i) }
    return (hosts = w.host)
}
)");
  p.write("prof.json", R"({"executors": {"slurm-pilot": {"poll_interval": 0.5}}})");
  auto r = p.flowc(
      {"run", "w.flow", "--executor", "slurm-pilot", "--nodes", "3", "--time", "10m", "--profile", "prof.json"});
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  std::string log = p.read(".flow/pilot/agent.log");
  for (const char* node : {"node1", "node2", "node3"}) {
    CHECK(log.find(fmt::format("flowc agent: on {}", node)) != std::string::npos);
  }
  // Each task holds a whole node (2 cpus): six tasks, three nodes, each node
  // ran some; none ran three while another ran none.
  auto count = nodes_of_outputs(p);
  INFO(json(count).dump());
  CHECK(count.size() == 3);
  int total = 0;
  for (const auto& [node, n] : count) total += n;
  CHECK(total == 6);
}

TEST_CASE("a node crashing under a multi-node pilot fails only its tasks, named with the node, rerun on the others",
          "[cluster][pilot]") {
  ClusterProject p("cluster-pilot-crash");
  p.write("w.flow", R"(
op where(i: int) -> (host: file) {
    resources { cpus = 2 }
    retry 1
    run "sleep 4; hostname > ${host}"
}
workflow main() -> (hosts: list[file]) {
    for i in range(6) { w = where(i = i) }
    return (hosts = w.host)
}
)");
  p.write("prof.json", R"({"executors": {"slurm-pilot": {"poll_interval": 0.5, "node_lost_after": 4}}})");
  std::string err;
  {
    flowc::test::BackgroundFlowc run(
        p, {"run", "w.flow", "--executor", "slurm-pilot", "--nodes", "3", "--time", "10m", "--profile", "prof.json"});
    REQUIRE(eventually([&] { return claimed_on(p, "node3") > 0; }, 120));
    flowc::test::BrokenNode crashed("node3", "crash");
    INFO(crashed.broken.out << crashed.broken.err);
    REQUIRE(crashed.broken.ok());
    CHECK(run.wait() == 0);
    err = p.read("err.txt");
  }
  INFO(err);
  // The task was retried, the node named as the reason.
  bool retried_for_node3 = false;
  for (const json& e : p.events()) {
    if (e["event"] == "retrying" && e["error"].get<std::string>().find("node node3") != std::string::npos) {
      retried_for_node3 = true;
      CHECK(e["error"].get<std::string>().find("the node it ran on failed") != std::string::npos);
    }
  }
  CHECK(retried_for_node3);
  // Every task succeeded; none on the crashed node after it went (its one
  // interrupted task wrote nothing: the hostname comes after the sleep).
  auto count = nodes_of_outputs(p);
  INFO(json(count).dump());
  int total = 0;
  for (const auto& [node, n] : count) total += n;
  CHECK(total == 6);
  CHECK(count.count("node3") == 0);
  // The agent on the lost node was told it was given up.
  CHECK(fs::exists(p.dir / ".flow" / "pilot" / "lost.node3"));
}

// DP's warm-up on every node: an agent whose node is full copies the inputs
// of the next waiting tasks into its node's scratch (its own /tmp), and
// those tasks wait for that node rather than go to another one. Each task
// says where it ran and whether the copy it read was made by a pre-fetch on
// that same node: the `.fetched` stamp of the scratch folder it read from
// (in the node's private /tmp, out of sight of the other nodes) must be the
// one the pre-fetch left in its work dir.
TEST_CASE("a multi-node pilot pre-fetches on every node, and a task pre-fetched to a node runs there from its scratch",
          "[cluster][pilot][staging]") {
  ClusterProject p("cluster-pilot-prefetch");
  p.write("in.txt", "warm data\n");
  p.write("w.flow", R"(
op warm(i: int, data: file) -> (host: file, seen: file, stamp: file, started: file) {
    resources { cpus = 2 }
    run """
        date +%s.%N > ${started}
        hostname > ${host}
        readlink -f ${data} > ${seen}
        stage=$(readlink -f ${data} | cut -d/ -f1-3)
        if [ -e "$stage/.fetched" ]; then cat "$stage/.fetched" > ${stamp}; else echo none > ${stamp}; fi
        sleep 1
    """
}
workflow main(data: file = "in.txt") -> (hosts: list[file]) {
    for i in range(18) { w = warm(i = i, data = data) }
    return (hosts = w.host)
}
)");
  flowc::test::write_quick_poll_profile(p, "slurm-pilot", {{"scratch", "/tmp"}});
  auto r = p.flowc({"run", "w.flow", "--profile", "prof.json", "--nodes", "3", "--time", "10m"});
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  std::map<std::string, int> prefetched_on;  // node → tasks pre-fetched there and run there
  size_t tasks = 0;
  for (const auto& e : fs::recursive_directory_iterator(p.dir / ".flow" / "work")) {
    if (e.path().filename() != ".command.sh") continue;
    fs::path work = e.path().parent_path();
    ++tasks;
    // No copy is left in any node's scratch.
    for (const char* node : {"node1", "node2", "node3"}) {
      CHECK_FALSE(
          fs::exists(flowc::test::cluster_dir() / "nodes" / node / "tmp" / ("flowc-" + work.filename().string())));
    }
    auto text = [&](const char* name) {
      std::string t = flowc::test::read_file((work / name).string());
      while (!t.empty() && t.back() == '\n') t.pop_back();
      return t;
    };
    std::string node = text("host");
    INFO(work.string() << " ran on " << node);
    // Every task read its input from scratch on its node.
    CHECK(text("seen").rfind("/tmp/flowc-", 0) == 0);
    if (!fs::exists(work / ".flowc-fetched")) {
      CHECK(text("stamp") == "none");
      continue;
    }
    // The stamp: when the pre-fetch ended, and on which node.
    std::string fetched = text(".flowc-fetched");
    std::string fetched_on = fetched.substr(fetched.find('\n') + 1);
    if (text("stamp") == "none") {
      // Another agent claimed it in the moment between reading the warm
      // marks and the fetching agent's mark (a race the agents lose only at
      // a cost: one copy made for nothing, removed); it copied its own
      // inputs. Never on the node that fetched it.
      CHECK(fetched_on != node);
      continue;
    }
    // Pre-fetched: it ran on the node that fetched it, reading that copy,
    // and the copy was there before it started.
    CHECK(text("stamp") == fetched);
    CHECK(fetched_on == node);
    CHECK(std::stod(fetched) < std::stod(text("started")));
    ++prefetched_on[node];
  }
  CHECK(tasks == 18);
  INFO(json(prefetched_on).dump());
  // Every node's agent pre-fetched (each one's node was full at times).
  CHECK(prefetched_on.size() == 3);
  // No mark is left in the channel.
  CHECK(fs::is_empty(p.dir / ".flow" / "pilot" / "warm"));
}

namespace {

struct Interval {
  double from = 0, to = 0;
  bool overlaps(const Interval& o) const { return from < o.to && o.from < to; }
};

std::vector<std::string> split(const std::string& text, char sep) {
  std::vector<std::string> out;
  std::stringstream in(text);
  for (std::string item; std::getline(in, item, sep);) out.push_back(item);
  return out;
}

}  // namespace

// An MPI op with more ranks than one node has cores runs inside the pilot as
// one srun step spanning as many nodes as its ranks need (Radical-Cylon's
// communicators across nodes): each rank reports its node, the allreduce
// crosses them, and while the step runs no other task is placed on its
// nodes (their agents hold them for it).
TEST_CASE("an MPI op with more ranks than a node has runs in the pilot as one step spanning nodes, its nodes held",
          "[cluster][pilot][mpi]") {
  ClusterProject p("cluster-pilot-mpi");
  p.write("m.flow", R"(
op probe(prog: str, ranks: int) -> (report: file, span: file) {
    mpi { ranks = ranks }
    run """
        if [ "$SLURM_PROCID" = 0 ]; then date +%s.%N > ${span}; fi
        ${prog} ${report} --nodes
        if [ "$SLURM_PROCID" = 0 ]; then date +%s.%N >> ${span}; fi
    """
}
op where(i: int) -> (host: file, span: file) {
    resources { cpus = 2 }
    run "date +%s.%N > ${span}; hostname > ${host}; sleep 1; date +%s.%N >> ${span}"
}
workflow main(prog: str) -> (six: file, four: file, hosts: list[file]) {
    a = probe(prog = prog, ranks = 6)
    for i in range(6) { w = where(i = i) }
    b = probe(prog = prog, ranks = 4)
    return (six = a.report, four = b.report, hosts = w.host)
}
)");
  p.write("prof.json", R"({"executors": {"slurm-pilot": {"poll_interval": 0.5}}})");
  auto r = p.flowc({"run", "m.flow", "--executor", "slurm-pilot", "--nodes", "3", "--time", "10m", "--profile",
                    "prof.json", "-p", std::string("prog=") + MPI_PROBE});
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  auto lines = [](const std::string& text) { return split(text, '\n'); };
  auto interval = [&](const fs::path& file) {
    auto l = lines(flowc::test::read_file(file.string()));
    REQUIRE(l.size() == 2);
    return Interval{std::stod(l[0]), std::stod(l[1])};
  };
  // The allreduce over MPI_COMM_WORLD across nodes; six ranks on three
  // 2-core nodes take all three, two each; four take two of them.
  std::map<std::string, std::pair<Interval, std::set<std::string>>> steps;
  auto work_dir_of = [&](const std::string& task) {
    for (const json& e : p.events()) {
      if (e["event"] == "finished" && e["task"] == task) return fs::path(e["work_dir"].get<std::string>());
    }
    return fs::path();
  };
  for (auto [name, task, ranks, nodes] : {std::tuple{"six", "main.a", 6, 3}, std::tuple{"four", "main.b", 4, 2}}) {
    auto report = lines(p.output_file(name));
    INFO(p.output_file(name));
    REQUIRE(report.size() == 2);
    CHECK(report[0] == fmt::format("size={} sum={} rounds=1", ranks, ranks * (ranks - 1) / 2));
    REQUIRE(report[1].rfind("nodes=", 0) == 0);
    std::map<std::string, int> per_node;
    for (const std::string& node : split(report[1].substr(6), ',')) ++per_node[node];
    CHECK(per_node.size() == static_cast<size_t>(nodes));
    std::set<std::string> used;
    for (const auto& [node, n] : per_node) {
      CHECK(n == 2);
      used.insert(node);
    }
    steps[name] = {interval(work_dir_of(task) / "span"), used};
  }
  // No task ran on a node while a step held it.
  size_t plain = 0;
  for (const auto& e : fs::recursive_directory_iterator(p.dir / ".flow" / "work")) {
    if (e.path().filename() != "host") continue;
    ++plain;
    std::string node = lines(flowc::test::read_file(e.path().string())).at(0);
    Interval ran = interval(e.path().parent_path() / "span");
    for (const auto& [name, step] : steps) {
      INFO(e.path().parent_path().string() << " on " << node << " beside the step " << name);
      if (step.second.count(node)) CHECK_FALSE(ran.overlaps(step.first));
    }
  }
  CHECK(plain == 6);
}
