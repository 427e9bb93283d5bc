// CWL strings with expressions into IR expressions: `$(inputs.x)` and
// `${ return 1; }` become `js` expressions (IR 2), text around them a
// `format` that joins the pieces, and a string without any a literal.
#pragma once

#include <optional>
#include <string>

#include "compiler/cwl/yaml_tree.h"
#include "ir/ir.h"

namespace flowc::cwl {

// What `inputs`, `self` and `runtime` are where an expression is evaluated.
struct JsScope {
  std::optional<ir::Expr> inputs, self, runtime;
  int lib = -1;             // index into Program::js_libs, or -1
  bool javascript = false;  // InlineJavascriptRequirement: code, not only parameter references
};

// Does the string hold `$(` or `${` (unescaped)?
bool has_expression(const std::string& text);

// The IR expression of a CWL string that may hold expressions; on a
// malformed one (an unclosed `$(`) returns nullopt and sets *error.
// `strip`: whitespace around a single expression is not part of it (as
// everywhere in CWL but an InitialWorkDirRequirement Dirent's entry).
std::optional<ir::Expr> string_expr(const std::string& text, const JsScope& scope, ir::TypeTable& types,
                                    const ir::SourceLoc& loc, std::string* error, bool strip = true);

// A JSON value as an IR expression (lists, records and literals).
ir::Expr json_expr(const nlohmann::ordered_json& j, ir::TypeTable& types);

}  // namespace flowc::cwl
