// A short, readable text form of an IR expression ("len(names) > 0"), for
// graph labels and messages; not a parser's input.
#pragma once

#include <string>

#include "ir/ir.h"

namespace flowc::ir {

// At most about `limit` characters; longer text ends with "...".
std::string expr_text(const Expr& e, size_t limit = 60);

}  // namespace flowc::ir
