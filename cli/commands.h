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
  std::string file;  // .flow or IR (.json)
  std::string format = "dot";  // dot | mermaid
  std::string workflow;        // default: the entry workflow
  std::string output;          // default: stdout
};

struct DocOptions {
  CommonOptions common;
  std::string file;            // a path, or a path under a library folder (std/files.flow)
  std::string format = "text";  // text | markdown | json
};

struct RunCommandOptions {
  CommonOptions common;
  std::string file;                     // .flow or IR
  std::string workflow;                 // default: the entry workflow
  std::vector<std::string> params;      // -p name=value
  std::string params_file;              // --params file.json
  std::string outdir = "flow-out";
  std::string publish = "link";         // link | symlink | copy
  std::string state_dir = ".flow";
  std::string log_format = "text";      // text | json
  std::string container_engine;  // podman | docker | apptainer (empty: the profile's, else podman)
  int jobs = 0;
  int max_depth = 1000;
  bool keep_going = false;
  bool fresh = false;
  bool dry_run = false;
  std::string executor;                 // local | slurm | slurm-pilot; "": the profile's, else local
  std::string profile;                  // --profile FILE (JSON)
  int nodes = 0;                        // slurm-pilot: --nodes
  std::string time;                     // slurm-pilot: --time (its allocation's length)
  std::string registry;                 // --registry redis://HOST:PORT
  std::string stream_transport;         // --stream-transport ipc|tcp
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

struct LspOptions {
  std::vector<std::string> lib_dirs;  // --lib
  bool log = false;                   // --log: phase times of each check on stderr
};

int cmd_check(const CheckOptions& options);
int cmd_lsp(const LspOptions& options);
int cmd_run(const RunCommandOptions& options);
// flowc stream-bridge SPEC: runs one stream task (launched by flowc run).
int cmd_stream_bridge(const std::string& spec);
int cmd_explain(const ExplainOptions& options);
int cmd_clean(const CleanOptions& options);
int cmd_build(const BuildOptions& options);
int cmd_graph(const GraphOptions& options);
int cmd_doc(const DocOptions& options);
// `flowc agent DIR`: a pilot's agent, started inside its allocation (not for people).
int cmd_agent(const std::string& channel_dir);

}  // namespace flowc::cli
