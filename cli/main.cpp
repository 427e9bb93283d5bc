// flowc: the command line. Parses arguments (CLI11) and dispatches to the
// subcommands in cmd_*.cpp.
#include <iostream>

#include <CLI/CLI.hpp>

#include "cli/commands.h"
#include "cli/guard.h"
#include "runtime/containers/container_engine.h"

namespace {

void add_common(CLI::App* cmd, flowc::cli::CommonOptions& common, bool diagnostics_format) {
  cmd->add_option("--lib", common.lib_dirs, "Folder to search for imported libraries (repeatable)")
      ->check(CLI::ExistingDirectory);
  cmd->add_option("--color", common.color, "Colour diagnostics: auto, always, never")
      ->check(CLI::IsMember({"auto", "always", "never"}));
  if (diagnostics_format) {
    cmd->add_option("--format", common.format, "Diagnostics as text or json")->check(CLI::IsMember({"text", "json"}));
  }
}

int flowc_main(int argc, char** argv) {
  CLI::App app{"flowc: a typed workflow language; checks .flow files, compiles them to IR, and runs them"};
  app.set_version_flag("-V,--version", std::string("flowc ") + FLOWC_VERSION);
  app.require_subcommand(1);
  app.footer(
      "Run `flowc COMMAND --help` for a command's options.\nExit codes: 0 ok, 1 errors in the input, 2 usage or I/O error, 70 a bug in flowc (please report it).");

  flowc::cli::CheckOptions check;
  CLI::App* check_cmd = app.add_subcommand("check", "Type-check .flow files and report every error");
  check_cmd->add_option("files", check.files, "The .flow files to check")->required();
  add_common(check_cmd, check.common, true);

  flowc::cli::BuildOptions build;
  CLI::App* build_cmd = app.add_subcommand("build", "Compile a .flow file to IR (JSON)");
  build_cmd->add_option("file", build.file, "The .flow file")->required();
  build_cmd->add_option("-o,--output", build.output, "Where to write the IR (`-` for standard output)");
  build_cmd->add_flag("--summary", build.summary, "Print a summary of the IR");
  add_common(build_cmd, build.common, true);

  flowc::cli::GraphOptions graph;
  CLI::App* graph_cmd = app.add_subcommand("graph", "Draw a workflow's call graph");
  graph_cmd->add_option("file", graph.file, "A .flow file or an IR file (.json)")->required();
  graph_cmd->add_option("--format", graph.format, "dot (Graphviz) or mermaid")
      ->check(CLI::IsMember({"dot", "mermaid"}));
  graph_cmd->add_option("-w,--workflow", graph.workflow, "The workflow to draw (default: the entry workflow)");
  graph_cmd->add_option("-o,--output", graph.output, "Where to write it (default: standard output)");
  add_common(graph_cmd, graph.common, false);

  flowc::cli::DocOptions doc;
  CLI::App* doc_cmd = app.add_subcommand("doc", "Print the documentation of a .flow file's ops, workflows and types");
  doc_cmd->add_option("file", doc.file, "A .flow file, or one under a library folder (std/files.flow)")->required();
  doc_cmd->add_option("--format", doc.format, "text, markdown or json")
      ->check(CLI::IsMember({"text", "markdown", "json"}));
  add_common(doc_cmd, doc.common, false);

  flowc::cli::RunCommandOptions run;
  CLI::App* run_cmd = app.add_subcommand("run", "Run a workflow on this machine (.flow or IR)");
  run_cmd->add_option("file", run.file, "The .flow file or IR file (.json), or a CWL document (.cwl)")->required();
  run_cmd->add_option("job", run.cwl_job, "For a .cwl document: its job (inputs), YAML or JSON");
  run_cmd->add_option("-p,--param", run.params, "An input: -p name=value (lists, records: JSON); repeatable");
  run_cmd->add_option("--params", run.params_file, "Inputs from a JSON file")->check(CLI::ExistingFile);
  run_cmd->add_option("-w,--workflow", run.workflow, "The workflow to run (default: the entry workflow)");
  run_cmd->add_option("-o,--outdir", run.outdir, "Where to publish the outputs (default: flow-out)");
  run_cmd->add_option("--publish", run.publish, "How outputs are published: link (hard links), symlink, copy")
      ->check(CLI::IsMember({"link", "symlink", "copy"}));
  run_cmd->add_option("-j,--jobs", run.jobs, "Tasks at once (default: one per core)")->check(CLI::PositiveNumber);
  run_cmd->add_flag("-k,--keep-going", run.keep_going, "After a failure, finish everything that does not depend on it");
  run_cmd->add_flag("--fresh", run.fresh, "Reuse no earlier result");
  run_cmd->add_flag("-n,--dry-run", run.dry_run, "Plan only: show what would run");
  run_cmd->add_option("--log-format", run.log_format, "text, or json: events on stdout as JSON lines")
      ->check(CLI::IsMember({"text", "json"}));
  run_cmd->add_option("--state-dir", run.state_dir, "Where the journal, cache and work dirs live (default: .flow)");
  run_cmd
      ->add_option(
          "--container-engine", run.container_engine,
          "What runs ops that have an image: podman, docker, apptainer, charliecloud (default: the profile's, else podman)")
      ->check(CLI::IsMember(flowc::runtime::container_engine_names()));
  run_cmd->add_option("--max-depth", run.max_depth, "Deepest nesting of workflow calls (default: 1000)")
      ->check(CLI::PositiveNumber);
  run_cmd->add_option("--executor", run.executor,
                      "Where tasks run: local (this machine), slurm (one batch job each), slurm-pilot (inside one "
                      "allocation) (default: the profile's, else local)");
  run_cmd
      ->add_option("--profile", run.profile,
                   "A JSON file naming executors and their settings (partition, "
                   "account, max_queued...)")
      ->check(CLI::ExistingFile);
  run_cmd->add_option("--nodes", run.nodes, "slurm-pilot: nodes of the allocation")->check(CLI::PositiveNumber);
  run_cmd->add_option("--time", run.time, "slurm-pilot: length of the allocation (e.g. 30m, 2h)");
  run_cmd->add_option("--registry", run.registry,
                      "Stream endpoint registry: redis://HOST:PORT (default: embedded in this run)");
  run_cmd
      ->add_option("--stream-transport", run.stream_transport,
                   "Stream sockets: ipc or tcp (default: ipc, tcp with --registry)")
      ->check(CLI::IsMember({"ipc", "tcp"}));
  run_cmd->add_option("--report", run.report, "When the run ends, write its HTML report to this file");
  run_cmd->add_flag("--detach", run.detach,
                    "Start the run in the background and print its id (`flowc status ID`, `flowc cancel ID`)");
  run_cmd->add_option("--run-id", run.run_id, "")->group("");  // chosen by --detach for its background run
  run_cmd->add_option("--until", run.until,
                      "Run only what this call needs (a call: main.g, g, or one item: main.g[2])");
  run_cmd->add_option("--rerun", run.rerun,
                      "Run these tasks again, and what reads from them, reusing the rest (an op, or a call: main.g, "
                      "main.g[2]); repeatable");
  run_cmd
      ->add_option("--summary-interval", run.summary_seconds,
                   "When the output is not a terminal: seconds between summary lines (default: 30)")
      ->check(CLI::PositiveNumber);
  add_common(run_cmd, run.common, false);

  flowc::cli::CwlRunnerOptions cwl;
  CLI::App* cwl_cmd = app.add_subcommand("cwl-runner",
                                         "Run a CWL process (CommandLineTool, ExpressionTool, Workflow) "
                                         "on flowc's engine; prints the CWL output object");
  cwl_cmd->add_option("process", cwl.process, "The .cwl document (file.cwl or file.cwl#id)")->required();
  cwl_cmd->add_option("job", cwl.job, "The job: the inputs, as YAML or JSON");
  cwl_cmd->add_option("--outdir", cwl.outdir, "Where the outputs go (default: the current folder)");
  cwl_cmd->add_option("--state-dir", cwl.state_dir, "Journal, cache and work dirs (default: OUTDIR/.flow)");
  cwl_cmd->add_option("--executor", cwl.executor, "local, slurm or slurm-pilot");
  cwl_cmd->add_option("--profile", cwl.profile, "A JSON profile of executors")->check(CLI::ExistingFile);
  cwl_cmd->add_option("-j,--jobs", cwl.jobs, "Tasks at once")->check(CLI::PositiveNumber);
  cwl_cmd->add_flag("--fresh", cwl.fresh, "Reuse no earlier result");
  cwl_cmd->add_flag("--print-ir", cwl.print_ir, "Print the IR the document compiles to, and run nothing");
  bool ignored_flag = false;
  cwl_cmd->add_flag("--no-container", cwl.no_container,
                    "Ignore DockerRequirement (as cwltool --no-container); without it, one in `requirements` runs the "
                    "tool in that image (local images only)");
  cwl_cmd->add_flag("--quiet", ignored_flag, "Accepted for compatibility");

  flowc::cli::ImportCwlOptions import_cwl;
  CLI::App* import_cmd = app.add_subcommand("import-cwl",
                                            "Write a CWL document as a .flow file (an op per tool, a "
                                            "workflow per workflow), refusing what .flow cannot say");
  import_cmd->add_option("process", import_cwl.process, "The .cwl document (file.cwl or file.cwl#id)")->required();
  import_cmd->add_option("-o,--output", import_cwl.output, "The .flow file to write (default: standard output)");

  std::string bridge_spec;
  CLI::App* bridge_cmd = app.add_subcommand("stream-bridge", "Run one stream task (flowc run starts this itself)");
  bridge_cmd->add_option("spec", bridge_spec, "The task's .stream.json")->required();
  bridge_cmd->group("");  // internal: not listed in --help

  flowc::cli::ExplainOptions explain;
  // A pilot's agent, started by flowc inside a Slurm allocation: hidden from --help.
  std::string agent_dir;
  CLI::App* agent_cmd = app.add_subcommand("agent", "");
  agent_cmd->group("");
  agent_cmd->add_option("dir", agent_dir, "The pilot's channel folder")->required();

  CLI::App* explain_cmd = app.add_subcommand("explain", "Say why a task of the last run ran instead of being reused");
  explain_cmd->add_option("task", explain.task, "The task, by call path: main.count[3]")->required();
  explain_cmd->add_option("--state-dir", explain.state_dir, "Where the journal lives (default: .flow)");

  flowc::cli::CleanOptions clean;
  CLI::App* clean_cmd = app.add_subcommand("clean", "Remove work dirs the latest runs do not use");
  clean_cmd->add_option("--keep", clean.keep_runs, "Keep what the last N runs used (default: 1)")
      ->check(CLI::PositiveNumber);
  clean_cmd->add_flag("-n,--dry-run", clean.dry_run, "Only say what would be removed");
  clean_cmd->add_option("--state-dir", clean.state_dir, "Where the journal and work dirs live (default: .flow)");

  // A state folder's runs and tasks (cmd_observe.cpp, cmd_report.cpp).
  flowc::cli::ObserveOptions observe;
  auto state_dir_option = [&](CLI::App* cmd) {
    cmd->add_option("--state-dir", observe.state_dir, "Where the journal lives (default: .flow)");
  };
  CLI::App* runs_cmd = app.add_subcommand("runs", "List the runs of this state folder, newest first");
  runs_cmd->add_option("--limit", observe.limit, "At most this many (default: 20)")->check(CLI::PositiveNumber);
  runs_cmd->add_flag("--json", observe.json, "As JSON");
  state_dir_option(runs_cmd);
  CLI::App* status_cmd = app.add_subcommand(
      "status", "Show one run: counts per op, running tasks with their executor and job, failures with their logs");
  status_cmd->add_option("run", observe.run, "The run, by id or a prefix of it (default: the newest)");
  status_cmd->add_flag("--json", observe.json, "As JSON, for scripts");
  state_dir_option(status_cmd);
  CLI::App* logs_cmd = app.add_subcommand("logs", "Print a task's output (its stdout, or --stderr)");
  logs_cmd->add_option("task", observe.task, "The task: its call path (main.g[2]) or a prefix of its key")->required();
  logs_cmd->add_flag("--stderr", observe.stderr_log, "Its stderr instead of its stdout");
  logs_cmd->add_flag("-f,--follow", observe.follow, "Keep printing while the task runs");
  logs_cmd->add_option("--run", observe.run, "The run (default: the newest that has the task)");
  state_dir_option(logs_cmd);
  CLI::App* show_cmd = app.add_subcommand(
      "show",
      "Show a task: inputs, outputs, the exact command, work dir, executor and job, attempts, timings, resources");
  show_cmd->add_option("task", observe.task, "The task: its call path (main.g[2]) or a prefix of its key")->required();
  show_cmd->add_option("--run", observe.run, "The run (default: the newest that has the task)");
  show_cmd->add_flag("--json", observe.json, "As JSON");
  state_dir_option(show_cmd);
  CLI::App* trace_cmd = app.add_subcommand("trace", "Print a run's tasks as a TSV with Nextflow's trace columns");
  trace_cmd->add_option("run", observe.run, "The run, by id or a prefix of it (default: the newest)");
  trace_cmd->add_flag("--raw", observe.raw, "Plain numbers: milliseconds, bytes, epoch milliseconds");
  trace_cmd->add_option("-o,--output", observe.output, "Where to write it (default: standard output)");
  state_dir_option(trace_cmd);
  CLI::App* report_cmd = app.add_subcommand(
      "report",
      "Write a run's report: one HTML file (summary, timeline, graph, tasks, resources, failures) that opens offline");
  report_cmd->add_option("run", observe.run, "The run, by id or a prefix of it (default: the newest)");
  report_cmd->add_option("-o,--output", observe.output, "The file to write (default: report.html)");
  state_dir_option(report_cmd);
  CLI::App* cancel_cmd =
      app.add_subcommand("cancel", "Stop a running run as Ctrl-C would (its tasks are stopped and journaled)");
  cancel_cmd->add_option("run", observe.run, "The run, by id or a prefix of it")->required();
  state_dir_option(cancel_cmd);

  flowc::cli::ServeOptions serve;
  CLI::App* serve_cmd = app.add_subcommand(
      "serve", "Serve a live web UI and an HTTP API (docs/api.md) over every state folder under a root");
  serve_cmd->add_option("--root", serve.root, "The folder whose state folders (.flow) are served (default: .)");
  serve_cmd->add_option("--port", serve.port, "The port (default: 8080; 0: a free one)")->check(CLI::Range(0, 65535));
  serve_cmd->add_option("--bind", serve.bind,
                        "The address to listen on (default: 127.0.0.1; another needs --token-file)");
  serve_cmd->add_option("--token-file", serve.token_file, "A file holding the secret POST requests must send");
  serve_cmd->add_option("--port-file", serve.port_file, "Write the port listened on to this file");
  serve_cmd->add_option("--rate", serve.rate, "Requests per second allowed per client address (default: 1000)")
      ->check(CLI::PositiveNumber);
  serve_cmd->add_option("--threads", serve.threads, "Threads serving requests (default: half the cores, 2 to 4)")
      ->check(CLI::Range(1, 64));

  flowc::cli::LspOptions lsp;
  CLI::App* lsp_cmd = app.add_subcommand(
      "lsp",
      "Serve editors over the Language Server Protocol on stdin/stdout (diagnostics, hover, definitions, completion)");
  lsp_cmd->add_option("--lib", lsp.lib_dirs, "Folder to search for imported libraries (repeatable)")
      ->check(CLI::ExistingDirectory);
  lsp_cmd->add_flag("--log", lsp.log, "Write the phase times of each check to stderr");

  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForVersion& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    app.exit(e);
    return flowc::cli::kExitUsage;
  }

