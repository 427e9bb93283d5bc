// flowc on a real multi-node Slurm: the `cluster` CTest fixture starts one on
// this machine (scripts/cluster-setup.sh: three 2-core nodes, each a set of
// namespaces with its own hostname, address and /tmp). MPI ranks across
// nodes, node-local staging in each node's own /tmp, and a node that
// crashes under a running task.
#include <signal.h>

#include <fstream>
#include <map>
#include <regex>
#include <set>

#include <catch2/catch.hpp>
#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "tests/runtime/cluster_project.h"
#include "tests/runtime/hpc_project.h"
#include "tests/support/profiles.h"

using flowc::test::cluster_dir;
using flowc::test::ClusterProject;
using flowc::test::eventually;
using flowc::test::write_quick_poll_profile;
using nlohmann::json;
namespace fs = std::filesystem;

namespace {

std::vector<std::string> split(const std::string& text, char sep) {
  std::vector<std::string> out;
  std::stringstream in(text);
  for (std::string item; std::getline(in, item, sep);) out.push_back(item);
  return out;
}

std::string trimmed(std::string s) {
  while (!s.empty() && (s.back() == '\n' || s.back() == ' ')) s.pop_back();
  return s;
}

// The work dir of the project's (first) task that holds a file `name`.
fs::path work_dir_holding(const flowc::test::Project& p, const std::string& name) {
  if (!fs::exists(p.dir / ".flow" / "work")) return {};
  for (const auto& e : fs::recursive_directory_iterator(p.dir / ".flow" / "work")) {
    if (e.path().filename() == name) return e.path().parent_path();
  }
  return {};
}

// The work dir of the task `path`, from its `finished` event.
fs::path work_dir_of(const flowc::test::Project& p, const std::string& path) {
  for (const json& e : p.events()) {
    if (e["event"] == "finished" && e["task"] == path) return e["work_dir"].get<std::string>();
  }
  return {};
}

}  // namespace

TEST_CASE("the cluster's nodes have their own hostname, address and /tmp, and share the rest", "[cluster]") {
  ClusterProject p("cluster-nodes");
  std::string marker = fmt::format("flowc-cluster-marker-{}", ::getpid());
  auto r = flowc::runtime::capture_output(
      {"srun", "-N3", "-n3", "--chdir", p.dir.string(), "sh", "-c",
       "h=$(hostname); echo $h > /tmp/" + marker + "; echo $h $(ip -4 -o addr show eth0 | awk '{print $4}') > seen-$h"},
      {}, 60);
  INFO(r.why() << r.err);
  REQUIRE(r.ok());
  auto addresses = flowc::test::node_of_address();
  std::set<std::string> seen_addresses;
  for (const char* node : {"node1", "node2", "node3"}) {
    // Each wrote into the shared project...
    REQUIRE(p.exists(std::string("seen-") + node));
    auto words = split(trimmed(p.read(std::string("seen-") + node)), ' ');
    REQUIRE(words.size() == 2);
    CHECK(words[0] == node);
    std::string address = words[1].substr(0, words[1].find('/'));
    CHECK(addresses[address] == node);
    seen_addresses.insert(address);
    // ...and into a /tmp of its own: the node's folder, not this machine's /tmp.
    fs::path own = cluster_dir() / "nodes" / node / "tmp" / marker;
    CHECK(flowc::test::read_file(own.string()) == std::string(node) + "\n");
    fs::remove(own);
  }
  CHECK(seen_addresses.size() == 3);
  CHECK_FALSE(fs::exists(fs::path("/tmp") / marker));
}

TEST_CASE("MPI ranks spread over two nodes, and more ranks than their CPUs run overcommitted over both",
          "[cluster][mpi]") {
  ClusterProject p("cluster-mpi");
  p.write("m.flow", R"(
op probe(prog: str, ranks: int) -> (report: file) {
    mpi { ranks = ranks }
    run "${prog} ${report} --nodes"
}
workflow main(prog: str) -> (six: file, four: file) {
    a = probe(prog = prog, ranks = 6)
    b = probe(prog = prog, ranks = 4)
    return (six = a.report, four = b.report)
}
)");
  // `pair`: node1 and node2, two cores each.
  write_quick_poll_profile(p, "slurm", {{"partition", "pair"}});
  auto r = p.flowc({"run", "m.flow", "--profile", "prof.json", "-p", std::string("prog=") + MPI_PROBE});
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  // The allreduce of every rank's number over MPI_COMM_WORLD, across nodes,
  // and where each rank ran (block distribution: the first half on node1).
  CHECK(p.output_file("six") == "size=6 sum=15 rounds=1\nnodes=node1,node1,node1,node2,node2,node2\n");
  CHECK(p.output_file("four") == "size=4 sum=6 rounds=1\nnodes=node1,node1,node2,node2\n");
  // Every rank said where it ran, in the task's stdout.
  fs::path six = work_dir_of(p, "main.a"), four = work_dir_of(p, "main.b");
  std::string out = flowc::test::read_file((six / ".stdout").string());
  for (int rank = 0; rank < 6; ++rank) {
    CHECK(out.find(fmt::format("rank {} of 6 on node{}", rank, rank < 3 ? 1 : 2)) != std::string::npos);
  }
  // Only the six ranks needed --overcommit (four fit the two nodes' cores).
  CHECK(flowc::test::read_file((six / ".flowc-job.sh").string()).find("'--overcommit'") != std::string::npos);
  CHECK(flowc::test::read_file((four / ".flowc-job.sh").string()).find("'--overcommit'") == std::string::npos);
}

