// Node-local staging as shell text, and putting a work dir back after a
// staged job ended without its own clean-up.
#include "runtime/executors/batch/staging.h"

#include <filesystem>
#include <sstream>

#include <fmt/format.h>

#include "runtime/executors/slurm/command.h"

namespace flowc::runtime {
namespace {

std::string q(const std::string& s) { return shell_quote(s); }
std::string filename(const std::string& path) { return std::filesystem::path(path).filename().string(); }

// The scratch folder each staged input is copied into: one per input, and
// its main file's for a companion (tools look for an index beside the file
// a link leads to).
std::vector<size_t> stage_folders(const StagingPlan& plan) {
  std::vector<size_t> folders;
  size_t next = 0;
  for (size_t k = 0; k < plan.inputs.size(); ++k) {
    folders.push_back(plan.inputs[k].beside_previous && k > 0 ? folders.back() : next++);
  }
  return folders;
}

}  // namespace

std::string staging_copy(const StagingPlan& plan) {
  std::string s;
  std::vector<size_t> folders = stage_folders(plan);
  for (size_t k = 0; k < plan.inputs.size(); ++k) {
    const auto& in = plan.inputs[k];
    s += fmt::format("{{ mkdir -p \"$stage/in/{}\" && cp -RLp {} \"$stage/in/{}/\"{}; }} || rc=98\n", folders[k],
                     q(in.source), folders[k], q(filename(in.link)));
  }
  return s;
}

std::string staging_links(const StagingPlan& plan) {
  std::string s;
  std::vector<size_t> folders = stage_folders(plan);
  for (size_t k = 0; k < plan.inputs.size(); ++k) {
    const auto& in = plan.inputs[k];
    s += fmt::format("ln -sfn \"$stage/in/{}/\"{} {} || rc=98\n", folders[k], q(filename(in.link)), q(in.link));
  }
  for (size_t k = 0; k < plan.outputs.size(); ++k) {
    const std::string& out = plan.outputs[k];
    s += fmt::format("{{ mkdir -p \"$stage/out/{}\" && rm -rf {} && ln -s \"$stage/out/{}/\"{} {}; }} || rc=98\n", k,
                     q(out), k, q(filename(out)), q(out));
  }
  return s;
}

std::string staging_failed(const std::string& scratch, const std::string& err) {
  return "[ $rc -eq 0 ] || echo \"flowc: cannot stage the task's files in node-local scratch " + scratch +
         " on $(hostname) (the profile's scratch: is it there, writable, with room?)\" " + err + "\n";
}

std::string staging_start(const StagingPlan& plan, const std::string& scratch, const std::string& err) {
  std::ostringstream s;
  s << "# Node-local staging: the inputs are read from copies in scratch, the\n"
    << "# outputs written there and moved back once the command succeeded.\n"
    << "rc=0\n"
    << "stage=$(mkdir -p " << q(scratch) << " && mktemp -d " << q(scratch + "/flowc-XXXXXXXX") << ") || rc=98\n"
    << "trap 'if [ -n \"$stage\" ]; then rm -rf \"$stage\"; fi' EXIT\n"
    << "trap 'exit 143' TERM\n"
    << "if [ $rc -eq 0 ]; then\n"
    << staging_copy(plan) << staging_links(plan) << "fi\n"
    << staging_failed(scratch, err);
  return s.str();
}

std::string staging_end(const StagingPlan& plan, const std::string& err) {
  std::ostringstream s;
  s << "# The links name the inputs themselves again.\n";
  for (const auto& in : plan.inputs) s << "ln -sfn " << q(in.source) << " " << q(in.link) << "\n";
  s << "if [ $rc -eq 0 ]; then\n";
  for (size_t k = 0; k < plan.outputs.size(); ++k) {
    const std::string& out = plan.outputs[k];
    std::string staged = fmt::format("\"$stage/out/{}/\"{}", k, q(filename(out)));
    std::string temporary = q(out + ".flowc-moving");
    // Still our link: the output is in scratch (a command that replaced the
    // link wrote its output in the work dir itself).
    s << "  if [ -L " << q(out) << " ] && [ \"$(readlink " << q(out) << ")\" = " << staged << " ]; then\n"
      << "    if [ -e " << staged << " ]; then\n"
      << "      { cp -RPp " << staged << " " << temporary << " && mv -f " << temporary << " " << q(out) << "; } || {\n"
      << "        rc=99; rm -rf " << temporary << "; echo \"flowc: cannot move output " << out
      << " back from node-local scratch\" " << err << "; }\n"
      << "    else rm -f " << q(out) << "; fi\n"
      << "  fi\n";
  }
  s << "  :\n"  // a task with no file output (only values) has nothing to move: `then fi` is a syntax error
    << "fi\n"
    << "if [ $rc -ne 0 ]; then\n";
  for (const std::string& out : plan.outputs) s << "  rm -rf " << q(out) << "\n";
  s << "  :\nfi\n"
    << "rm -rf \"$stage\"; stage=\n";
  return s.str();
}

void unstage(const StagingPlan& plan) {
  std::error_code ec;
  for (const auto& in : plan.inputs) {
    if (std::filesystem::read_symlink(in.link, ec) == in.source) continue;
    std::filesystem::remove(in.link, ec);
    std::filesystem::create_symlink(in.source, in.link, ec);
  }
  for (const std::string& out : plan.outputs) {
    if (std::filesystem::is_symlink(std::filesystem::symlink_status(out, ec))) std::filesystem::remove(out, ec);
    std::filesystem::remove_all(out + ".flowc-moving", ec);
  }
}

}  // namespace flowc::runtime
