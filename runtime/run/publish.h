// Putting a finished run's outputs where the user looks for them: the output
// folder holds each file or directory output under <outdir>/<output>/, and
// outputs.json maps every output to its value (paths into the folder), as
// miniwdl and cwltool do.
#pragma once

#include <optional>
#include <string>

#include "ir/ir.h"
#include "runtime/value/value.h"

namespace flowc::runtime {

enum class PublishMode {
  Link,     // hard links (a copy where the file system does not allow them)
  Symlink,  // symbolic links into .flow/work (gone if `flowc clean` removes them)
  Copy,
};

// Returns the value written to outputs.json, or nullopt with `*error`.
// Replaces only what it owns: <outdir>/<output> for each output, and
// outputs.json.
std::optional<Value> publish_outputs(const ir::Program& program, const ir::Workflow& workflow, const Value& outputs,
                                     const std::string& outdir, PublishMode mode, std::string* error);

}  // namespace flowc::runtime
