// Evaluating IR expressions at run time, with the builtin functions of
// ir/builtins.def.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "ir/ir.h"
#include "runtime/value/value.h"

namespace flowc::runtime {

// The names an expression can read.
class Scope {
 public:
  virtual ~Scope() = default;
  // The value bound to `name`, or null if nothing is.
  virtual const Value* find(std::string_view name) const = 0;
};

// Why an expression could not be evaluated, and where it is in the source.
struct EvalFailure {
  std::string message;  // "index 5 is past the end of a list of 3 items"
  ir::SourceLoc loc;    // of the innermost expression that has one
};

template <typename T>
using Evaluated = std::variant<T, EvalFailure>;

// Told of everything outside the program an evaluation depended on: files
// read (or looked for), the files a glob() pattern matched, and anything
// that cannot be told again (write_lines' new file, JavaScript). A run's
// summary (runtime/run/run_summary.h) is built from it.
class FileWitness {
 public:
  virtual ~FileWitness() = default;
  virtual void read(const std::string& path) = 0;
  virtual void globbed(const std::string& pattern, const std::vector<std::string>& files) = 0;
  virtual void unrepeatable(const std::string& why) = 0;
};

// The regular files (links followed) that the absolute glob `pattern`
// matches, as glob() lists them; a link that leads nowhere in `dangling`.
// Returns glob(3)'s code (0, GLOB_NOMATCH, ...).
int glob_files(const std::string& pattern, std::vector<std::string>* files, std::string* dangling);

struct EvalOptions {
  // Relative paths in file/dir literals and file()/dir() are relative to
  // this folder (the .flow file's), and are made absolute.
  std::string base_dir = ".";
  // Where write_lines() creates its files (created on first use).
  std::string scratch_dir = ".";
  // glob() lists a workflow's input files (not an op's outputs): matching
  // nothing, or a link that leads nowhere, is then an error.
  bool glob_names_inputs = false;
  // How long a JavaScript expression may run (IR 2, `js`).
  double js_timeout_seconds = 10;
  // Told of every file read (not owned; may be null).
  FileWitness* witness = nullptr;
};

class Evaluator {
 public:
  Evaluator(const ir::Program& program, EvalOptions options) : program_(program), options_(std::move(options)) {}

  // The value of `e` in `scope`, with the type `e.type` says (coerced).
  // An absent value is null. Never throws for bad data: a failure names the
  // problem ("read_int: `n.txt` holds \"abc\", not a whole number").
  Evaluated<Value> eval(const ir::Expr& e, const Scope& scope);

  const EvalOptions& options() const { return options_; }

 private:
  const ir::Program& program_;
  EvalOptions options_;
};

// Whether the evaluator implements the builtin function `name` (every name of
// ir/builtins.def; the tests check that none is missing).
bool implements_builtin(std::string_view name);

}  // namespace flowc::runtime