  if (check_cmd->parsed()) return flowc::cli::cmd_check(check);
  if (build_cmd->parsed()) {
    if (build.output.empty() && !build.summary) build.output = "-";
    return flowc::cli::cmd_build(build);
  }
  if (graph_cmd->parsed()) return flowc::cli::cmd_graph(graph);
  if (doc_cmd->parsed()) return flowc::cli::cmd_doc(doc);
  if (run_cmd->parsed()) {
    // `flowc run tool.cwl job.yml`: a CWL document, its job as the next argument.
    if (run.file.size() > 4 && run.file.substr(run.file.size() - 4) == ".cwl") {
      cwl.process = run.file;
      cwl.job = run.cwl_job.empty() ? run.params_file : run.cwl_job;
      cwl.outdir = run.outdir;
      cwl.state_dir = run.state_dir;
      cwl.executor = run.executor;
      cwl.profile = run.profile;
      cwl.jobs = run.jobs;
      cwl.fresh = run.fresh;
      return flowc::cli::cmd_cwl_runner(cwl);
    }
    for (int i = 2; i < argc; ++i) {
      if (std::string_view(argv[i]) != "--detach") run.raw_args.emplace_back(argv[i]);
    }
    return flowc::cli::cmd_run(run);
  }
  if (cwl_cmd->parsed()) return flowc::cli::cmd_cwl_runner(cwl);
  if (import_cmd->parsed()) return flowc::cli::cmd_import_cwl(import_cwl);
  if (explain_cmd->parsed()) return flowc::cli::cmd_explain(explain);
  if (agent_cmd->parsed()) return flowc::cli::cmd_agent(agent_dir);
  if (clean_cmd->parsed()) return flowc::cli::cmd_clean(clean);
  if (lsp_cmd->parsed()) return flowc::cli::cmd_lsp(lsp);
  if (runs_cmd->parsed()) return flowc::cli::cmd_runs(observe);
  if (status_cmd->parsed()) return flowc::cli::cmd_status(observe);
  if (logs_cmd->parsed()) return flowc::cli::cmd_logs(observe);
  if (show_cmd->parsed()) return flowc::cli::cmd_show(observe);
  if (trace_cmd->parsed()) return flowc::cli::cmd_trace(observe);
  if (report_cmd->parsed()) return flowc::cli::cmd_report(observe);
  if (cancel_cmd->parsed()) return flowc::cli::cmd_cancel(observe);
  if (serve_cmd->parsed()) return flowc::cli::cmd_serve(serve);
  if (bridge_cmd->parsed()) return flowc::cli::cmd_stream_bridge(bridge_spec);
  return flowc::cli::kExitUsage;
}

}  // namespace

int main(int argc, char** argv) {
  flowc::cli::install_terminate_handler();
  return flowc::cli::run_guarded([&] { return flowc_main(argc, argv); });
}
