// Written types (ast::TypeExpr) → types (ir::Type), in a module's scope.
#pragma once

#include <set>

#include "compiler/check/context.h"

namespace flowc::check {

// `t`, or the error type after reporting TypeTooDeep at `where` when `t` is
// deeper than ir::kMaxTypeDepth. Every place that makes a type from another
// one calls it: declared types, expressions, and names lifted out of `for`
// and `if`.
const ir::Type* limit_type_depth(CheckContext& ctx, const ir::Type* t, Span where);

class TypeResolver {
 public:
  explicit TypeResolver(CheckContext& ctx) : ctx_(ctx) {}

  // `allow_stream`: a port type of an op, the only place stream[T] may be written.
  const ir::Type* resolve(int module, const ast::TypeExpr& type, bool allow_stream = false);
  // The type a `type X = ...` declaration names (memoised; cycles reported).
  const ir::Type* resolve_decl(int module, const ast::TypeDecl& decl);

 private:
  const ir::Type* named(int module, const ast::TypeExpr& type, bool allow_stream);
  const ir::Type* stream_element(int module, const ast::TypeExpr& arg);
  const ir::Type* with_companions(const ir::Type* t, const ast::TypeExpr& type);

  CheckContext& ctx_;
  std::set<const ast::TypeDecl*> in_progress_;
};

}  // namespace flowc::check