TEST_CASE("a rank that fails ends its MPI task at once, its other ranks stopped", "[cluster][mpi]") {
  ClusterProject p("cluster-mpi-fail");
  p.write("f.flow", R"(
op ranks() -> (out: file) {
    mpi { ranks = 2 }
    run """
        if [ "$SLURM_PROCID" = 1 ]; then echo rank 1 fails >&2; exit 3; fi
        sleep 30
        touch $FLOWC_WORK_DIR/finished
        echo done > ${out}
    """
}
workflow main() -> (out: file) {
    r = ranks()
    return (out = r.out)
}
)");
  write_quick_poll_profile(p, "slurm", {{"partition", "pair"}});
  auto r = p.flowc({"run", "f.flow", "--profile", "prof.json"});
  INFO(r.err);
  CHECK(r.exit_code == 1);
  CHECK(r.err.find("rank 1 fails") != std::string::npos);
  // Rank 0 was stopped when rank 1 failed (srun --kill-on-bad-exit), as
  // mpirun does; it did not wait its 30 s out.
  std::smatch m;
  REQUIRE(std::regex_search(r.err, m, std::regex("work dir: (\\S+)")));
  CHECK_FALSE(fs::exists(fs::path(m[1].str()) / "finished"));
}

TEST_CASE("staged on a node: a task reads and writes in the node's own /tmp, its outputs arrive whole",
          "[cluster][staging]") {
  ClusterProject p("cluster-stage");
  p.write("in.txt", "staged input\n");
  std::string marker = fmt::format("flowc-stage-marker-{}", ::getpid());
  p.write("s.flow", R"(
op shout(data: file, marker: str) -> (out: file, seen: file, host: file) {
    run "hostname > ${host}; readlink -f ${data} > ${seen}; tr a-z A-Z < ${data} > ${out}; touch /tmp/${marker}"
}
workflow main(data: file = "in.txt", marker: str) -> (out: file, seen: file, host: file) {
    s = shout(data = data, marker = marker)
    return (out = s.out, seen = s.seen, host = s.host)
}
)");
  write_quick_poll_profile(p, "slurm", {{"scratch", "/tmp"}});
  auto r = p.flowc({"run", "s.flow", "--profile", "prof.json", "-p", "marker=" + marker});
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  std::string node = trimmed(p.output_file("host"));
  REQUIRE(node.rfind("node", 0) == 0);
  fs::path node_tmp = cluster_dir() / "nodes" / node / "tmp";
  // It read a copy in the node's /tmp (scratch), wrote there, and the
  // output came back whole, as a file of the shared work dir.
  std::string seen = p.output_file("seen");
  REQUIRE(seen.rfind("/tmp/flowc-", 0) == 0);
  CHECK(p.output_file("out") == "STAGED INPUT\n");
  CHECK(fs::is_regular_file(fs::symlink_status(work_dir_of(p, "main.s") / "out")));
  // That /tmp is the node's own: the marker is in its folder, not in this
  // machine's /tmp; the task's scratch folder is gone.
  CHECK(fs::exists(node_tmp / marker));
  CHECK_FALSE(fs::exists(fs::path("/tmp") / marker));
  fs::remove(node_tmp / marker);
  std::string stage = seen.substr(5, seen.find('/', 5) - 5);  // flowc-XXXXXXXX
  CHECK(fs::exists(node_tmp));
  CHECK_FALSE(fs::exists(node_tmp / stage));
}

