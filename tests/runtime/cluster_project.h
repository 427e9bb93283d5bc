// The multi-node test cluster (scripts/cluster-setup.sh, started by the
// `cluster` CTest fixture in FLOWC_CLUSTER_DIR): projects on its shared file
// system, its nodes, and commands run on a node.
#pragma once

#include <stdlib.h>

#include <filesystem>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "runtime/process/run_captured.h"
#include "tests/runtime/hpc_project.h"
#include "tests/support/project.h"
#include "tests/support/test_support.h"

namespace flowc::test {

inline std::filesystem::path cluster_dir() { return FLOWC_CLUSTER_DIR; }

// A project the cluster's nodes see: in its state folder (each node has a
// /tmp of its own, so the usual projects in /tmp are out of their sight).
// Slurm's commands, here and in flowc, talk to the cluster.
struct ClusterProject : Project {
  explicit ClusterProject(const std::string& name) : Project("flowc-" + name, prepared() / "projects") {}
  static std::filesystem::path prepared() {
    ::setenv("SLURM_CONF", (cluster_dir() / "slurm.conf").c_str(), 1);
    std::filesystem::create_directories(cluster_dir() / "projects");
    return cluster_dir();
  }
};

// Runs `argv` on `node` (in its namespaces, as if logged in there).
inline runtime::Captured on_node(const std::string& node, const std::vector<std::string>& argv, double timeout = 60) {
  std::string holder = read_file((cluster_dir() / "nodes" / node / "holder.pid").string());
  while (!holder.empty() && holder.back() == '\n') holder.pop_back();
  std::vector<std::string> full = {"nsenter", "-t", holder, "--net", "--uts", "--mount", "--"};
  full.insert(full.end(), argv.begin(), argv.end());
  return runtime::capture_output(full, {}, timeout);
}

// scripts/cluster-node.sh: crash, restart, cut or mend a node.
inline runtime::Captured node_action(const std::string& node, const std::string& action) {
  return runtime::capture_output({source_path("scripts/cluster-node.sh"), cluster_dir().string(), node, action}, {},
                                 120);
}

// A node broken for the length of a test (`crash` or `down`), brought back
// whatever happens.
struct BrokenNode {
  std::string node;
  runtime::Captured broken;
  BrokenNode(std::string n, const std::string& how) : node(std::move(n)), broken(node_action(node, how)) {}
  ~BrokenNode() { node_action(node, "restart"); }
  BrokenNode(const BrokenNode&) = delete;
  BrokenNode& operator=(const BrokenNode&) = delete;
};

// The nodes of the cluster's addresses: "10.219.x.11" -> node1 (from its
// /etc/hosts, which the nodes share).
inline std::map<std::string, std::string> node_of_address() {
  std::map<std::string, std::string> out;
  std::istringstream in(read_file((cluster_dir() / "hosts").string()));
  for (std::string addr, name; in >> addr >> name;) {
    if (name.rfind("node", 0) == 0) out[addr] = name;
  }
  return out;
}

// The node a finished Slurm job with work dir `work_dir` ran on, from the
// cluster's job completion log (jobcomp/filetxt): "" if none is there.
inline std::string node_that_ran(const std::string& work_dir) {
  std::istringstream log(read_file((cluster_dir() / "log" / "jobcomp.txt").string()));
  std::string node;
  for (std::string line; std::getline(log, line);) {
    if (line.find(" WorkDir=" + work_dir + " ") == std::string::npos) continue;
    size_t at = line.find(" NodeList=");
    if (at != std::string::npos) node = line.substr(at + 10, line.find(' ', at + 10) - at - 10);
  }
  return node;
}

}  // namespace flowc::test
