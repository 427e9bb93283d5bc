// Lookups and locations in a Program.
#include "ir/ir.h"

#include <fmt/format.h>

namespace flowc::ir {

const char* to_string(Quoting q) {
  switch (q) {
    case Quoting::Bare: return "bare";
    case Quoting::Double: return "double";
    case Quoting::Single: return "single";
    case Quoting::Heredoc: return "heredoc";
    case Quoting::Literal: return "literal";
    case Quoting::Arithmetic: return "arithmetic";
    case Quoting::Parameter: return "parameter";
  }
  return "bare";
}

const char* to_string(Shell s) {
  switch (s) {
    case Shell::Default: return "default";
    case Shell::Bash: return "bash";
    case Shell::Sh: return "sh";
  }
  return "default";
}

const Op* Program::find_op(std::string_view id) const {
  for (const Op& op : ops) {
    if (op.id == id) return &op;
  }
  return nullptr;
}

const Workflow* Program::find_workflow(std::string_view id) const {
  for (const Workflow& wf : workflows) {
    if (wf.id == id) return &wf;
  }
  return nullptr;
}

std::string Program::where(const SourceLoc& loc) const {
  if (!loc.known() || static_cast<size_t>(loc.file) >= files.size()) return "<unknown>";
  return fmt::format("{}:{}:{}", files[loc.file], loc.line, loc.column);
}

}  // namespace flowc::ir
