// Putting a finished run's outputs where the user looks for them: the output
// folder holds each file or directory output under <outdir>/<output>/, and
// outputs.json maps every output to its value (paths into the folder), as
// miniwdl and cwltool do.
//
// What is published is walked as runtime/files/tree.h walks it, with the
// link policy of outputs: links inside an output stay links; a link out of
// it is followed only into flowc's work dirs and the run's input files; a
// file is hard-linked only from inside the work dirs (anything else is
// copied), so the published folder never shares a file with the rest of
// the system. Each output is written beside its place and renamed over it:
// a failure leaves the previous one, never half of the new.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "ir/ir.h"
#include "runtime/value/value.h"

namespace flowc::runtime {

enum class PublishMode {
  Link,     // hard links (a copy where the file system does not allow them)
  Symlink,  // symbolic links into .flow/work (gone if `flowc clean` removes them)
  Copy,
};

// Where published files may come from.
struct PublishSources {
  std::string work_root;            // .flow/work: every task's work dir
  std::vector<std::string> inputs;  // files and folders the run's tasks took as inputs (an output may pass one on)
};

// Returns the value written to outputs.json, or nullopt with `*error`.
// Replaces only what it owns: <outdir>/<output> for each output, and
// outputs.json. Stops (with an error) when SIGINT or SIGTERM is pending.
std::optional<Value> publish_outputs(const ir::Workflow& workflow, const Value& outputs, const std::string& outdir,
                                     PublishMode mode, const PublishSources& sources, std::string* error);

}  // namespace flowc::runtime
