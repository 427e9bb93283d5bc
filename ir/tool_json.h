// Tool ops (ir/tool.h) as JSON: the "tool" object of an op in the IR.
#pragma once

#include <functional>
#include <string>

#include <nlohmann/json.hpp>

#include "ir/ir.h"

namespace flowc::ir {

nlohmann::ordered_json tool_to_json(const Tool& tool, const TypeTable& types);

// Reads what tool_to_json wrote. `expr` reads one expression (the IR
// reader's, which checks it); `fail` reports a problem at a JSON path and
// does not return.
struct ToolJsonReader {
  std::function<Expr(const nlohmann::ordered_json&, const std::string& path)> expr;
  std::function<void(const std::string& path, const std::string& message)> fail;
  Tool read(const nlohmann::ordered_json& j, const std::string& path) const;
};

}  // namespace flowc::ir
