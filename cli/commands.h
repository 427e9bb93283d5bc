// The flowc subcommands, as plain functions over plain option structs: only
// main.cpp sees CLI11 (it is slow to compile).
#pragma once

#include <string>
#include <vector>

namespace flowc::cli {

// Exit codes: 0 success, 1 the input has errors, 2 usage or I/O error.
inline constexpr int kExitOk = 0;
inline constexpr int kExitErrors = 1;
inline constexpr int kExitUsage = 2;

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

int cmd_check(const CheckOptions& options);
int cmd_build(const BuildOptions& options);
int cmd_graph(const GraphOptions& options);

}  // namespace flowc::cli
