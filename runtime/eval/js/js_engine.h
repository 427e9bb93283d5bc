// JavaScript expressions (IR 2, `js`): CWL's `$(...)` and `${...}`.
//
// The engine is Duktape (ECMAScript 5.1, as CWL asks), built into flowc from
// Debian's duktape-dev source with its execution-time check turned on
// (runtime/CMakeLists.txt), chosen by bench/cwl/js_bench: in-process, a fresh
// global environment per expression costs microseconds, where Node.js in a
// helper process costs a pipe round trip per expression and ~40 ms to start.
//
// Sandboxed: the engine has no file system, network, process or module
// access at all (Duktape's built-ins are the language's only); time-limited:
// code running longer than the limit is stopped with an error saying so.
// Parameter references without code (`inputs.reads.basename`, `self[0]`,
// `runtime.outdir`) are read directly, without the engine.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "runtime/value/value.h"

namespace flowc::runtime::js {

struct Call {
  std::string_view code;       // an expression, or a function body (`fn`)
  bool fn = false;
  const std::vector<std::string>* lib = nullptr;  // run first (CWL's expressionLib)
  Value inputs, self, runtime; // the names the code sees (null when not given)
  double timeout_seconds = 10;
};

// The value the code gives (`undefined` is null), or why it failed.
std::variant<Value, std::string> evaluate(const Call& call);

// If `code` is a parameter reference (inputs.x, self['a b'][0], runtime.cores,
// x.length), its value; nullopt when it is code that needs the engine. A
// reference to something that is not there is null, as in JavaScript;
// `*error` is set when a step is taken into a value that cannot have one.
std::optional<Value> parameter_reference(std::string_view code, const Value& inputs, const Value& self,
                                         const Value& runtime, std::string* error);

}  // namespace flowc::runtime::js
