// From IR bodies to call-site nodes and edges.
#include "runtime/observe/run_graph.h"

#include <fstream>
#include <map>
#include <set>
#include <string>
#include <vector>

namespace flowc::runtime::observe {
namespace {

using Producers = std::set<std::string>;  // node ids a name's value comes from
using Bindings = std::map<std::string, Producers>;

void vars_of(const ir::Expr& e, std::set<std::string>& out) {
  if (e.kind == ir::Expr::Kind::Var) out.insert(e.name);
  for (const ir::Expr& a : e.args) vars_of(a, out);
  for (const auto& [name, f] : e.fields) vars_of(f, out);
}

class GraphBuilder {
 public:
  explicit GraphBuilder(const ir::Program& program) : program_(program) {}

  void body(const std::vector<ir::Node>& nodes, const std::string& prefix, Bindings& names) {
    for (const ir::Node& node : nodes) {
      if (const auto* v = node.as<ir::ValueNode>()) {
        names[node.name] = producers(node.deps, names);
        (void)v;
      } else if (const auto* c = node.as<ir::CallNode>()) {
        call(node, *c, prefix, names);
      } else if (const auto* s = node.as<ir::ScatterNode>()) {
        Bindings inner = names;
        std::set<std::string> list_vars;
        vars_of(s->collection, list_vars);
        inner[s->var] = producers({list_vars.begin(), list_vars.end()}, names);
        body(s->body, prefix, inner);
        for (const ir::Export& e : node.exports) names[e.name] = inner[e.name];
      } else if (const auto* b = node.as<ir::BranchNode>()) {
        Producers condition;
        for (const ir::BranchArm& arm : b->arms) {
          if (!arm.condition) continue;
          std::set<std::string> vars;
          vars_of(*arm.condition, vars);
          Producers p = producers({vars.begin(), vars.end()}, names);
          condition.insert(p.begin(), p.end());
        }
        std::map<std::string, Producers> exported;
        for (const ir::BranchArm& arm : b->arms) {
          Bindings inner = names;
          guard_.push_back(condition);
          body(arm.body, prefix, inner);
          guard_.pop_back();
          for (const ir::Export& e : node.exports) exported[e.name].insert(inner[e.name].begin(), inner[e.name].end());
        }
        for (auto& [name, p] : exported) names[name] = std::move(p);
      }
    }
  }

  Value result() {
    Value edges = Value::array();
    for (const auto& [from, to] : edges_) edges.push_back(Value::array({from, to}));
    return {{"nodes", std::move(nodes_)}, {"edges", std::move(edges)}};
  }

 private:
  Producers producers(const std::vector<std::string>& deps, const Bindings& names) {
    Producers out;
    for (const std::string& d : deps) {
      auto it = names.find(d);
      if (it != names.end()) out.insert(it->second.begin(), it->second.end());
    }
    return out;
  }

  void call(const ir::Node& node, const ir::CallNode& c, const std::string& prefix, Bindings& names) {
    std::string id = prefix + "." + node.name;
    Value n = {{"id", id},
               {"label", node.name + " = " + c.callee},
               {"op", c.callee_is_workflow ? "" : c.callee},
               {"kind", c.callee_is_workflow ? "workflow" : "op"},
               {"loc", program_.where(node.loc)}};
    if (seen_.insert(id).second) nodes_.push_back(std::move(n));
    for (const std::string& from : producers(node.deps, names)) {
      if (from != id) edges_.insert({from, id});
    }
    for (const Producers& g : guard_) {
      for (const std::string& from : g) {
        if (from != id) edges_.insert({from, id});
      }
    }
    names[node.name] = {id};
  }

  const ir::Program& program_;
  Value nodes_ = Value::array();
  std::set<std::string> seen_;
  std::set<std::pair<std::string, std::string>> edges_;
  std::vector<Producers> guard_;  // the producers of enclosing `if` conditions
};

}  // namespace

Value workflow_graph(const ir::Program& program, const ir::Workflow& workflow) {
  GraphBuilder builder(program);
  Bindings names;  // the workflow's inputs come from no call
  builder.body(workflow.body, workflow.name.empty() ? workflow.id : workflow.name, names);
  return builder.result();
}

void save_workflow_graph(const ir::Program& program, const ir::Workflow& workflow, const std::string& path) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << workflow_graph(program, workflow).dump() << "\n";
}

}  // namespace flowc::runtime::observe
