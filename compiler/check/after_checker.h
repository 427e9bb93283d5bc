// `with { after = [a, b] }`: a call that waits for other calls to end
// without reading anything of theirs (docs/language.md, "Ordering without
// data"). Checked once a workflow's body has been checked, because a name
// in `after` may be bound later in the workflow: every name must be a call
// (seen from the call's block: a call inside a `for` or `if` the call is not
// in is that block's, as a name read there is), and the steps of a block
// must not wait for each other in a circle (through `after` or data).
#pragma once

#include "compiler/check/context.h"

namespace flowc::check {

void check_after(CheckContext& ctx, const ast::WorkflowDecl& wf);

// The names a call's `with { after = [...] }` lists (for lowering); empty
// when it has none or they are not plain names.
std::vector<std::string> after_names(const ast::BindStmt& bind);

}  // namespace flowc::check
