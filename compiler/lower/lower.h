// The lower phase: a checked program → the IR.
#pragma once

#include <memory>
#include <string>

#include "compiler/check/context.h"
#include "ir/ir.h"

namespace flowc::lower {

// Requires a program the checker passed without errors.
ir::Program lower_program(check::CheckContext& ctx, std::shared_ptr<ir::TypeTable> types, const std::string& compiler);

}  // namespace flowc::lower
