// A run's workflow as a graph for people (the report, flowc serve): one
// node per call site, named as its tasks' call paths are without item
// numbers (`main.g` for main.g[0], main.g[1], ...), so a `for`'s items
// collapse into their call's node; a sub-workflow call is one node (its
// tasks' paths start with its id). An edge says a call reads what another
// made. Written to .flow/runs/<id>/graph.json when the run starts:
//   {"nodes": [{"id": "main.g", "label": "g = greet", "op": "greet",
//               "kind": "op" | "workflow", "loc": "hello.flow:12:9"}],
//    "edges": [["main.g", "main.c"]]}
#pragma once

#include "ir/ir.h"
#include "runtime/value/value.h"

namespace flowc::runtime::observe {

Value workflow_graph(const ir::Program& program, const ir::Workflow& workflow);
// Writes it to `path` (graph.json); a failure only loses the picture.
void save_workflow_graph(const ir::Program& program, const ir::Workflow& workflow, const std::string& path);

}  // namespace flowc::runtime::observe
