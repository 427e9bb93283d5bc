// Shared plumbing of the subcommands.
#include "cli/compile_helpers.h"

#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>

#include <nlohmann/json.hpp>

#include "compiler/diag/render.h"
#include "ir/ir_json.h"

namespace flowc::cli {
namespace fs = std::filesystem;

namespace {

bool use_color(const CommonOptions& options) {
  if (options.color == "always") return true;
  if (options.color == "never") return false;
  const char* term = std::getenv("TERM");
  return isatty(STDERR_FILENO) && !std::getenv("NO_COLOR") && term && std::string(term) != "dumb";
}

std::string executable_dir() {
  std::error_code ec;
  fs::path self = fs::read_symlink("/proc/self/exe", ec);
  return ec ? std::string() : self.parent_path().string();
}

}  // namespace

void print_error(const std::string& message) { std::cerr << "flowc: error: " << message << "\n"; }

std::vector<std::string> library_paths(const CommonOptions& options) {
  std::vector<std::string> paths = options.lib_dirs;
  if (const char* flow_path = std::getenv("FLOW_PATH")) {
    std::string all = flow_path;
    size_t start = 0;
    while (start <= all.size()) {
      size_t colon = all.find(':', start);
      std::string dir = all.substr(start, colon == std::string::npos ? std::string::npos : colon - start);
      if (!dir.empty()) paths.push_back(dir);
      if (colon == std::string::npos) break;
      start = colon + 1;
    }
  }
  std::string exe = executable_dir();
  std::string installed;
  if (!exe.empty()) installed = (fs::path(exe) / ".." / "share" / "flowc" / "lib").lexically_normal().string();
  std::error_code ec;
  if (!installed.empty() && fs::is_directory(installed, ec)) {
    paths.push_back(installed);
  } else {
#ifdef FLOWC_SOURCE_STDLIB
    // Not installed: a build tree's flowc uses the source tree's library (an
    // installed one never does, so it cannot silently depend on the sources).
    paths.push_back(FLOWC_SOURCE_STDLIB);
#endif
  }
  return paths;
}

std::unique_ptr<Compilation> compile_file(const std::string& path, const CommonOptions& options, Stage until) {
  CompileOptions compile_options;
  compile_options.library_paths = library_paths(options);
  compile_options.until = until;
  return compile(path, compile_options);
}

void print_diagnostics(const Compilation& c, const CommonOptions& options) {
  if (options.format == "json") {
    std::cout << render_json(c.diags, c.sources).dump(2) << "\n";
    return;
  }
  std::cerr << render_text(c.diags, c.sources, TextStyle{use_color(options)});
}

std::optional<ir::Program> program_from(const std::string& path, const CommonOptions& options, int* exit_code) {
  if (fs::path(path).extension() == ".json") {
    std::string error;
    auto program = ir::load_ir_file(path, &error);
    if (!program) {
      print_error(error);
      *exit_code = kExitUsage;
    }
    return program;
  }
  auto c = compile_file(path, options, Stage::Lower);
  if (!c->io_error.empty()) {
    print_error(c->io_error);
    *exit_code = kExitUsage;
    return std::nullopt;
  }
  print_diagnostics(*c, options);
  if (!c->ok()) {
    std::cerr << "flowc: " << render_summary(c->diags) << "\n";
    *exit_code = kExitErrors;
    return std::nullopt;
  }
  return std::move(c->program);
}

std::string write_file_atomically(const std::string& path, const std::string& text) {
  fs::path target(path);
  fs::path temp = target;
  temp += ".tmp." + std::to_string(::getpid());
  {
    std::ofstream out(temp, std::ios::binary | std::ios::trunc);
    if (!out) return "cannot write `" + temp.string() + "`: " + std::strerror(errno);
    out << text;
    out.flush();
    if (!out) {
      std::error_code ignored;
      fs::remove(temp, ignored);
      return "cannot write `" + temp.string() + "`: " + std::strerror(errno);
    }
  }
  std::error_code ec;
  fs::rename(temp, target, ec);
  if (ec) {
    std::error_code ignored;
    fs::remove(temp, ignored);
    return "cannot write `" + path + "`: " + ec.message();
  }
  return {};
}

int write_output(const std::string& path, const std::string& text) {
  if (path.empty() || path == "-") {
    std::cout << text;
    return kExitOk;
  }
  if (std::string error = write_file_atomically(path, text); !error.empty()) {
    print_error(error);
    return kExitUsage;
  }
  return kExitOk;
}

const ir::Workflow* choose_workflow(const ir::Program& program, const std::string& requested) {
  std::string name = requested.empty() ? program.entry : requested;
  if (const ir::Workflow* wf = program.find_workflow(name)) return wf;
  std::string known;
  for (const ir::Workflow& w : program.workflows) known += (known.empty() ? "" : ", ") + w.id;
  print_error(name.empty() ? "this file has several workflows and none is called `main`; choose one with --workflow (" +
                                 known + ")"
                           : "no workflow is called `" + name + "` (there are: " + known + ")");
  return nullptr;
}

}  // namespace flowc::cli
