// flowc: the command line. Parses arguments (CLI11) and dispatches to the
// subcommands in cmd_*.cpp.
#include <iostream>

#include <CLI/CLI.hpp>

#include "cli/commands.h"
#include "cli/guard.h"

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
  app.footer("Run `flowc COMMAND --help` for a command's options.\nExit codes: 0 ok, 1 errors in the input, 2 usage or I/O error, 70 a bug in flowc (please report it).");

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
  graph_cmd->add_option("--format", graph.format, "dot (Graphviz) or mermaid")->check(CLI::IsMember({"dot", "mermaid"}));
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
  run_cmd->add_option("file", run.file, "The .flow file or IR file (.json)")->required();
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
  run_cmd->add_option("--container-engine", run.container_engine,
                      "What runs ops that have an image: podman, docker, apptainer (default: the profile's, else podman)")
      ->check(CLI::IsMember({"podman", "docker", "apptainer"}));
  run_cmd->add_option("--max-depth", run.max_depth, "Deepest nesting of workflow calls (default: 1000)")
      ->check(CLI::PositiveNumber);
  run_cmd->add_option("--executor", run.executor,
                      "Where tasks run: local (this machine), slurm (one batch job each), slurm-pilot (inside one "
                      "allocation) (default: the profile's, else local)");
  run_cmd->add_option("--profile", run.profile, "A JSON file naming executors and their settings (partition, "
                                                "account, max_queued...)")
      ->check(CLI::ExistingFile);
  run_cmd->add_option("--nodes", run.nodes, "slurm-pilot: nodes of the allocation")->check(CLI::PositiveNumber);
  run_cmd->add_option("--time", run.time, "slurm-pilot: length of the allocation (e.g. 30m, 2h)");
  run_cmd->add_option("--registry", run.registry,
                      "Stream endpoint registry: redis://HOST:PORT (default: embedded in this run)");
  run_cmd->add_option("--stream-transport", run.stream_transport,
                      "Stream sockets: ipc or tcp (default: ipc, tcp with --registry)")
      ->check(CLI::IsMember({"ipc", "tcp"}));
  add_common(run_cmd, run.common, false);

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

  flowc::cli::LspOptions lsp;
  CLI::App* lsp_cmd = app.add_subcommand(
      "lsp", "Serve editors over the Language Server Protocol on stdin/stdout (diagnostics, hover, definitions, completion)");
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
  if (run_cmd->parsed()) return flowc::cli::cmd_run(run);
  if (explain_cmd->parsed()) return flowc::cli::cmd_explain(explain);
  if (agent_cmd->parsed()) return flowc::cli::cmd_agent(agent_dir);
  if (clean_cmd->parsed()) return flowc::cli::cmd_clean(clean);
  if (lsp_cmd->parsed()) return flowc::cli::cmd_lsp(lsp);
  if (bridge_cmd->parsed()) return flowc::cli::cmd_stream_bridge(bridge_spec);
  return flowc::cli::kExitUsage;
}

}  // namespace

int main(int argc, char** argv) {
  flowc::cli::install_terminate_handler();
  return flowc::cli::run_guarded([&] { return flowc_main(argc, argv); });
}
