// flowc doc FILE: the documentation of a .flow file's ops, workflows and
// types. FILE is found as a path first, then in the library folders, the way
// an import is (`flowc doc std/files.flow`).
#include <filesystem>
#include <iostream>

#include "cli/commands.h"
#include "cli/compile_helpers.h"
#include "cli/doc_render.h"
#include "compiler/diag/render.h"
#include "compiler/doc/documentation.h"

namespace flowc::cli {
namespace fs = std::filesystem;

namespace {

// The file to document: the path as given, else the first library folder
// holding it. Empty (and *why set) when there is none.
std::string find_documented_file(const std::string& given, const std::vector<std::string>& libraries,
                                 std::string* why) {
  std::error_code ec;
  if (fs::is_regular_file(given, ec)) return given;
  if (fs::path(given).is_relative()) {
    for (const std::string& lib : libraries) {
      fs::path candidate = (fs::path(lib) / given).lexically_normal();
      if (fs::is_regular_file(candidate, ec)) return candidate.string();
    }
  }
  std::string searched;
  if (fs::path(given).is_relative()) {
    for (const std::string& lib : libraries) searched += "\n    " + lib;
  }
  *why = "cannot find `" + given + "`: it is not a file" +
         (searched.empty() ? std::string(".")
                           : ", nor in a library folder; searched:" + searched +
                                 "\n  add a folder with --lib DIR or FLOW_PATH, or give the file's path");
  return {};
}

}  // namespace

int cmd_doc(const DocOptions& options) {
  std::string why;
  std::string path = find_documented_file(options.file, library_paths(options.common), &why);
  if (path.empty()) {
    print_error(why);
    return kExitUsage;
  }
  auto c = compile_file(path, options.common, Stage::Check);
  if (!c->io_error.empty()) {
    print_error(c->io_error);
    return kExitUsage;
  }
  if (!c->ok()) {
    print_diagnostics(*c, options.common);
    std::cerr << "flowc: " << render_summary(c->diags) << "; fix them, then ask for its documentation again\n";
    return kExitErrors;
  }
  doc::FileDoc file = doc::document_main(*c);
  file.path = options.file;  // as the user named it, not where the library search found it
  if (options.format == "markdown") std::cout << render_doc_markdown(file);
  else if (options.format == "json") std::cout << render_doc_json(file);
  else std::cout << render_doc_text(file);
  return kExitOk;
}

}  // namespace flowc::cli
