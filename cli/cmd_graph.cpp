// flowc graph FILE --format dot|mermaid: a workflow's call graph.
#include <iostream>

#include "cli/commands.h"
#include "cli/compile_helpers.h"
#include "cli/graph_render.h"

namespace flowc::cli {

int cmd_graph(const GraphOptions& options) {
  int exit_code = kExitOk;
  auto program = program_from(options.file, options.common, &exit_code);
  if (!program) return exit_code;
  const ir::Workflow* wf = choose_workflow(*program, options.workflow);
  if (!wf) return kExitUsage;
  std::string text = options.format == "mermaid" ? render_mermaid(*wf) : render_dot(*wf);
  return write_output(options.output, text);
}

}  // namespace flowc::cli
