// Which shell quoting context each `${...}` of a run command stands in.
//
// The runtime quotes an interpolated value for that context, so that
// `echo "Hello, ${name}!"` prints Hello, Ada! (not Hello, 'Ada'!), and so
// that no value can end a quote early and inject a command.
#pragma once

#include <vector>

#include "compiler/ast/ast.h"

namespace flowc::check {

// Sets StringPart::shell on every interpolation of a command's parts.
void annotate_shell_contexts(std::vector<ast::StringPart>& parts);

}  // namespace flowc::check
