// A workflow's inputs from the command line: -p name=value (read by the
// input's declared type) and --params file.json. Everything is checked before
// anything starts: unknown names, ill-typed values, missing required inputs,
// input files that do not exist.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "ir/ir.h"
#include "runtime/value/value.h"

namespace flowc::runtime {

// Returns the inputs object (only those given; defaults are the plan's), or
// nullopt with `*errors` listing every problem found.
std::optional<Value> workflow_inputs(const ir::Program& program, const ir::Workflow& workflow,
                                     const std::vector<std::string>& assignments, const std::string& params_file,
                                     std::vector<std::string>* errors);

}  // namespace flowc::runtime
