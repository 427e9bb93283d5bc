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

}  // namespace

Targets::Targets(const ir::Program& program, const ir::Workflow& workflow, const std::vector<std::string>& rerun,
                 const std::string& until, std::vector<std::string>* errors)
    : until_(until) {
  if (rerun.empty() && until.empty()) return;
  Value graph = observe::workflow_graph(program, workflow);
  std::multimap<std::string, std::string> down, up;
  std::map<std::string, std::string> op_of;
  for (const Value& n : graph["nodes"]) {
    sites_.insert(n["id"].get<std::string>());
    op_of[n["id"].get<std::string>()] = n["op"].get<std::string>();
  }
  for (const Value& e : graph["edges"]) {
    down.emplace(e[0].get<std::string>(), e[1].get<std::string>());
    up.emplace(e[1].get<std::string>(), e[0].get<std::string>());
  }
  std::string root = workflow.name.empty() ? workflow.id : workflow.name;
  // Sites a name means; an item path also goes to `item`.
  auto resolve = [&](const std::string& name, bool ops, std::string* item) {
    std::set<std::string> out;
    std::string site = without_items(name);
    if (site.rfind(root + ".", 0) != 0) site = root + "." + site;
    if (sites_.count(site)) {
      out.insert(site);
      if (name.find('[') != std::string::npos) *item = name.rfind(root + ".", 0) == 0 ? name : root + "." + name;
    }
    if (ops) {
      for (const auto& [id, op] : op_of) {
        if (op == name) out.insert(id);
      }
    }
    if (out.empty()) {
      std::string known;
      for (const std::string& s : sites_) known += (known.empty() ? "" : ", ") + s;
      errors->push_back(fmt::format("`{}` is no call{} of workflow `{}`; its calls are: {}", name, ops ? " and no op" : "",
                                    root, known));
    }
    return out;
  };
  for (const std::string& name : rerun) {
    std::string item;
    std::set<std::string> sites = resolve(name, true, &item);
    if (!item.empty()) {
      forced_paths_.insert(item);
      // What reads from the item: every call downstream of its site.
      std::set<std::string> after;
      for (const std::string& s : sites) {
        auto [a, b] = down.equal_range(s);
        for (auto it = a; it != b; ++it) after.insert(it->second);
      }
      for (const std::string& s : closure(after, down)) forced_sites_.insert(s);
    } else {
      for (const std::string& s : closure(sites, down)) forced_sites_.insert(s);
    }
  }
  if (!until.empty()) {
    std::string item;
    std::set<std::string> sites = resolve(until, false, &item);
    if (!item.empty()) {
      needed_paths_.insert(item);
      std::set<std::string> before;
      for (const std::string& s : sites) {
        auto [a, b] = up.equal_range(s);
        for (auto it = a; it != b; ++it) before.insert(it->second);
      }
      needed_sites_ = closure(before, up);
    } else {
      needed_sites_ = closure(sites, up);
    }
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
