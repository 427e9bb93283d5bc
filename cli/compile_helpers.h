// What the subcommands share: library search paths, compiling with them, and
// printing diagnostics the way the user asked.
#pragma once

#include <memory>
#include <optional>
#include <string>

#include "cli/commands.h"
#include "compiler/driver/compilation.h"

namespace flowc::cli {

// --lib dirs, then FLOW_PATH, then the standard library next to flowc
// (<exe>/../share/flowc/lib), or, for a flowc that is not installed, the
// source tree's stdlib-ops/.
std::vector<std::string> library_paths(const CommonOptions& options);

std::unique_ptr<Compilation> compile_file(const std::string& path, const CommonOptions& options, Stage until);

// Prints a compilation's diagnostics (text to stderr, or JSON to stdout).
void print_diagnostics(const Compilation& c, const CommonOptions& options);

// An IR program from a .flow file (compiled) or an IR file (loaded); on
// failure prints why and returns nullopt with *exit_code set.
std::optional<ir::Program> program_from(const std::string& path, const CommonOptions& options, int* exit_code);

// Writes text to `path` through a temporary file and a rename, so a reader
// never sees half of it. Returns an error message, or empty.
std::string write_file_atomically(const std::string& path, const std::string& text);

// Writes `text` to `path` (atomically), or to stdout if `path` is "" or "-".
// Returns an exit code.
int write_output(const std::string& path, const std::string& text);

// The workflow named `requested`, or the program's entry if that is empty;
// prints why not and returns null if there is none.
const ir::Workflow* choose_workflow(const ir::Program& program, const std::string& requested);

void print_error(const std::string& message);

}  // namespace flowc::cli
