// The checks: one `image inspect` per image, side by side, before the run;
// one trivial container per image (the probe: the engine works, the image
// has /bin/sh) before the first task in that image starts.
#include "runtime/containers/preflight.h"

#include <map>
#include <set>
#include <sstream>

#include <fmt/format.h>

#include "runtime/process/run_captured.h"
#include "runtime/process/find_program.h"

namespace flowc::runtime {
namespace {

// Probes start a container; on this kind of machine that takes about a
// second, a loaded one several.
constexpr double kCheckSeconds = 120;
constexpr size_t kShownLines = 6;

void collect(const ir::Program& program, const std::vector<ir::Node>& body, std::set<std::string>& workflows,
             std::set<std::string>& images, std::vector<ImageUse>& out) {
  for (const ir::Node& node : body) {
    if (const auto* call = node.as<ir::CallNode>()) {
      if (call->callee_is_workflow) {
        const ir::Workflow* wf = program.find_workflow(call->callee);
        if (wf && workflows.insert(wf->id).second) collect(program, wf->body, workflows, images, out);
      } else if (const ir::Op* op = program.find_op(call->callee); op && op->image) {
        if (images.insert(*op->image).second) out.push_back({*op->image, op});
      }
    } else if (const auto* scatter = node.as<ir::ScatterNode>()) {
      collect(program, scatter->body, workflows, images, out);
    } else if (const auto* branch = node.as<ir::BranchNode>()) {
      for (const ir::BranchArm& arm : branch->arms) collect(program, arm.body, workflows, images, out);
    }
  }
}

// The last lines of what a command printed, indented under an error.
std::string shown(const Captured& c) {
  std::string text = c.err.empty() ? c.out : c.err;
  if (!c.error.empty()) text = c.error + (text.empty() ? "" : "\n" + text);
  std::vector<std::string> lines;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) {
    if (!line.empty()) lines.push_back(line);
  }
  if (lines.size() > kShownLines) lines.erase(lines.begin(), lines.end() - kShownLines);
  std::string out;
  for (const std::string& line : lines) out += "\n    " + line;
  return out;
}

std::string command_text(const std::vector<std::string>& argv) {
  std::string out;
  for (const std::string& a : argv) {
    if (!out.empty()) out += ' ';
    bool plain = !a.empty() && a.find_first_of(" '\"\\$`{}|&;<>()*?!#") == std::string::npos;
    out += plain ? a : "'" + a + "'";
  }
  return out;
}

std::string op_text(const ir::Program& program, const ImageUse& use) {
  return fmt::format("op `{}` ({})", use.op->name, program.where(use.op->loc));
}

// Containers of this state folder still there: a flowc killed outright
// (kill -9) could not stop them. No run holds the folder now but this one.
void remove_left_behind(const ContainerEngine& engine, const std::string& state_dir) {
  auto list = engine.list_labelled_argv(ContainerLauncher::kStateLabel, state_dir);
  if (list.empty()) return;
  Captured found = run_captured({list}, kCheckSeconds)[0];
  if (found.exit_code != 0) return;
  std::vector<std::vector<std::string>> stops;
  std::istringstream names(found.out);
  for (std::string name; std::getline(names, name);) {
    if (!name.empty()) stops.push_back(engine.stop_argv(name));
  }
  if (!stops.empty() && !stops[0].empty()) run_captured(stops, kCheckSeconds);
}

}  // namespace

std::vector<ImageUse> images_needed(const ir::Program& program, const ir::Workflow& workflow) {
  std::set<std::string> workflows{workflow.id}, images;
  std::vector<ImageUse> out;
  collect(program, workflow.body, workflows, images, out);
  return out;
}

