// flowc build FILE -o OUT: the IR, as JSON.
#include <iostream>

#include "cli/commands.h"
#include "cli/compile_helpers.h"
#include "ir/ir_json.h"
#include "ir/json_text.h"

namespace flowc::cli {
namespace {

struct Counts {
  size_t calls = 0, values = 0, loops = 0, branches = 0;
};

void count(const std::vector<ir::Node>& nodes, Counts& c) {
  for (const ir::Node& n : nodes) {
    if (n.as<ir::CallNode>()) ++c.calls;
    if (n.as<ir::ValueNode>()) ++c.values;
    if (const auto* s = n.as<ir::ScatterNode>()) {
      ++c.loops;
      count(s->body, c);
    }
    if (const auto* b = n.as<ir::BranchNode>()) {
      ++c.branches;
      for (const ir::BranchArm& arm : b->arms) count(arm.body, c);
    }
  }
}

void print_summary(const ir::Program& p) {
  const ir::TypeTable& types = *p.types;
  std::cout << "IR version " << p.version << " from " << (p.files.empty() ? "?" : p.files[0]) << " (" << p.files.size()
            << (p.files.size() == 1 ? " file" : " files") << ")\n";
  std::cout << "entry workflow: " << (p.entry.empty() ? "(none)" : p.entry) << "\n";
  std::cout << p.ops.size() << (p.ops.size() == 1 ? " op:\n" : " ops:\n");
  for (const ir::Op& op : p.ops) {
    std::cout << "  " << op.id << "(";
    for (size_t i = 0; i < op.inputs.size(); ++i) {
      std::cout << (i ? ", " : "") << op.inputs[i].name << ": " << types.display(op.inputs[i].type);
    }
    std::cout << ") -> (";
    for (size_t i = 0; i < op.outputs.size(); ++i) {
      std::cout << (i ? ", " : "") << op.outputs[i].name << ": " << types.display(op.outputs[i].type);
    }
    std::cout << ")";
    if (op.image) std::cout << " image " << *op.image;
    std::cout << "\n";
  }
  std::cout << p.workflows.size() << (p.workflows.size() == 1 ? " workflow:\n" : " workflows:\n");
  for (const ir::Workflow& wf : p.workflows) {
    Counts c;
    count(wf.body, c);
    std::cout << "  " << wf.id << ": " << c.calls << " calls, " << c.loops << " for, " << c.branches << " if, "
              << c.values << " values; " << wf.inputs.size() << " inputs, " << wf.outputs.size() << " outputs\n";
  }
}

}  // namespace

int cmd_build(const BuildOptions& options) {
  int exit_code = kExitOk;
  auto program = program_from(options.file, options.common, &exit_code);
  if (!program) return exit_code;
  if (options.summary) print_summary(*program);
  if (options.output.empty()) return kExitOk;
  return write_output(options.output, ir::json_text(ir::to_json(*program)));
}

}  // namespace flowc::cli
