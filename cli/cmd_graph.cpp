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
  std::string name = options.workflow.empty() ? program->entry : options.workflow;
  const ir::Workflow* wf = program->find_workflow(name);
  if (!wf) {
    std::string known;
    for (const ir::Workflow& w : program->workflows) known += (known.empty() ? "" : ", ") + w.id;
    print_error(name.empty() ? "this file has several workflows and none is called `main`; choose one with --workflow ("
                                   + known + ")"
                             : "no workflow is called `" + name + "` (there are: " + known + ")");
    return kExitUsage;
  }
  std::string text = options.format == "mermaid" ? render_mermaid(*wf) : render_dot(*wf);
  if (options.output.empty() || options.output == "-") {
    std::cout << text;
    return kExitOk;
  }
  if (std::string error = write_file_atomically(options.output, text); !error.empty()) {
    print_error(error);
    return kExitUsage;
  }
  return kExitOk;
}

}  // namespace flowc::cli
