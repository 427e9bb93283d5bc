// One compilation: load → parse → check → lower, with a barrier after each
// phase that reported errors (so one mistake does not cascade). The library
// entry point of the compiler; it returns results, it never exits or prints.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "compiler/check/context.h"
#include "compiler/check/module_loader.h"
#include "compiler/diag/diagnostic.h"
#include "compiler/source/source.h"
#include "ir/builtins.h"
#include "ir/ir.h"

namespace flowc {

enum class Stage { Parse, Check, Lower };

struct CompileOptions {
  std::vector<std::string> library_paths;  // searched for imports after the importing file's folder
  check::FileProvider* files = nullptr;    // defaults to the disk
  Stage until = Stage::Lower;
  uint64_t max_source_bytes = check::kMaxSourceBytes;  // per file; larger ones are refused
};

// Wall time of each phase, for benchmarks and `--time` style reports.
struct PhaseTimes {
  double load_parse_ms = 0;  // reading files, lexing, parsing, building the AST
  double check_ms = 0;
  double lower_ms = 0;
};

struct Compilation {
  SourceManager sources;
  Diagnostics diags;
  check::LoadResult loaded;
  std::shared_ptr<ir::TypeTable> types;
  std::unique_ptr<ir::Builtins> builtins;
  std::unique_ptr<check::CheckContext> checked;  // after the check stage
  std::optional<ir::Program> program;            // after the lower stage, if there were no errors
  std::string io_error;                          // the main file could not be read
  PhaseTimes times;

  bool ok() const { return io_error.empty() && !diags.has_errors(); }
};

std::unique_ptr<Compilation> compile(const std::string& path, const CompileOptions& options);

// "flowc 0.1.0"
std::string compiler_version();

}  // namespace flowc
