// Tool ops (ir/tool.h, IR 2): preparing a task's work dir and command from
// the op's bindings, and collecting its outputs afterwards. The task runner
// calls these two for an op with a tool; keys, reuse, executors, containers
// and the journal are the same as for every op.
//
// A tool task's work dir:
//   inputs/<k>/<basename>   each input file or folder, linked (copied when it
//                           must be writable), secondary files beside it
//   out/                    the command's working directory (CWL's
//                           runtime.outdir): outputs are found here
//   tmp/                    runtime.tmpdir (also $TMPDIR)
//   .command.sh, .stdout, .stderr as for every task
#pragma once

#include <string>
#include <variant>
#include <vector>

#include "ir/ir.h"
#include "runtime/eval/evaluator.h"
#include "runtime/executors/executor.h"
#include "runtime/value/value.h"

namespace flowc::runtime::tool {

struct Staged {
  Value inputs;        // the task's inputs with staged paths: `inputs` of its expressions
  Value runtime;       // `runtime`
  std::string script;  // .command.sh
  std::vector<std::pair<std::string, std::string>> env;    // EnvVarRequirement, HOME, TMPDIR
  std::vector<std::pair<std::string, std::string>> links;  // (link, target) of staged inputs
  std::vector<std::string> input_paths;                    // the real files and folders it reads
};

// Stages the inputs and writes nothing else but into `work_dir`; returns
// the script, or an error naming what failed.
std::variant<Staged, std::string> prepare(const ir::Program& program, const ir::Op& op, const Value& inputs,
                                          const std::string& work_dir, int cpus, int64_t mem_bytes);

struct Collected {
  Value outputs;                   // port → value
  std::vector<std::string> files;  // every file and folder among them (to fingerprint)
};

// After the command exited with `exit_code`: is it a success for this tool?
// (successCodes; default 0).
bool succeeded(const ir::Op& op, int exit_code);
// May another attempt help? (temporaryFailCodes)
bool temporary_failure(const ir::Op& op, int exit_code);

// Finds the outputs (cwl.output.json, or each output's glob, contents,
// outputEval, secondary files and format). `reads` (Staged::input_paths):
// what a link among the outputs may lead to besides the work dir; a link
// to anything else is an error, as CWL says (it is not the tool's output).
std::variant<Collected, std::string> collect(const ir::Program& program, const ir::Op& op, const Value& staged_inputs,
                                             const Value& runtime, const Value& reads, const std::string& work_dir,
                                             int exit_code);

// The work dir's output folder.
std::string outdir_of(const std::string& work_dir);

}  // namespace flowc::runtime::tool
