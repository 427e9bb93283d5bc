// Turning an op's command template into the shell script a task runs: every
// interpolation evaluated and quoted for the shell context the compiler
// recorded (ir::Quoting), so no value can inject a command.
#pragma once

#include <string>

#include "ir/ir.h"
#include "runtime/eval/evaluator.h"
#include "runtime/value/scalar_text.h"  // what a command renders, unquoted

namespace flowc::runtime {

// The text of one value as a shell sees it for `quoting`:
//   Bare:    each scalar one single-quoted word ('it'\''s'); a list, its
//            items as separate words; an absent value (null) nothing at all.
//   Double:  inside "...": \ $ ` " escaped; a list's items joined by spaces.
//   Single:  inside '...': each ' written '\''; lists joined by spaces.
//   Heredoc: \ $ ` escaped; lists joined by spaces.
//   Literal: as it is; lists joined by spaces.
//   Arithmetic (inside $(( ))): numbers as they are, bools as 1 or 0.
//            Anything else is not safe there (the shell expands `$(...)` in
//            $(( )) even inside single quotes): render_command fails on it,
//            and shell_text writes it as one escaped "..." string, which the
//            shell rejects as an expression.
// Scalars are written as scalar_text (runtime/value/scalar_text.h) writes them.
std::string shell_text(const Value& v, const ir::Type* t, ir::Quoting quoting);

// The script for `op` with its inputs and outputs bound in `scope`. Fails
// when an interpolation fails, holds a NUL byte, puts a non-number into
// $(( )), or would end its here-document early (a line equal to the
// delimiter); in a `#` comment, line breaks in a value become spaces.
Evaluated<std::string> render_command(const ir::Op& op, const Scope& scope, Evaluator& evaluator);

}  // namespace flowc::runtime