TEST_CASE(
    "a node crashing under a staged task leaves no half output in the shared work dir, a rerun finishes elsewhere",
    "[cluster][staging]") {
  ClusterProject p("cluster-crash");
  p.write("in.txt", "input\n");
  p.write("hold", "");
  p.write("c.flow", fmt::format(R"(
op long(data: file) -> (out: file) {{
    run """
        hostname > $FLOWC_WORK_DIR/node
        cat ${{data}} > ${{out}}
        head -c 1000000 /dev/zero >> ${{out}}
        if [ -e {0}/hold ]; then touch $FLOWC_WORK_DIR/started; sleep 120; fi
        echo whole >> ${{out}}
    """
}}
workflow main(data: file = "in.txt") -> (out: file) {{
    l = long(data = data)
    return (out = l.out)
}}
)",
                                p.dir.string()));
  write_quick_poll_profile(p, "slurm", {{"scratch", "/tmp"}});
  std::string crashed;
  fs::path work;
  {
    flowc::test::BackgroundFlowc run(p, {"run", "c.flow", "--profile", "prof.json"});
    REQUIRE(eventually([&] { return !(work = work_dir_holding(p, "started")).empty(); }, 120));
    crashed = trimmed(flowc::test::read_file((work / "node").string()));
    // Half of its output is written, in the node's scratch.
    CHECK(fs::is_symlink(fs::symlink_status(work / "out")));
    int code = 0;
    {
      flowc::test::BrokenNode node(crashed, "crash");
      INFO(node.broken.why() << node.broken.err);
      REQUIRE(node.broken.ok());
      code = run.wait();
      std::string err = p.read("err.txt");
      INFO(err);
      CHECK(code == 1);
      CHECK(std::regex_search(err, std::regex("op `long` at main.l \\(c.flow:[0-9]+:[0-9]+\\) .*its node " + crashed +
                                              " failed \\(NODE_FAIL\\)")));
      // Nothing of the output is left in the shared work dir: no file, no
      // link into the lost node's scratch, no copy half moved back; the
      // input's link names the input again.
      CHECK_FALSE(fs::exists(fs::symlink_status(work / "out")));
      CHECK_FALSE(fs::exists(fs::symlink_status(work / "out.flowc-moving")));
      CHECK(fs::read_symlink(work / "inputs" / "data" / "in.txt") == fs::path(p.path("in.txt")));

      // A rerun, the node still down, runs it on another node.
      fs::remove(p.dir / "hold");
      auto again = p.flowc({"run", "c.flow", "--profile", "prof.json"});
      INFO(again.err);
      REQUIRE(again.exit_code == 0);
      std::string out = p.output_file("out");
      CHECK(out.size() == 6 + 1000000 + 6);
      CHECK(out.substr(out.size() - 6) == "whole\n");
      CHECK(trimmed(flowc::test::read_file((work_dir_of(p, "main.l") / "node").string())) != crashed);
    }
  }
}

TEST_CASE("a Charliecloud op runs as a Slurm job on a node of the cluster, without network",
          "[cluster][charliecloud]") {
  ClusterProject p("cluster-charliecloud");
  p.write("in.txt", "from the shared file system\n");
  p.write("c.flow", R"(
op where(data: file) -> (out: file) {
    image "localhost/flow-busybox"
    run """
        hostname > ${out}
        tail -n +3 /proc/net/dev | wc -l | tr -d ' ' >> ${out}
        cat ${data} >> ${out}
        if echo x >> ${data} 2>/dev/null; then echo "input writable" >> ${out}; fi
    """
}
workflow main(data: file = "in.txt") -> (out: file) {
    w = where(data = data)
    return (out = w.out)
}
)");
  write_quick_poll_profile(p);
  auto r = p.flowc({"run", "c.flow", "--profile", "prof.json", "--container-engine", "charliecloud"});
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  auto lines = split(p.output_file("out"), '\n');
  REQUIRE(lines.size() == 3);
  CHECK(lines[0].rfind("node", 0) == 0);
  CHECK(lines[1] == "1");  // loopback only
  CHECK(lines[2] == "from the shared file system");
  CHECK(json::parse(p.read("flow-out/outputs.json"))["out"].get<std::string>().find(p.dir.string()) == 0);
}

TEST_CASE("a node set down under a running job is reported as the node's failure, though the job wrote an exit status",
          "[cluster]") {
  ClusterProject p("cluster-down");
  p.write("hold", "");
  p.write("d.flow", fmt::format(R"(
op wait() -> (out: file) {{
    run "hostname > $FLOWC_WORK_DIR/node; if [ -e {0}/hold ]; then touch $FLOWC_WORK_DIR/started; sleep 120; fi; echo ok > ${{out}}"
}}
workflow main() -> (out: file) {{
    w = wait()
    return (out = w.out)
}}
)",
                                p.dir.string()));
  // Slurm signals the job of a node set down; its script lives on and writes
  // the command's end (143) at once, long before the next squeue (5 s):
  // flowc must still say what happened, not "exited with code 143".
  write_quick_poll_profile(p, "slurm", {{"poll_interval", 5}});
  flowc::test::BackgroundFlowc run(p, {"run", "d.flow", "--profile", "prof.json"});
  fs::path work;
  REQUIRE(eventually([&] { return !(work = work_dir_holding(p, "started")).empty(); }, 120));
  std::string node = trimmed(flowc::test::read_file((work / "node").string()));
  flowc::test::BrokenNode down(node, "down");
  REQUIRE(down.broken.ok());
  int code = run.wait();
  std::string err = p.read("err.txt");
  INFO(err);
  CHECK(code == 1);
  CHECK(err.find("its node " + node + " failed (NODE_FAIL)") != std::string::npos);
  CHECK(err.find("exited with code 143") == std::string::npos);
  CHECK(flowc::test::read_file((work / ".flowc-exit").string()).rfind("143", 0) == 0);
}
