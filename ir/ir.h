// The IR: what the compiler produces and the runtime executes, with no access
// to the source. Versioned; written and read as JSON (ir_json.h), documented
// in docs/ir.md.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include <nlohmann/json.hpp>

#include "ir/quoting.h"
#include "ir/types.h"

namespace flowc::ir {

// Bumped whenever a change would make an older runtime misread the IR.
// 2: `retry.attempts` counts every try; `shell`; calls' `after`; tool ops
// (`"tool"`), JavaScript expressions (`"js"`), the `any` type.
inline constexpr int kIrVersion = 2;

// A place in a source file (1-based lines, columns in code points).
struct SourceLoc {
  int file = -1;  // index into Program::files; -1 when unknown
  uint32_t line = 0, column = 0, end_line = 0, end_column = 0;
  bool known() const { return file >= 0; }
};

// ---- Expressions --------------------------------------------------------------

struct Expr {
  enum class Kind {
    Literal,  // value: int, float, bool, string, or null (none)
    Var,      // name: an input, a binding, a loop variable, an op port
    Member,   // args[0].name
    Index,    // args[0][args[1]]
    Unary,    // name is the operator: "-" "!"
    Binary,   // name is the operator: "+" "??" "&&" ...
    List,     // args are the items
    Record,   // fields
    Map,      // args alternate key, value
    Call,     // name is a builtin function
    Format,   // string interpolation: args are the pieces, joined as text
    Js,       // JavaScript (IR 2): name is the code; fields bind `inputs`, `self`, `runtime`;
              // value is {"fn": bool (a function body, not an expression), "lib": index into Program::js_libs}
  };
  Kind kind = Kind::Literal;
  const Type* type = nullptr;
  nlohmann::ordered_json value;  // Literal
  std::string name;
  std::vector<Expr> args;
  std::vector<std::pair<std::string, Expr>> fields;  // Record, in written order
  SourceLoc loc;

  // Declared here, defined below: clang (14) would otherwise instantiate
  // std::pair<std::string, Expr> while Expr is still incomplete.
  Expr();
  Expr(const Expr&);
  Expr(Expr&&) noexcept;
  Expr& operator=(const Expr&);
  Expr& operator=(Expr&&) noexcept;
  ~Expr();

  static Expr literal(nlohmann::ordered_json v, const Type* t);
  static Expr var(std::string n, const Type* t);
};

inline Expr::Expr() = default;
inline Expr::Expr(const Expr&) = default;
inline Expr::Expr(Expr&&) noexcept = default;
inline Expr& Expr::operator=(const Expr&) = default;
inline Expr& Expr::operator=(Expr&&) noexcept = default;
inline Expr::~Expr() = default;

inline Expr Expr::literal(nlohmann::ordered_json v, const Type* t) {
  Expr e;
  e.kind = Kind::Literal;
  e.value = std::move(v);
  e.type = t;
  return e;
}

inline Expr Expr::var(std::string n, const Type* t) {
  Expr e;
  e.kind = Kind::Var;
  e.name = std::move(n);
  e.type = t;
  return e;
}

}  // namespace flowc::ir

#include "ir/tool.h"  // needs Expr

