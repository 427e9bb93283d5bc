// The flowc subcommands, as plain functions over plain option structs: only
// main.cpp sees CLI11 (it is slow to compile).
#pragma once

#include <string>
#include <vector>

namespace flowc::cli {

// Exit codes: 0 success, 1 the input has errors, 2 usage or I/O error, 70
// a bug in flowc (cli/guard.h; EX_SOFTWARE of sysexits.h).
inline constexpr int kExitOk = 0;
inline constexpr int kExitErrors = 1;
inline constexpr int kExitUsage = 2;
inline constexpr int kExitUnsupported = 33;  // cwl-runner: a feature flowc does not support
inline constexpr int kExitInternal = 70;

struct CommonOptions {
  std::vector<std::string> lib_dirs;  // --lib
  std::string color = "auto";         // auto | always | never
  std::string format = "text";        // diagnostics: text | json
};

struct CheckOptions {
  CommonOptions common;
  std::vector<std::string> files;
};

struct BuildOptions {
  CommonOptions common;
  std::string file;
  std::string output;  // "" = no file; "-" = stdout
  bool summary = false;
};

struct GraphOptions {
  CommonOptions common;
  std::string file;            // .flow or IR (.json)
  std::string format = "dot";  // dot | mermaid
  std::string workflow;        // default: the entry workflow
  std::string output;          // default: stdout
};

struct DocOptions {
  CommonOptions common;
  std::string file;             // a path, or a path under a library folder (std/files.flow)
  std::string format = "text";  // text | markdown | json
};

struct RunCommandOptions {
  CommonOptions common;
  std::string file;                 // .flow or IR
  std::string workflow;             // default: the entry workflow
  std::vector<std::string> params;  // -p name=value
  std::string params_file;          // --params file.json
  std::string cwl_job;              // `flowc run x.cwl JOB`
  std::string outdir = "flow-out";
  std::string publish = "link";  // link | symlink | copy
  std::string state_dir = ".flow";
  std::string log_format = "text";  // text | json
  std::string container_engine;     // podman | docker | apptainer (empty: the profile's, else podman)
  int jobs = 0;
  int max_depth = 1000;
  bool keep_going = false;
  bool fresh = false;
  bool dry_run = false;
  std::string executor;               // local | slurm | slurm-pilot; "": the profile's, else local
  std::string profile;                // --profile FILE (JSON)
  int nodes = 0;                      // slurm-pilot: --nodes
  std::string time;                   // slurm-pilot: --time (its allocation's length)
  std::string registry;               // --registry redis://HOST:PORT
  std::string stream_transport;       // --stream-transport ipc|tcp
  std::string report;                 // --report FILE: the run's HTML report, when it ends
  bool detach = false;                // --detach: start it in the background, print its id
  std::vector<std::string> raw_args;  // the arguments after `run`, as given (for --detach)
  std::string run_id;                 // --run-id (hidden): the id --detach chose
  std::string until;                  // --until CALL
  std::vector<std::string> rerun;     // --rerun OP|CALL
  double summary_seconds = 30;        // --summary-interval: not on a terminal, a summary line this often
};

struct ExplainOptions {
  std::string task;
  std::string state_dir = ".flow";
};

struct CleanOptions {
  std::string state_dir = ".flow";
  size_t keep_runs = 1;
  bool dry_run = false;
};

// runs, status, logs, show, trace, report, cancel: a state folder's runs.
struct ObserveOptions {
  std::string state_dir = ".flow";
  std::string run;          // "": the newest
  std::string task;         // logs, show: a call path or a key prefix
  bool json = false;        // runs, status, show
  bool stderr_log = false;  // logs --stderr
  bool follow = false;      // logs --follow
  bool raw = false;         // trace --raw
  size_t limit = 20;        // runs --limit
  std::string output;       // report -o, trace -o
};

struct ServeOptions {
  std::string root = ".";  // every state folder under it
  std::string bind = "127.0.0.1";
  int port = 8080;         // 0: a free port
  std::string token_file;  // required to bind other than loopback
  std::string port_file;   // --port-file: where to write the port (for scripts and tests)
  double rate = 1000;      // requests per second per client address
  int threads = 0;         // 0: half the cores, at least 2 and at most 4
};

struct LspOptions {
  std::vector<std::string> lib_dirs;  // --lib
  bool log = false;                   // --log: phase times of each check on stderr
};

struct CwlRunnerOptions {
  std::string process;  // a .cwl file, with an optional #fragment
  std::string job;      // the job (inputs) file, YAML or JSON; "" for none
  std::string outdir = ".";
  std::string state_dir;  // default: OUTDIR/.flow
  std::string executor;
  std::string profile;
  int jobs = 0;
  bool fresh = false;
  bool print_ir = false;      // --print-ir: the IR on stdout, nothing run
  bool no_container = false;  // --no-container: DockerRequirement ignored
};

struct ImportCwlOptions {
  std::string process;  // a .cwl file, with an optional #fragment
  std::string output;   // the .flow file; "" for standard output
};

int cmd_check(const CheckOptions& options);
// flowc import-cwl: a CWL document written as .flow (cmd_cwl.cpp).
int cmd_import_cwl(const ImportCwlOptions& options);
// flowc cwl-runner: a CWL process run by flowc's engine (cmd_cwl.cpp).
int cmd_cwl_runner(const CwlRunnerOptions& options);
int cmd_lsp(const LspOptions& options);
int cmd_run(const RunCommandOptions& options);
int run_detached(const RunCommandOptions& options);
// flowc stream-bridge SPEC: runs one stream task (launched by flowc run).
int cmd_stream_bridge(const std::string& spec);
int cmd_explain(const ExplainOptions& options);
int cmd_clean(const CleanOptions& options);
int cmd_runs(const ObserveOptions& options);
int cmd_status(const ObserveOptions& options);
int cmd_logs(const ObserveOptions& options);
int cmd_show(const ObserveOptions& options);
int cmd_trace(const ObserveOptions& options);
int cmd_report(const ObserveOptions& options);
int cmd_cancel(const ObserveOptions& options);
int cmd_serve(const ServeOptions& options);
int cmd_build(const BuildOptions& options);
int cmd_graph(const GraphOptions& options);
int cmd_doc(const DocOptions& options);
// `flowc agent DIR`: a pilot's agent, started inside its allocation (not for people).
int cmd_agent(const std::string& channel_dir);

}  // namespace flowc::cli
