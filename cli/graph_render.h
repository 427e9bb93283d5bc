// A workflow's call graph as Graphviz DOT or Mermaid: steps as nodes, data
// flow as edges, `for` and `if` blocks as clusters.
#pragma once

#include <string>

#include "ir/ir.h"

namespace flowc::cli {

std::string render_dot(const ir::Workflow& workflow);
std::string render_mermaid(const ir::Workflow& workflow);

}  // namespace flowc::cli
