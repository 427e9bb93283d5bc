// flowc cwl-runner [--outdir DIR] PROCESS [JOB], and `flowc run x.cwl job.yml`:
// a CWL process compiled into IR (compiler/cwl/) and run by flowc's own
// engine; the CWL output object on stdout. Exit codes follow cwl-runner's
// convention: 0 success, 33 an unsupported feature, 1 a failure, 2 bad input.
#include <filesystem>
#include <functional>
#include <fstream>
#include <iostream>

#include <fmt/format.h>

#include "cli/commands.h"
#include "cli/compile_helpers.h"
#include "cli/cwl_output.h"
#include "compiler/cwl/job.h"
#include "compiler/cwl/lower.h"
#include "compiler/cwl/to_flow.h"
#include "compiler/diag/render.h"
#include "ir/ir_json.h"
#include "runtime/executors/profile.h"
#include "runtime/run/run.h"

namespace flowc::cli {

namespace fs = std::filesystem;

int cmd_cwl_runner(const CwlRunnerOptions& options) {
  SourceManager sources;
  Diagnostics diags;
  cwl::DocumentLoader loader(sources, diags);
  cwl::LowerOptions lower_options;
  lower_options.containers = !options.no_container;
  if (!options.job.empty() && fs::is_regular_file(options.job)) {
    // The job's own requirements (`cwl:requirements`) are part of lowering.
    if (const cwl::YNode* root = loader.load_file(options.job, Span{}); root && root->is_map()) {
      lower_options.job_requirements = root->get("cwl:requirements");
      if (!lower_options.job_requirements)
        lower_options.job_requirements = root->get("http://commonwl.org/cwl#requirements");
    }
  }
  auto lowered = cwl::lower_cwl(loader, options.process, lower_options);
  bool unsupported = false;
  for (const Diagnostic& d : diags.all()) unsupported = unsupported || d.id == DiagId::CwlUnsupported;
  if (!lowered || diags.has_errors()) {
    diags.sort_and_dedupe();
    std::cerr << render_text(diags, sources, TextStyle{false});
    if (!fs::exists(options.process.substr(0, options.process.find('#')))) {
      print_error(fmt::format("cannot read `{}`", options.process));
      return kExitUsage;
    }
    std::cerr << "flowc: nothing was run\n";
    return unsupported ? kExitUnsupported : kExitErrors;
  }
  if (options.print_ir) {
    std::cout << ir::to_json(lowered->program).dump(2) << "\n";
    return kExitOk;
  }
  std::vector<std::string> errors;
  auto job = cwl::read_job(loader, options.job, lowered->inputs, lowered->namespaces, &errors);
  if (!job) {
    for (const std::string& e : errors) print_error(e);
    std::cerr << "flowc: nothing was run\n";
    return kExitErrors;
  }
  const ir::Program& program = lowered->program;
  const ir::Workflow* wf = program.find_workflow(program.entry);
  if (!wf) return kExitErrors;

  std::vector<std::string> executor_errors;
  nlohmann::json overrides = nlohmann::json::object();
  auto executor = runtime::choose_executor(options.profile, options.executor, overrides, &executor_errors);
  if (!executor) {
    for (const std::string& e : executor_errors) print_error(e);
    return kExitUsage;
  }
  runtime::RunOptions run;
  run.executor = *executor;
  run.state_dir = options.state_dir.empty() ? (fs::path(options.outdir) / ".flow").string() : options.state_dir;
  run.outdir = options.outdir;
  run.publish = runtime::PublishMode::Link;
  run.jobs = options.jobs;
  run.fresh = options.fresh;
  run.progress = false;
  run.keep_going = false;
  // What the documents and the job name may be passed on to an output.
  run.publishable = lowered->named_files;
  std::function<void(const nlohmann::ordered_json&)> note = [&](const nlohmann::ordered_json& v) {
    if (v.is_array()) {
      for (const auto& x : v) note(x);
    } else if (v.is_object()) {
      if (v.contains("path") && v["path"].is_string()) run.publishable.push_back(v["path"].get<std::string>());
      for (const auto& [k, x] : v.items()) note(x);
    }
  };
  note(*job);
  auto result = runtime::run_workflow(program, *wf, *job, run, std::cerr);
  if (result.exit_code != 0) return result.exit_code == 2 ? kExitErrors : result.exit_code;
  // The published outputs, as CWL's output object.
  std::ifstream in(fs::path(options.outdir) / "outputs.json");
  nlohmann::json published = nlohmann::json::parse(in, nullptr, false);
  if (published.is_discarded()) {
    print_error("the run's outputs.json cannot be read");
    return kExitErrors;
  }
  std::cout << cwl_output_object(published, lowered->outputs, options.outdir).dump(4) << std::endl;
  return kExitOk;
}

int cmd_import_cwl(const ImportCwlOptions& options) {
  SourceManager sources;
  Diagnostics diags;
  cwl::DocumentLoader loader(sources, diags);
  std::error_code ec;
  fs::path flow_dir = options.output.empty() ? fs::current_path() : fs::absolute(options.output, ec).parent_path();
  auto text = cwl::cwl_to_flow(loader, options.process, flow_dir.lexically_normal().string());
  if (!text || diags.has_errors()) {
    diags.sort_and_dedupe();
    std::cerr << render_text(diags, sources, TextStyle{false});
    if (!fs::exists(options.process.substr(0, options.process.find('#')))) {
      print_error(fmt::format("cannot read `{}`", options.process));
      return kExitUsage;
    }
    std::cerr << "flowc: nothing was written\n";
    return kExitErrors;
  }
  if (options.output.empty()) {
    std::cout << *text;
    return kExitOk;
  }
  // Through a temporary file, so a failed write leaves no half .flow file.
  fs::path temp = options.output + ".tmp";
  {
    std::ofstream out(temp, std::ios::binary | std::ios::trunc);
    out << *text;
    out.flush();
    if (!out) {
      print_error(fmt::format("cannot write `{}`", temp.string()));
      fs::remove(temp, ec);
      return kExitErrors;
    }
  }
  fs::rename(temp, options.output, ec);
  if (ec) {
    print_error(fmt::format("cannot write `{}`: {}", options.output, ec.message()));
    return kExitErrors;
  }
  return kExitOk;
}

}  // namespace flowc::cli
