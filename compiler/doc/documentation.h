// The documentation of a file's declarations, read from its AST: each op's,
// workflow's and type's signature as written, the options worth knowing
// before calling it (image, mpi, resources...), and its `///` comment.
// `flowc doc` prints it and the language server's hover shows the same
// signatures; neither formats them on its own.
#pragma once

#include <string>
#include <vector>

#include "compiler/ast/ast.h"
#include "compiler/driver/compilation.h"

namespace flowc::doc {

struct ParamDoc {
  std::string name;
  std::string type;           // as written: `list[file]`, `Sample?`
  std::string default_value;  // as written, or empty when there is none
};

// A clause of an op other than its command, as written (whitespace folded).
struct OptionDoc {
  std::string name;   // image, mpi, resources, retry, timeout, ...
  std::string value;  // `"localhost/tool:1"`, `{ ranks = 4 }`
};

struct DeclDoc {
  std::string kind;  // "op", "workflow" or "type"
  std::string name;
  std::string signature;  // `op NAME(in: T = d, ...) -> (out: T, ...)`, or `type NAME = ...`
  std::vector<ParamDoc> inputs;
  std::vector<ParamDoc> outputs;
  std::vector<OptionDoc> options;  // ops only
  std::string doc;                 // the `///` block above it, or empty
  uint32_t line = 0;               // where it is declared (1-based)
};

struct FileDoc {
  std::string path;            // as the compiler read it
  std::string doc;             // the file's own `///` block (see ast::Module::doc)
  std::vector<DeclDoc> decls;  // in the order of the file
};

// The main file of a compilation (after parsing; checking is not needed).
FileDoc document_main(const Compilation& c);

// `op NAME(in: T = default, ...) -> (out: T, ...)`, as written.
std::string op_signature(const Compilation& c, const ast::OpDecl& op);
std::string workflow_signature(const Compilation& c, const ast::WorkflowDecl& wf);

}  // namespace flowc::doc
