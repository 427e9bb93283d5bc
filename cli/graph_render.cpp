// One graph model built from the IR, written out as DOT or Mermaid.
#include "cli/graph_render.h"

#include <map>
#include <set>

#include <fmt/format.h>

#include "ir/expr_text.h"

namespace flowc::cli {
namespace {

enum class Shape { Input, Output, OpCall, WorkflowCall, Value, LoopVar, Condition };

struct GraphNode {
  std::string id;
  std::string label;
  Shape shape;
  int cluster;  // -1: top level
};

struct Cluster {
  std::string id;
  std::string label;
  int parent;  // -1: top level
};

struct Edge {
  std::string from, to;
  bool after = false;  // an ordering without data: `with { after = [...] }`
};

struct Graph {
  std::vector<GraphNode> nodes;
  std::vector<Cluster> clusters;
  std::vector<Edge> edges;
};

using Scope = std::map<std::string, std::vector<std::string>>;  // name → nodes that bind it

class GraphBuilder {
 public:
  Graph build(const ir::Workflow& wf) {
    Scope scope;
    for (const ir::Port& in : wf.inputs) {
      std::string id = "in." + in.name;
      graph_.nodes.push_back({id, in.name, Shape::Input, -1});
      scope[in.name] = {id};
    }
    walk(wf.body, scope, -1);
    // `after` may name a call bound later: drawn once every name is known
    // (names are unique in a workflow).
    for (const auto& [name, to] : after_) {
      for (const std::string& from : bound_[name]) {
        if (seen_edges_.insert({from, to}).second) graph_.edges.push_back({from, to, true});
      }
    }
    for (const ir::Port& out : wf.outputs) {
      std::string id = "out." + out.name;
      graph_.nodes.push_back({id, out.name, Shape::Output, -1});
      if (out.value) connect(reads(*out.value), scope, id);
    }
    return std::move(graph_);
  }

 private:
  static std::set<std::string> reads(const ir::Expr& e) {
    std::set<std::string> out;
    collect(e, out);
    return out;
  }
  static void collect(const ir::Expr& e, std::set<std::string>& out) {
    if (e.kind == ir::Expr::Kind::Var) out.insert(e.name);
    for (const ir::Expr& a : e.args) collect(a, out);
    for (const auto& [n, f] : e.fields) collect(f, out);
  }

  void connect(const std::set<std::string>& names, const Scope& scope, const std::string& to) {
    for (const std::string& name : names) {
      auto it = scope.find(name);
      if (it == scope.end()) continue;
      for (const std::string& from : it->second) {
        if (seen_edges_.insert({from, to}).second) graph_.edges.push_back({from, to, false});
      }
    }
  }

  void walk(const std::vector<ir::Node>& nodes, Scope& scope, int cluster) {
    for (const ir::Node& n : nodes) {
      if (const auto* call = n.as<ir::CallNode>()) {
        graph_.nodes.push_back({n.name, fmt::format("{} = {}", n.name, call->callee),
                                call->callee_is_workflow ? Shape::WorkflowCall : Shape::OpCall, cluster});
        std::set<std::string> data;  // what it reads; `after` names only order it
        for (const auto& [port, arg] : call->args) collect(arg, data);
        if (call->replicas) collect(*call->replicas, data);
        if (call->group) collect(*call->group, data);
        for (const std::string& a : call->after) {
          if (!data.count(a)) after_.emplace_back(a, n.name);
        }
        connect(data, scope, n.name);
        scope[n.name] = {n.name};
        bound_[n.name] = {n.name};
      } else if (const auto* value = n.as<ir::ValueNode>()) {
        graph_.nodes.push_back(
            {n.name, fmt::format("{} = {}", n.name, ir::expr_text(value->value, 40)), Shape::Value, cluster});
        connect({n.deps.begin(), n.deps.end()}, scope, n.name);
        scope[n.name] = {n.name};
      } else if (const auto* scatter = n.as<ir::ScatterNode>()) {
        int inner = add_cluster(
            n.name, fmt::format("for {} in {}", scatter->var, ir::expr_text(scatter->collection, 40)), cluster);
        std::string var_id = n.name + "." + scatter->var;
        graph_.nodes.push_back({var_id, scatter->var, Shape::LoopVar, inner});
        connect(reads(scatter->collection), scope, var_id);
        Scope body = scope;
        body[scatter->var] = {var_id};
        walk(scatter->body, body, inner);
        export_names(n, body, scope);
      } else if (const auto* branch = n.as<ir::BranchNode>()) {
        int outer = add_cluster(n.name, "if", cluster);
        std::vector<Scope> arms;
        for (size_t a = 0; a < branch->arms.size(); ++a) {
          const ir::BranchArm& arm = branch->arms[a];
          std::string arm_id = fmt::format("{}.{}", n.name, a);
          std::string label =
              !arm.condition ? "else" : fmt::format("{}if {}", a ? "else " : "", ir::expr_text(*arm.condition, 40));
          int inner = add_cluster(arm_id, label, outer);
          if (arm.condition) {
            std::string cond_id = arm_id + ".cond";
            graph_.nodes.push_back({cond_id, ir::expr_text(*arm.condition, 30), Shape::Condition, inner});
            connect(reads(*arm.condition), scope, cond_id);
          }
          Scope body = scope;
          walk(arm.body, body, inner);
          arms.push_back(std::move(body));
        }
        // A name bound in several arms comes from whichever arm ran.
        for (const ir::Export& e : n.exports) {
          std::vector<std::string> sources;
          for (const Scope& arm : arms) {
            if (auto it = arm.find(e.name); it != arm.end() && scope.find(e.name) == scope.end()) {
              sources.insert(sources.end(), it->second.begin(), it->second.end());
            }
          }
          scope[e.name] = sources;
        }
      }
    }
  }

