// A port of an op or a workflow by its name: the one lookup the planner,
// the parameters and the stream bridge specs all need.
#pragma once

#include <string_view>
#include <vector>

#include "ir/ir.h"

namespace flowc::ir {

// nullptr when there is none.
inline const Port* find_port(const std::vector<Port>& ports, std::string_view name) {
  for (const Port& p : ports) {
    if (p.name == name) return &p;
  }
  return nullptr;
}

}  // namespace flowc::ir
