// Tool ops: an op whose command is built the way a CWL CommandLineTool
// builds its command line (IR version 2; docs/ir.md, "Tool ops").
//
// A `.flow` op writes its command as shell text with interpolations. A tool
// op instead describes its command line as bindings: words from a base
// command, arguments and the inputs' values, sorted by position, each value
// turned into words by its type (a list into several words or one joined
// word, a record into its fields' bindings, a bool into its prefix...). It
// also says what to put in the work dir before the command runs, what to
// connect to stdin, stdout and stderr, which exit codes mean success, and how
// each output is found afterwards (globs, contents, an expression over them).
// The runtime builds and runs it (runtime/tool/); the scheduler, cache,
// executors and containers treat it like any other op.
//
// These structures are kept apart from ir.h so that an op without a tool
// reads exactly as before.
#pragma once

#include <optional>
#include <string>
#include <vector>

// Included by ir/ir.h once Expr is complete.
namespace flowc::ir {

// How one value becomes words on the command line (CWL's CommandLineBinding).
struct ToolBinding {
  std::optional<Expr> position;               // sort key: an int, or an expression giving one (default 0)
  std::optional<std::string> prefix;          // a word before the value (`-o`)
  bool separate = true;                       // prefix and value as two words (else joined)
  std::optional<std::string> item_separator;  // a list as one word, items joined by this
  std::optional<Expr> value_from;             // the value to use instead, with `self` the input's value
  bool shell_quote = true;                    // false: written into the shell text as it is
};

struct ToolField;

// A value's type with the bindings of its parts: CWL's type system, which
// the command line follows (a union picks the first alternative its value
// matches).
struct ToolType {
  enum class Kind { Null, Bool, Int, Long, Float, Double, String, File, Directory, Any, Enum, Array, Record, Union };
  Kind kind = Kind::Any;
  std::string name;                    // records and enums: their name, if any
  std::vector<std::string> symbols;    // Enum
  std::vector<ToolType> members;       // Array: {items}; Union: the alternatives
  std::vector<ToolField> fields;       // Record
  std::optional<ToolBinding> binding;  // the type's own binding (array items, enums, records in unions)
};

// A secondary file: a pattern (`.bai`, `^.bai`: replace the extension) or an
// expression, and whether it must exist.
struct ToolSecondaryFile {
  std::optional<Expr> pattern;
  std::optional<Expr> required;  // absent: true for inputs, false for outputs
};

struct ToolField {
  std::string name;
  ToolType type;
  std::optional<ToolBinding> binding;
  std::vector<ToolSecondaryFile> secondary_files;
  bool load_contents = false;
  std::string load_listing;  // "", no_listing, shallow_listing, deep_listing
  std::optional<Expr> format;
  // A field of an output record: how it is found (as ToolPort's).
  std::vector<Expr> glob;
  std::optional<Expr> output_eval;
};

// One port of a tool op (by the op port's name): its full type, and for
// inputs, its binding; for outputs, how it is collected.
struct ToolPort {
  std::string name;
  ToolType type;
  std::optional<ToolBinding> binding;  // inputs
  std::vector<ToolSecondaryFile> secondary_files;
  bool load_contents = false;
  std::string load_listing;
  std::optional<Expr> format;
  // outputs
  std::vector<Expr> glob;           // patterns or expressions, relative to the output folder
  std::optional<Expr> output_eval;  // with `self` the files found
  std::string stream;               // "stdout" or "stderr": the captured stream is this output
};

// An extra argument (not an input's binding): a literal or valueFrom.
struct ToolArgument {
  ToolBinding binding;  // value_from holds the argument's value
};

// A file or folder put in the output folder before the command runs
// (InitialWorkDirRequirement).
struct ToolWorkdirEntry {
  std::optional<Expr> entryname;  // its name there (else the file's basename)
  std::optional<Expr> entry;      // a string (the file's text), file, folder, or a list of them
  bool writable = false;          // a copy (else a link or a read-only file)
};

struct Tool {
  std::vector<std::string> base_command;
  std::vector<ToolArgument> arguments;
  std::vector<ToolPort> inputs;   // by op input, in the op's order
  std::vector<ToolPort> outputs;  // by op output, in the op's order
  std::optional<Expr> stdin_path, stdout_name, stderr_name;
  std::vector<ToolWorkdirEntry> workdir;
  std::vector<int64_t> success_codes;  // empty: {0}
  std::vector<int64_t> temporary_fail_codes, permanent_fail_codes;
  bool shell = false;           // ShellCommandRequirement: arguments may be unquoted shell text
  bool inplace_update = false;  // writable staged inputs are the inputs themselves
  std::string load_listing;     // default for Directory inputs
  // The top process of a run: secondary files of its inputs are looked for
  // beside them (a step's inputs must already carry theirs).
  bool discover_secondary_files = false;
  std::optional<Expr> outdir_min, tmpdir_min;  // MiB (runtime.outdirSize, tmpdirSize)
};

}  // namespace flowc::ir
