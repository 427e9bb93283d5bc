// CWL documents as .flow text (`flowc import-cwl`): a CommandLineTool becomes
// an op (typed ports, its command line written as a `run` string whose
// values the compiler quotes), a Workflow a workflow (steps are calls in
// dependency order, `scatter` is `for`, `when` is `if`, pickValue is
// select_first/select_all), so a user can move a CWL project to .flow and
// read what they get.
//
// Only what .flow can say is written: JavaScript, ExpressionTool,
// InitialWorkDirRequirement, valueFrom on steps, outputEval and the like are
// refused, each with an error (E1004, "writing X as .flow is not supported")
// naming the construct and its line.
// `flowc run x.cwl` runs those documents as they are.
#pragma once

#include <optional>
#include <string>

#include "compiler/cwl/document.h"

namespace flowc::cwl {

// The .flow text for the process `reference` names (a path, with an
// optional #fragment); `flow_dir` is the folder the .flow file will be in
// (paths of file defaults are written relative to it). Nullopt after
// reporting why to the loader's diagnostics.
std::optional<std::string> cwl_to_flow(DocumentLoader& loader, const std::string& reference,
                                       const std::string& flow_dir);

}  // namespace flowc::cwl
