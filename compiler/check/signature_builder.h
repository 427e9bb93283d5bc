// The signature of an op or workflow: its declared ports, resolved to types.
// Ops and workflows declare ports the same way, so they share this.
#pragma once

#include <string_view>
#include <vector>

#include "compiler/check/context.h"
#include "compiler/check/type_resolver.h"

namespace flowc::check {

// Resolves each port's type (stored in the Param) and reports a name declared
// twice; the second declaration is left out of the signature so later checks
// see one port per name. `allow_stream`: ops may take and give streams.
Signature build_signature(CheckContext& ctx, TypeResolver& types, int module, std::string_view owner,
                          std::vector<ast::Param>& inputs, std::vector<ast::Param>& outputs, bool allow_stream);

}  // namespace flowc::check
