// Internal to the evaluator: the builtin functions of ir/builtins.def, and
// what evaluator.cpp and builtins.cpp share.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "ir/ir.h"
#include "runtime/eval/evaluator.h"
#include "runtime/value/value.h"

namespace flowc::runtime::detail {

// A failure inside the evaluator. Thrown, and turned into an EvalFailure by
// Evaluator::eval; deliberately not a std::exception, so that handlers for
// library exceptions never swallow it. An unknown loc is filled in by the
// innermost enclosing expression that has one.
struct EvalError {
  std::string message;
  ir::SourceLoc loc;
};

[[noreturn]] void fail(std::string message);

// `path` made absolute against `base` (itself made absolute against the
// working directory) and lexically normalized, without a trailing `/`. A URL
// (`s3://bucket/key`) is returned unchanged. An empty path is a failure.
std::string resolve_path(std::string_view path, const std::string& base);

// The value of the builtin call `call` (Kind::Call), given its arguments'
// values in order. Throws EvalError.
Value call_builtin(const ir::Expr& call, std::vector<Value>& args, const EvalOptions& options);

bool has_builtin(std::string_view name);

// "1 item", "3 items"
std::string count_of(size_t n, std::string_view noun);

}  // namespace flowc::runtime::detail
