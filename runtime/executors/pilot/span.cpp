// A step spanning nodes: one at a time, its nodes drained first.
#include "runtime/executors/pilot/span.h"

#include <unistd.h>

#include <algorithm>
#include <fstream>
#include <sstream>

#include <fmt/format.h>

#include "runtime/executors/pilot/channel.h"

namespace flowc::runtime::pilot {
namespace fs = std::filesystem;

namespace {

// An agent silent this long is not counted on (it beats every second).
constexpr double kSilent = 5;

std::string first_line(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::string line;
  std::getline(in, line);
  return line;
}

// The coordinator the `span` file names, or "" if there is none.
std::string coordinator(const fs::path& dir) {
  std::istringstream in(first_line(dir / "span"));
  std::string seq, node;
  in >> seq >> node;
  return node;
}

bool live(const fs::path& dir, const std::string& node) {
  auto age = age_of((dir / fmt::format("agent.{}.alive", node)).string());
  std::error_code ec;
  return age && *age <= kSilent && !fs::exists(dir / ("lost." + node), ec);
}

}  // namespace

int nodes_needed(int cpus, int node_cpus, int nodes) {
  if (node_cpus <= 0 || cpus <= node_cpus) return 1;
  int k = (cpus + node_cpus - 1) / node_cpus;
  return std::max(1, std::min(k, nodes));
}

int usable_nodes(const fs::path& dir, int job_nodes) {
  std::error_code ec;
  int lost = 0;
  for (const auto& e : fs::directory_iterator(dir, ec)) lost += e.path().filename().string().rfind("lost.", 0) == 0;
  return std::max(1, job_nodes - lost);
}

std::vector<std::string> live_agents(const fs::path& dir) {
  std::vector<std::string> out;
  std::error_code ec;
  for (const auto& e : fs::directory_iterator(dir, ec)) {
    std::string name = e.path().filename().string();
    if (name.rfind("agent.", 0) != 0 || e.path().extension() != ".alive") continue;
    std::string node = name.substr(6, name.size() - 6 - 6);
    if (live(dir, node)) out.push_back(node);
  }
  std::sort(out.begin(), out.end());
  return out;
}

bool Span::busy() const {
  std::error_code ec;
  if (!fs::exists(dir_ / "span", ec)) return false;
  std::string node = coordinator(dir_);
  if (node.empty() || node == host_ || live(dir_, node)) return true;
  // Its coordinator is gone: the place is free again.
  fs::remove(dir_ / "span", ec);
  return false;
}

bool Span::begin(const std::string& seq, int nodes) {
  if (!seq_.empty() || busy()) return false;
  std::vector<std::string> peers;
  for (const std::string& node : live_agents(dir_)) {
    if (node != host_) peers.push_back(node);
  }
  if (static_cast<int>(peers.size()) < nodes - 1) return false;
  // Made whole, then linked: fails if another agent's is there.
  fs::path mine = dir_ / fmt::format(".span.{}", host_);
  std::ofstream(mine, std::ios::binary | std::ios::trunc) << seq << " " << host_ << "\n";
  bool made = ::link(mine.c_str(), (dir_ / "span").c_str()) == 0;
  std::error_code ec;
  fs::remove(mine, ec);
  if (!made) return false;
  seq_ = seq;
  nodes_ = {host_};
  for (int i = 0; i < nodes - 1; ++i) {
    nodes_.push_back(peers[static_cast<size_t>(i)]);
    touch((dir_ / ("hold." + peers[static_cast<size_t>(i)])).string());
  }
  return true;
}

bool Span::others_ready() const {
  std::error_code ec;
  for (size_t i = 1; i < nodes_.size(); ++i) {
    if (!fs::exists(dir_ / ("held." + nodes_[i]), ec)) return false;
  }
  return true;
}

void Span::end() {
  if (seq_.empty()) return;
  std::error_code ec;
  for (size_t i = 1; i < nodes_.size(); ++i) {
    fs::remove(dir_ / ("hold." + nodes_[i]), ec);
    fs::remove(dir_ / ("held." + nodes_[i]), ec);
  }
  fs::remove(dir_ / "span", ec);
  seq_.clear();
  nodes_.clear();
}

bool held_for_span(const fs::path& dir, const std::string& host, bool idle) {
  std::error_code ec;
  fs::path hold = dir / ("hold." + host), held = dir / ("held." + host);
  if (!fs::exists(hold, ec)) return false;
  std::string node = coordinator(dir);
  if (node.empty() || !live(dir, node)) {
    // Its coordinator is gone: nothing will run here for it.
    fs::remove(hold, ec);
    fs::remove(held, ec);
    return false;
  }
  if (idle && !fs::exists(held, ec)) touch(held.string());
  return true;
}

}  // namespace flowc::runtime::pilot