  void export_names(const ir::Node& n, const Scope& inner, Scope& outer) {
    for (const ir::Export& e : n.exports) {
      if (auto it = inner.find(e.name); it != inner.end()) outer[e.name] = it->second;
    }
  }

  int add_cluster(const std::string& id, const std::string& label, int parent) {
    graph_.clusters.push_back({id, label, parent});
    return static_cast<int>(graph_.clusters.size() - 1);
  }

  Graph graph_;
  std::set<std::pair<std::string, std::string>> seen_edges_;
  std::map<std::string, std::vector<std::string>> bound_;   // every call node by its name
  std::vector<std::pair<std::string, std::string>> after_;  // (name waited for, the call that waits)
};

// ---- DOT ----

std::string dot_quote(const std::string& s) {
  std::string out = "\"";
  for (char c : s) {
    if (c == '"' || c == '\\') out += '\\';
    if (c == '\n') {
      out += "\\n";
      continue;
    }
    out += c;
  }
  return out + "\"";
}

std::string dot_attributes(Shape shape) {
  switch (shape) {
    case Shape::Input: return "shape=ellipse, style=filled, fillcolor=\"#e8f0fe\"";
    case Shape::Output: return "shape=ellipse, style=filled, fillcolor=\"#e6f4ea\"";
    case Shape::OpCall: return "shape=box, style=\"rounded,filled\", fillcolor=\"#fff8e1\"";
    case Shape::WorkflowCall: return "shape=box, style=\"rounded,filled,bold\", fillcolor=\"#fce8e6\"";
    case Shape::Value: return "shape=note";
    case Shape::LoopVar: return "shape=plaintext";
    case Shape::Condition: return "shape=diamond";
  }
  return "";
}

void dot_cluster(std::string& out, const Graph& g, int cluster, int depth) {
  std::string indent(static_cast<size_t>(2 * depth), ' ');
  for (size_t c = 0; c < g.clusters.size(); ++c) {
    if (g.clusters[c].parent != cluster) continue;
    out += fmt::format("{}subgraph {} {{\n", indent, dot_quote("cluster_" + g.clusters[c].id));
    out += fmt::format("{}  label={}; style=dashed;\n", indent, dot_quote(g.clusters[c].label));
    dot_cluster(out, g, static_cast<int>(c), depth + 1);
    out += indent + "}\n";
  }
  for (const GraphNode& n : g.nodes) {
    if (n.cluster != cluster) continue;
    out += fmt::format("{}{} [label={}, {}];\n", indent, dot_quote(n.id), dot_quote(n.label), dot_attributes(n.shape));
  }
}

// ---- Mermaid ----

std::string mermaid_id(const std::string& s) {
  std::string out = "n_";
  for (char c : s) out += std::isalnum(static_cast<unsigned char>(c)) ? c : '_';
  return out;
}

std::string mermaid_label(const std::string& s) {
  std::string out;
  for (char c : s) {
    if (c == '"') out += "#quot;";
    else if (c == '\n') out += ' ';
    else out += c;
  }
  return "\"" + out + "\"";
}

std::string mermaid_node(const GraphNode& n) {
  std::string id = mermaid_id(n.id), label = mermaid_label(n.label);
  switch (n.shape) {
    case Shape::Input:
    case Shape::Output: return fmt::format("{}([{}])", id, label);
    case Shape::WorkflowCall: return fmt::format("{}[[{}]]", id, label);
    case Shape::Value: return fmt::format("{}>{}]", id, label);
    case Shape::Condition: return fmt::format("{}{{{}}}", id, label);
    case Shape::LoopVar: return fmt::format("{}[/{}/]", id, label);
    default: return fmt::format("{}({})", id, label);
  }
}

void mermaid_cluster(std::string& out, const Graph& g, int cluster, int depth) {
  std::string indent(static_cast<size_t>(2 * depth), ' ');
  for (size_t c = 0; c < g.clusters.size(); ++c) {
    if (g.clusters[c].parent != cluster) continue;
    out +=
        fmt::format("{}subgraph {} [{}]\n", indent, mermaid_id(g.clusters[c].id), mermaid_label(g.clusters[c].label));
    mermaid_cluster(out, g, static_cast<int>(c), depth + 1);
    out += indent + "end\n";
  }
  for (const GraphNode& n : g.nodes) {
    if (n.cluster == cluster) out += indent + mermaid_node(n) + "\n";
  }
}

}  // namespace

std::string render_dot(const ir::Workflow& workflow) {
  Graph g = GraphBuilder().build(workflow);
  std::string out =
      fmt::format("digraph {} {{\n  rankdir=TB;\n  node [fontname=\"Helvetica\"];\n", dot_quote(workflow.id));
  dot_cluster(out, g, -1, 1);
  for (const Edge& e : g.edges) {
    out += fmt::format("  {} -> {}{};\n", dot_quote(e.from), dot_quote(e.to),
                       e.after ? " [style=dashed, label=\"after\"]" : "");
  }
  return out + "}\n";
}

std::string render_mermaid(const ir::Workflow& workflow) {
  Graph g = GraphBuilder().build(workflow);
  std::string out = "flowchart TD\n";
  mermaid_cluster(out, g, -1, 1);
  for (const Edge& e : g.edges) {
    out += fmt::format("  {} {} {}\n", mermaid_id(e.from), e.after ? "-. after .->" : "-->", mermaid_id(e.to));
  }
  return out;
}

}  // namespace flowc::cli
