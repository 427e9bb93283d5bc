// CWL parameter references (`inputs.reads.basename`, `self['a b'][0]`,
// `runtime.outdir`, `null`): the part of a `js` expression (IR 2) that is
// read without a JavaScript engine. The compiler uses this to tell a
// reference from code (code needs InlineJavascriptRequirement); the runtime
// to read one.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace flowc::ir {

struct ParamRef {
  std::string root;                                      // inputs, self, runtime, or null
  std::vector<std::variant<std::string, size_t>> steps;  // .name / ['name'] and [index]
};

// The reference `code` is, or nullopt if it is anything else.
std::optional<ParamRef> parse_param_ref(std::string_view code);

}  // namespace flowc::ir