namespace flowc::ir {

// ---- Ops ------------------------------------------------------------------------

struct Port {
  std::string name;
  const Type* type = nullptr;
  SourceLoc loc;
  std::optional<Expr> default_value;  // inputs: used when the caller gives none
  std::optional<Expr> path;           // op outputs: where the command writes it (relative to the work dir)
  std::optional<Expr> value;          // workflow outputs: what `return` gives
};

struct CommandPart {
  std::string text;          // literal shell text (when expr is empty)
  std::optional<Expr> expr;  // ${...}
  Quoting quoting = Quoting::Bare;
  // More of where it stands, for what quoting alone cannot make safe:
  int backticks = 0;                // inside this many `...` (each strips one level of \ before \ ` $)
  bool comment = false;             // in a # comment: a line break in the value would start a command
  std::string heredoc_end;          // in a here-document: no line of the value may be this delimiter
  bool heredoc_strip_tabs = false;  // (<<-: also not after leading tabs)
  SourceLoc loc;
};

struct RetryPolicy {
  int64_t attempts = 1;             // tries in all, the first included (1: never retried)
  std::vector<int64_t> exit_codes;  // transient exit codes; empty = every non-zero exit
  bool on_timeout = false;          // a timeout is transient too
};

// The shell a command runs under (docs/runtime.md, "How tasks run").
enum class Shell {
  Default,  // bash with `set -euo pipefail`; where there is no bash, sh with `set -eu` (and pipefail if it has it)
  Bash,     // `shell "bash"`: bash with `set -euo pipefail`, or the task fails
  Sh,       // `shell "sh"`: sh with `set -eu` (and pipefail if it has it)
};

const char* to_string(Shell s);

struct Op {
  std::string id;    // unique in the program (the name, qualified if two files define it)
  std::string name;  // as written
  std::string doc;
  SourceLoc loc;
  std::vector<Port> inputs;
  std::vector<Port> outputs;
  std::vector<CommandPart> command;
  std::optional<std::string> image;
  std::optional<std::string> executor;
  std::optional<Expr> cpus, mem, gpus, time;  // resources, evaluated with the inputs
  std::optional<Expr> mpi_ranks;
  std::optional<Expr> timeout;
  RetryPolicy retry;
  bool cache = true;
  bool network = false;
  bool native_streams = false;  // `streams "native"`: the command speaks ZeroMQ (else stdin/stdout, bridged)
  Shell shell = Shell::Default;
  std::vector<std::pair<std::string, Expr>> env;
  std::optional<Tool> tool;  // IR 2: the command is built from bindings (ir/tool.h), not `command`
};

// ---- Workflows -------------------------------------------------------------

struct Node;

struct CallNode {
  std::string callee;  // an Op or Workflow id
  bool callee_is_workflow = false;
  std::vector<std::pair<std::string, Expr>> args;
  bool optional = false;           // `with { optional = true }`: failure leaves outputs absent
  std::optional<Expr> replicas;    // stream consumers
  std::optional<Expr> group;       // run this many items per container
  std::vector<std::string> after;  // calls this one waits for, without reading them (also in `deps`)
};

struct ValueNode {
  Expr value;
};

struct ScatterNode {
  std::string var;  // the loop variable
  Expr collection;
  std::optional<Expr> min_success;        // count of items that must succeed
  std::optional<Expr> min_success_ratio;  // or ratio
  std::vector<Node> body;
};

struct BranchArm {
  std::optional<Expr> condition;  // none for the final `else`
  std::vector<Node> body;
};

struct BranchNode {
  std::vector<BranchArm> arms;
};

// Names bound inside a scatter or branch as seen after it: a list (scatter)
// or an optional (branch) of the inner type.
struct Export {
  std::string name;
  const Type* type = nullptr;
};

struct Node {
  std::string name;            // Call/Value: the bound name; Scatter/Branch: "for@LINE"/"if@LINE"
  const Type* type = nullptr;  // Call: record of outputs; Value: the value's type
  SourceLoc loc;
  std::vector<std::string> deps;  // outer names this node reads
  std::vector<Export> exports;    // Scatter/Branch
  std::variant<CallNode, ValueNode, ScatterNode, BranchNode> body;

  template <typename T>
  const T* as() const {
    return std::get_if<T>(&body);
  }
  template <typename T>
  T* as() {
    return std::get_if<T>(&body);
  }
};

struct Workflow {
  std::string id;
  std::string name;
  std::string doc;
  SourceLoc loc;
  std::vector<Port> inputs;
  std::vector<Port> outputs;  // each with `value`
  std::vector<Node> body;
};

// ---- The program ---------------------------------------------------------------

struct Program {
  int version = kIrVersion;
  std::string compiler;              // "flowc 0.1.0"
  std::string entry;                 // the workflow `flowc run` starts by default
  std::vector<std::string> files;    // source files, for SourceLoc
  std::shared_ptr<TypeTable> types;  // owns every Type* below
  std::vector<Op> ops;
  std::vector<Workflow> workflows;
  // IR 2: JavaScript libraries (CWL's expressionLib): each a list of code
  // run before a `js` expression that names it.
  std::vector<std::vector<std::string>> js_libs;

  const Op* find_op(std::string_view id) const;
  const Workflow* find_workflow(std::string_view id) const;
  // "examples/hello.flow:12:5"
  std::string where(const SourceLoc& loc) const;
};

}  // namespace flowc::ir
