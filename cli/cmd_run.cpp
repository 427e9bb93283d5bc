// flowc run FILE: runs a workflow here (.flow or IR).
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <iostream>
#include <optional>

#include "cli/commands.h"
#include "cli/compile_helpers.h"
#include "runtime/executors/pilot/agent.h"
#include "runtime/containers/container_settings.h"
#include "runtime/executors/profile.h"
#include "runtime/run/params.h"
#include "runtime/run/clean.h"
#include "runtime/run/explain.h"
#include "runtime/run/run.h"
#include "runtime/streams/bridge.h"

namespace flowc::cli {
namespace {

// Why outputs could not be published in `outdir`, found before anything runs
// rather than after the whole workflow did: it, or the nearest part of it
// that exists, must be a folder flowc can write in.
std::optional<std::string> outdir_problem(const std::string& outdir) {
  namespace fs = std::filesystem;
  std::error_code ec;
  fs::path dir = fs::absolute(outdir, ec).lexically_normal();
  if (ec) return "--outdir `" + outdir + "`: " + ec.message();
  if (dir.has_relative_path() && !dir.has_filename()) dir = dir.parent_path();  // a trailing `/`
  for (fs::path p = dir;; p = p.parent_path()) {
    fs::file_status st = fs::status(p, ec);
    if (fs::exists(st)) {
      if (!fs::is_directory(st)) {
        return p == dir ? "--outdir `" + outdir + "` is a file, not a folder; choose another --outdir or move the file"
                        : "--outdir `" + outdir + "`: `" + p.string() + "` is a file, so no folder can be made in it";
      }
      if (::access(p.c_str(), W_OK | X_OK) != 0) {
        return "--outdir `" + outdir + "`: cannot write in `" + p.string() + "` (" + std::strerror(errno) + ")";
      }
      return std::nullopt;
    }
    if (!p.has_relative_path()) return std::nullopt;  // at the root
  }
}

}  // namespace

int cmd_run(const RunCommandOptions& options) {
  if (options.detach) return run_detached(options);
  int exit_code = kExitOk;
  auto program = program_from(options.file, options.common, &exit_code);
  if (!program) return exit_code;
  const ir::Workflow* wf = choose_workflow(*program, options.workflow);
  if (!wf) return kExitUsage;

  std::vector<std::string> errors;
  auto inputs = runtime::workflow_inputs(*program, *wf, options.params, options.params_file, &errors);
  if (auto problem = outdir_problem(options.outdir)) errors.push_back(*problem);
  if (!inputs || !errors.empty()) {
    for (const std::string& e : errors) print_error(e);
    std::cerr << "flowc: nothing was run\n";
    return kExitUsage;
  }

  // Where tasks run: the command line, then the profile.
  nlohmann::json overrides = nlohmann::json::object();
  if (options.nodes > 0) overrides["nodes"] = options.nodes;
  if (!options.time.empty()) overrides["time"] = options.time;
  std::vector<std::string> executor_errors;
  auto executor = runtime::choose_executor(options.profile, options.executor, overrides, &executor_errors);
  if (executor && !overrides.empty() && executor->name != "slurm-pilot") {
    executor_errors.push_back("--nodes and --time size a pilot's allocation: use them with --executor slurm-pilot");
  }
  auto containers = executor_errors.empty()
                        ? runtime::choose_containers(options.profile, options.container_engine, &executor_errors)
                        : std::nullopt;
  if (!executor_errors.empty()) {
    for (const std::string& e : executor_errors) print_error(e);
    std::cerr << "flowc: nothing was run\n";
    return kExitUsage;
  }

  runtime::RunOptions run;
  run.executor = *executor;
  // Executors ops ask for by name, with the profile's settings for each.
  for (const ir::Op& op : program->ops) {
    if (!op.executor || *op.executor == executor->name || run.op_executors.count(*op.executor)) continue;
    std::vector<std::string> ignored;  // a profile's mistakes were reported above; a wrong name is, in the run
    if (auto choice = runtime::choose_executor(options.profile, *op.executor, {}, &ignored)) {
      run.op_executors[*op.executor] = *choice;
    }
  }
  run.state_dir = options.state_dir;
  run.outdir = options.outdir;
  run.publish = options.publish == "copy"      ? runtime::PublishMode::Copy
                : options.publish == "symlink" ? runtime::PublishMode::Symlink
                                               : runtime::PublishMode::Link;
  run.jobs = options.jobs;
  run.keep_going = options.keep_going;
  run.fresh = options.fresh;
  run.dry_run = options.dry_run;
  run.json_events = options.log_format == "json";
  run.max_depth = options.max_depth;
  run.container_engine = containers->engine;
  run.container_group = containers->group;
  run.registry = options.registry;
  run.stream_transport = options.stream_transport;
  run.summary_seconds = options.summary_seconds;
  run.run_id = options.run_id;
  run.until = options.until;
  run.rerun = options.rerun;
  runtime::RunResult result = runtime::run_workflow(*program, *wf, *inputs, run, std::cerr);
  if (!options.report.empty() && !result.run_id.empty()) {
    ObserveOptions report;
    report.state_dir = options.state_dir;
    report.run = result.run_id;
    report.output = options.report;
    if (cmd_report(report) != kExitOk && result.exit_code == 0) return kExitErrors;
  }
  return result.exit_code;
}

int cmd_agent(const std::string& channel_dir) { return runtime::pilot::run_agent(channel_dir); }

int cmd_stream_bridge(const std::string& spec) { return runtime::streams::bridge_main(spec); }

int cmd_explain(const ExplainOptions& options) {
  bool found = false;
  try {
    std::cout << runtime::explain_task(options.state_dir, options.task, &found) << "\n";
  } catch (const std::exception& e) {
    print_error(e.what());
    return kExitUsage;
  }
  return found ? kExitOk : kExitErrors;
}

int cmd_clean(const CleanOptions& options) {
  try {
    runtime::CleanReport r = runtime::clean_work_dirs(options.state_dir, options.keep_runs, options.dry_run);
    std::cerr << "flowc: " << (options.dry_run ? "would remove " : "removed ") << r.removed << " work dir"
              << (r.removed == 1 ? "" : "s") << " (" << (r.bytes / 1024) << " KiB); kept " << r.kept
              << " used by the last " << options.keep_runs << " run" << (options.keep_runs == 1 ? "" : "s") << "\n";
    if (!r.error.empty()) std::cerr << "flowc: warning: " << r.error << "\n";
  } catch (const std::exception& e) {
    print_error(e.what());
    return kExitUsage;
  }
  return kExitOk;
}

}  // namespace flowc::cli
