// Call sites up and down the run's graph.
#include "runtime/run/targets.h"

#include <map>
#include <regex>

#include <fmt/format.h>

#include "runtime/observe/run_graph.h"

namespace flowc::runtime {
namespace {

std::string without_items(const std::string& path) {
  static const std::regex items(R"(\[\d+\])");
  return std::regex_replace(path, items, "");
}

std::set<std::string> closure(const std::set<std::string>& start, const std::multimap<std::string, std::string>& next) {
  std::set<std::string> seen = start;
  std::vector<std::string> todo(start.begin(), start.end());
  while (!todo.empty()) {
    std::string at = todo.back();
    todo.pop_back();
    auto [a, b] = next.equal_range(at);
    for (auto it = a; it != b; ++it) {
      if (seen.insert(it->second).second) todo.push_back(it->second);
    }
  }
  return seen;
}

// The run's call sites and their edges, both ways.
struct CallGraph {
  std::set<std::string> sites;
  std::map<std::string, std::string> op_of;          // site → its op
  std::multimap<std::string, std::string> down, up;  // site → the sites that read from it / it reads from
  std::string root;                                  // the workflow's name: the first part of every site
};

CallGraph call_graph(const ir::Program& program, const ir::Workflow& workflow) {
  CallGraph g;
  Value graph = observe::workflow_graph(program, workflow);
  for (const Value& n : graph["nodes"]) {
    g.sites.insert(n["id"].get<std::string>());
    g.op_of[n["id"].get<std::string>()] = n["op"].get<std::string>();
  }
  for (const Value& e : graph["edges"]) {
    g.down.emplace(e[0].get<std::string>(), e[1].get<std::string>());
    g.up.emplace(e[1].get<std::string>(), e[0].get<std::string>());
  }
  g.root = workflow.name.empty() ? workflow.id : workflow.name;
  return g;
}

// Sites a name means (`ops`: an op's name means every call of it); an item
// path also goes to `item`. None: an error says what the calls are.
std::set<std::string> resolve(const CallGraph& g, const std::string& name, bool ops, std::string* item,
                              std::vector<std::string>* errors) {
  std::set<std::string> out;
  std::string site = without_items(name);
  if (site.rfind(g.root + ".", 0) != 0) site = g.root + "." + site;
  if (g.sites.count(site)) {
    out.insert(site);
    if (name.find('[') != std::string::npos) *item = name.rfind(g.root + ".", 0) == 0 ? name : g.root + "." + name;
  }
  if (ops) {
    for (const auto& [id, op] : g.op_of) {
      if (op == name) out.insert(id);
    }
  }
  if (out.empty()) {
    std::string known;
    for (const std::string& s : g.sites) known += (known.empty() ? "" : ", ") + s;
    errors->push_back(fmt::format("`{}` is no call{} of workflow `{}`; its calls are: {}", name,
                                  ops ? " and no op" : "", g.root, known));
  }
  return out;
}

// Every site reached from `sites` along `next`: them and all beyond, or,
// for one item (`item_only`), only what lies beyond them (the item's own
// site is the item alone).
std::set<std::string> reach(const std::set<std::string>& sites, bool item_only,
                            const std::multimap<std::string, std::string>& next) {
  if (!item_only) return closure(sites, next);
  std::set<std::string> beyond;
  for (const std::string& s : sites) {
    auto [a, b] = next.equal_range(s);
    for (auto it = a; it != b; ++it) beyond.insert(it->second);
  }
  return closure(beyond, next);
}

}  // namespace

Targets::Targets(const ir::Program& program, const ir::Workflow& workflow, const std::vector<std::string>& rerun,
                 const std::string& until, std::vector<std::string>* errors)
    : until_(until) {
  if (rerun.empty() && until.empty()) return;
  CallGraph g = call_graph(program, workflow);
  sites_ = g.sites;
  for (const std::string& name : rerun) {
    // What reads from it: every call downstream.
    std::string item;
    std::set<std::string> sites = resolve(g, name, true, &item, errors);
    if (!item.empty()) forced_paths_.insert(item);
    for (const std::string& s : reach(sites, !item.empty(), g.down)) forced_sites_.insert(s);
  }
  if (!until.empty()) {
    // What it reads from: every call upstream.
    std::string item;
    std::set<std::string> sites = resolve(g, until, false, &item, errors);
    if (!item.empty()) needed_paths_.insert(item);
    needed_sites_ = reach(sites, !item.empty(), g.up);
  }
}

std::string Targets::site_of(const std::string& path) const {
  std::string site = without_items(path);
  // A task of a sub-workflow belongs to the call of that sub-workflow.
  while (!site.empty() && !sites_.count(site)) {
    size_t dot = site.rfind('.');
    if (dot == std::string::npos) return "";
    site.resize(dot);
  }
  return site;
}

bool Targets::in(const std::set<std::string>& sites, const std::string& path) const {
  return !sites.empty() && sites.count(site_of(path)) > 0;
}

bool Targets::needed(const Task& task) const {
  if (until_.empty()) return true;
  return needed_paths_.count(task.path) > 0 || in(needed_sites_, task.path);
}

bool Targets::may_reuse(const Task& task) const {
  return !forced_paths_.count(task.path) && !in(forced_sites_, task.path);
}

}  // namespace flowc::runtime
