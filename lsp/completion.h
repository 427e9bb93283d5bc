// Completion while typing: the text is often not valid yet, so the context
// (after `x.`, inside `op(`, anywhere else) is read from the text itself, and
// types and names come from the latest compilation that was type-checked.
#pragma once

#include <cstdint>
#include <string_view>

#include <nlohmann/json.hpp>

#include "compiler/driver/compilation.h"

namespace flowc::lsp {

// CompletionItem[] for the cursor at byte `offset` of `text`. `checked` may
// be null (nothing type-checked yet): then only keywords and builtins.
nlohmann::json complete(std::string_view text, uint32_t offset, const Compilation* checked);

}  // namespace flowc::lsp
