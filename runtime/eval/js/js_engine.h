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

#include "ir/param_ref.h"
#include "runtime/value/value.h"

namespace flowc::runtime::js {

struct Call {
  std::string_view code;  // an expression, or a function body (`fn`)
  bool fn = false;
  const std::vector<std::string>* lib = nullptr;  // run first (CWL's expressionLib)
  Value inputs, self, runtime;                    // the names the code sees (null when not given)
  double timeout_seconds = 10;
};

// The value the code gives (`undefined` is null), or why it failed.
std::variant<Value, std::string> evaluate(const Call& call);

// The value of a parameter reference (ir/param_ref.h), or why it has none:
// as CWL says, a field that is not there, an index past the end, a step
// into null, and `length` of anything but a list are errors.
std::variant<Value, std::string> parameter_reference(const ir::ParamRef& ref, const Value& inputs, const Value& self,
                                                     const Value& runtime);

// A number as JavaScript writes it (String(x)): 123000, 0.00001, 1.5e+300.
std::string number_text(double d);

// A value as JSON text the way CWL runners write a non-string value into a
// string (an interpolation such as "$(inputs.list)\n", or an
// InitialWorkDirRequirement entry that is not text): Python's
// json.dumps(sort_keys=True), with ", " and ": " between items, non-ASCII
// escaped, numbers as JavaScript writes them. cwltool's outputs, and the
// conformance suite's checksums, are written this way.
std::string json_text(const Value& v);

}  // namespace flowc::runtime::js