std::variant<std::unique_ptr<ContainerLauncher>, PreflightError> prepare_containers(const ir::Program& program,
                                                                                    const ir::Workflow& workflow,
                                                                                    const std::string& engine_name,
                                                                                    const std::string& state_dir) {
  std::vector<ImageUse> uses = images_needed(program, workflow);
  if (uses.empty()) return std::unique_ptr<ContainerLauncher>();
  std::string more =
      uses.size() > 1 ? fmt::format(" (and {} more image{})", uses.size() - 1, uses.size() > 2 ? "s" : "") : "";

  auto engine = make_container_engine(engine_name);
  if (!engine) {
    return PreflightError{
        fmt::format("{} runs in image `{}`, but `{}` is not a container engine flowc knows; "
                    "choose one of {} with --container-engine",
                    op_text(program, uses[0]), uses[0].image, engine_name, fmt::join(container_engine_names(), ", "))};
  }
  auto path = find_on_path(engine->program());
  if (!path) {
    return PreflightError{fmt::format(
        "{} runs in image `{}`{}, but the container engine `{}` is not installed (`{}` is not on PATH); install it "
        "(for podman on Debian: scripts/install-deps.sh, then scripts/podman-setup.sh) or choose another with "
        "--container-engine",
        op_text(program, uses[0]), uses[0].image, more, engine->name(), engine->program())};
  }

  remove_left_behind(*engine, state_dir);

  // Which images are here, and their digests.
  std::vector<std::vector<std::string>> inspects;
  for (const ImageUse& use : uses) inspects.push_back(engine->image_digest_argv(use.image));
  std::vector<Captured> inspected = run_captured(inspects, kCheckSeconds);
  std::vector<std::string> problems;
  std::map<std::string, std::string> digests;
  for (size_t i = 0; i < uses.size(); ++i) {
    std::string digest = inspected[i].exit_code == 0 ? engine->parse_image_digest(inspected[i].out) : "";
    if (digest.empty()) {
      problems.push_back(fmt::format(
          "{} runs in image `{}`, which {} does not have on this machine (flowc never pulls; build, load or pull it "
          "first). `{}` said:{}",
          op_text(program, uses[i]), uses[i].image, engine->name(), command_text(inspects[i]), shown(inspected[i])));
      continue;
    }
    digests[uses[i].image] = digest;
  }

  if (!problems.empty()) {
    std::string message;
    for (const std::string& p : problems) message += (message.empty() ? "" : "\nflowc: error: ") + p;
    return PreflightError{message};
  }
  auto launcher = std::make_unique<ContainerLauncher>(std::move(engine), *path, std::move(digests), state_dir);
  // The probe: a trivial container, started only when the first task in
  // the image is about to (a fully reused run starts none).
  launcher->set_probe(
      [&program, uses, engine_name, path = *path](const std::string& image, const std::string& reference) {
        auto prober = make_container_engine(engine_name);
        const ImageUse* use = &uses[0];
        for (const ImageUse& u : uses) {
          if (u.image == image) use = &u;
        }
        std::vector<std::string> probe = prober->probe_argv(reference);
        std::vector<std::string> argv = probe;
        if (argv[0] == prober->program()) argv[0] = path;  // else a helper on PATH (a shell around the engine)
        Captured c = run_captured({argv}, kCheckSeconds)[0];
        if (c.exit_code == 0 && c.error.empty()) return std::string();
        if (c.exit_code == 127) {
          return fmt::format(
              "{} runs in image `{}`, which has no /bin/sh; flowc runs every task's command with /bin/sh. "
              "`{}` said:{}",
              op_text(program, *use), use->image, command_text(probe), shown(c));
        }
        return fmt::format(
            "{} runs in image `{}`, but {} cannot run a container here: `{}` {}:{}\n  (for podman on a machine like "
            "this one, scripts/podman-setup.sh sets it up)",
            op_text(program, *use), use->image, prober->name(), command_text(probe),
            c.exit_code >= 0 ? fmt::format("exited with code {}", c.exit_code) : std::string("did not run"), shown(c));
      });
  return launcher;
}

}  // namespace flowc::runtime
