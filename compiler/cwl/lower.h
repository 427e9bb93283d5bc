// CWL processes into flowc's IR: a CommandLineTool becomes a tool op
// (ir/tool.h), an ExpressionTool and a Workflow become IR workflows (steps
// are calls, `scatter` is `for`, `when` is `if`, step `valueFrom` and
// `pickValue` are expressions), and the entry is always a workflow (a lone
// tool is wrapped in one that calls it), so `flowc run` runs any of them on
// its own engine. docs/cwl.md says what is supported.
#pragma once

#include <map>
#include <optional>
#include <string>

#include "compiler/cwl/document.h"
#include "ir/ir.h"

namespace flowc::cwl {

struct Lowered {
  ir::Program program;
  // The process's inputs and outputs, with their CWL types (for reading a
  // job and writing the output object).
  nlohmann::ordered_json inputs;   // [{"id": "x", "type": <CWL type as JSON, names resolved>, "default"?: ...}]
  nlohmann::ordered_json outputs;  // [{"id": "y", "type": ...}]
  std::string base_dir;            // the document's folder
  std::string process_class;       // CommandLineTool, ExpressionTool, Workflow
  std::map<std::string, std::string> namespaces;  // the document's $namespaces (for formats in the job)
  // Files and folders the documents name themselves (File literals,
  // defaults): an output may pass one on, so the run may publish it.
  std::vector<std::string> named_files;
};

// Lowers the process `reference` names (a path, with an optional #fragment).
// Errors go to the loader's diagnostics; an unsupported feature is reported
// as CwlUnsupported (flowc cwl-runner exits 33 for it).
struct LowerOptions {
  // A DockerRequirement in `requirements` becomes the op's image; false
  // (cwl-runner --no-container) ignores it, as cwltool --no-container does.
  bool containers = true;
  // The job's `cwl:requirements`: requirements over every process's own
  // (CWL: the input object may add or override requirements).
  const YNode* job_requirements = nullptr;
};

std::optional<Lowered> lower_cwl(DocumentLoader& loader, const std::string& reference, LowerOptions options = {});

}  // namespace flowc::cwl
