// The abstract syntax tree of one .flow file.
//
// Built from the ANTLR parse tree in one place (syntax/ast_builder.cpp), which
// is also the one place spans are created. Nothing after the parser sees ANTLR
// types. The checker annotates nodes in place (`type`, `ref`) and lowering
// reads those annotations.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "compiler/source/source.h"
#include "ir/quoting.h"

namespace flowc::ir {
class Type;
}

namespace flowc::ast {

struct Ident {
  std::string text;
  Span span;
};

// ---- Types as written --------------------------------------------------------

struct TypeExpr;
struct FieldType;

// One pattern of `file with [".bai", ".csi"?]`.
struct CompanionPattern {
  std::string pattern;
  bool required = true;
  bool plain = true;  // false: it held an interpolation (an error)
  Span span;
};

struct TypeExpr {
  Span span;
  bool is_record = false;
  Ident name;                     // named: int, list, Sample
  std::vector<TypeExpr> args;     // named: list[file] → {file}
  std::vector<FieldType> fields;  // record: { id: str }
  bool has_companions = false;    // `with [...]` was written
  std::vector<CompanionPattern> companions;
  Span companions_span;  // from `with` to `]`
  bool optional = false;
  Span optional_span;
};

struct FieldType {
  Ident name;
  TypeExpr type;
};

// ---- Expressions ------------------------------------------------------------

struct Expr;
using ExprPtr = std::unique_ptr<Expr>;

enum class UnaryOp { Negate, Not };
enum class BinaryOp { Or, And, Eq, Ne, Lt, Le, Gt, Ge, Coalesce, Add, Sub, Mul, Div, Mod };

const char* spelling(UnaryOp op);
const char* spelling(BinaryOp op);

struct IntLit {
  int64_t value;
};
struct FloatLit {
  double value;
};
struct SizeLit {
  int64_t bytes;
};
struct DurationLit {
  double seconds;
};
struct BoolLit {
  bool value;
};
struct NoneLit {};

// Where a `${...}` stands in a run command's shell text, which decides how
// its value is quoted (set by the checker; see check/shell_context.h).
// Where an interpolation stands in a run command's shell text: the IR's
// quoting, found here by the checker and carried into the IR as it is.
using ShellContext = ir::Quoting;

struct StringPart {
  std::string text;  // literal text (when expr is null)
  ExprPtr expr;      // ${ expr }
  Span span;         // of the text, or of `${ ... }`
  // Where it stands in a run command's shell text (set by the checker).
  ShellContext shell = ShellContext::Bare;
  uint8_t backticks = 0;    // enclosing `...` substitutions (each strips a level of \)
  bool comment = false;     // in a # comment (a line break would end it)
  std::string heredoc_end;  // in a here-document: its delimiter line
  bool heredoc_strip_tabs = false;
};

struct StringLit {
  std::vector<StringPart> parts;
  bool triple = false;
  bool is_plain() const { return parts.empty() || (parts.size() == 1 && !parts[0].expr); }
  std::string plain_text() const { return parts.empty() ? std::string() : parts[0].text; }
};

// What a name in an expression refers to, decided by the checker.
struct NameTarget {
  enum Kind { Unresolved, Input, Output, Binding, LoopVar } kind = Unresolved;
  std::string name;
};

struct NameRef {
  std::string name;
  NameTarget target;
};

struct Arg {
  std::optional<Ident> name;  // keyword argument
  ExprPtr value;
};

struct OpDecl;
struct WorkflowDecl;

// What a call calls, decided by the checker.
struct CallTarget {
  enum Kind { Unresolved, Builtin, Op, Workflow } kind = Unresolved;
  const OpDecl* op = nullptr;
  const WorkflowDecl* workflow = nullptr;
};

struct CallExpr {
  Ident callee;
  std::vector<Arg> args;
  Span args_span;  // the parenthesised argument list
  CallTarget target;
};

struct MemberExpr {
  ExprPtr object;
  Ident field;
};

struct IndexExpr {
  ExprPtr object;
  ExprPtr index;
};

struct UnaryExpr {
  UnaryOp op;
  Span op_span;
  ExprPtr operand;
};

struct BinaryExpr {
  BinaryOp op;
  Span op_span;
  ExprPtr lhs;
  ExprPtr rhs;
};

struct ListExpr {
  std::vector<ExprPtr> items;
};

struct FieldInit {
  Ident name;
  ExprPtr value;
};

struct RecordExpr {
  std::vector<FieldInit> fields;
};

struct MapEntry {
  ExprPtr key;
  ExprPtr value;
};

struct MapExpr {
  std::vector<MapEntry> entries;
};

struct Expr {
  Span span;
  std::variant<IntLit, FloatLit, SizeLit, DurationLit, BoolLit, NoneLit, StringLit, NameRef, CallExpr, MemberExpr,
               IndexExpr, UnaryExpr, BinaryExpr, ListExpr, RecordExpr, MapExpr>
      node;
  const ir::Type* type = nullptr;  // set by the checker
  uint32_t height = 1;             // of this expression tree; the builder caps it

  template <typename T>
  T* as() {
    return std::get_if<T>(&node);
  }
  template <typename T>
  const T* as() const {
    return std::get_if<T>(&node);
  }
};

// ---- Statements ---------------------------------------------------------------

struct Stmt;

struct Block {
  Span span;
  std::vector<Stmt> stmts;
};

struct BindStmt {
  Ident name;
  ExprPtr value;
  ExprPtr options;  // `with { ... }`
};

struct ForStmt {
  Ident var;
  ExprPtr collection;
  ExprPtr options;
  Block body;
};

struct IfArm {
  ExprPtr condition;
  Block body;
};

struct IfStmt {
  std::vector<IfArm> arms;  // if, else if, else if ...
  std::optional<Block> else_block;
};

struct ReturnStmt {
  std::vector<FieldInit> values;
};

struct Stmt {
  Span span;
  std::variant<BindStmt, ForStmt, IfStmt, ReturnStmt> node;

  template <typename T>
  T* as() {
    return std::get_if<T>(&node);
  }
  template <typename T>
  const T* as() const {
    return std::get_if<T>(&node);
  }
};

// ---- Declarations -------------------------------------------------------------

struct Param {
  Span span;
  Ident name;
  TypeExpr type;
  ExprPtr default_value;
  const ir::Type* resolved = nullptr;  // set by the checker
};

struct Clause {
  Span span;
  Ident name;
  ExprPtr value;
};

struct ImportDecl {
  Span span;
  std::string path;
  Span path_span;
};

struct TypeDecl {
  Span span;
  Ident name;
  TypeExpr type;
  std::string doc;
};

struct OpDecl {
  Span span;
  Ident name;
  std::vector<Param> inputs;
  std::vector<Param> outputs;
  std::vector<Clause> clauses;
  std::string doc;
};

struct WorkflowDecl {
  Span span;
  Ident name;
  std::vector<Param> inputs;
  std::vector<Param> outputs;
  Block body;
  std::string doc;
};

// One parsed file.
struct Module {
  FileId file = 0;
  // The file's own documentation: a `///` block before every declaration,
  // set apart from the first one by a blank line (else it documents that one).
  std::string doc;
  std::vector<ImportDecl> imports;
  std::vector<TypeDecl> types;
  std::vector<OpDecl> ops;
  std::vector<WorkflowDecl> workflows;
};

}  // namespace flowc::ast
