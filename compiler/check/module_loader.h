// Loading a program's files: the main .flow file and, transitively, every
// file it imports, each read and parsed once.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "compiler/ast/ast.h"
#include "compiler/diag/diagnostic.h"
#include "compiler/source/source.h"

namespace flowc::check {

// Where file text comes from: the disk, or (in an editor) unsaved buffers.
class FileProvider {
 public:
  virtual ~FileProvider() = default;
  // The text of `path`, or nullopt with *error set ("No such file or directory").
  virtual std::optional<std::string> read(const std::string& path, std::string* error) = 0;
};

class DiskFiles : public FileProvider {
 public:
  std::optional<std::string> read(const std::string& path, std::string* error) override;
};

struct LoadedModule {
  std::unique_ptr<ast::Module> ast;
  std::string canonical_path;
  // For each import of ast->imports, the module it names (index into
  // LoadResult::modules), or -1 if it could not be loaded.
  std::vector<int> imports;
};

struct LoadResult {
  std::vector<LoadedModule> modules;  // modules[0] is the main file
  std::string io_error;               // set when the main file cannot be read
};

// `library_paths` are searched, in order, for imports not found next to the
// importing file (--lib, FLOW_PATH, the installed standard library).
LoadResult load_modules(const std::string& main_path, const std::vector<std::string>& library_paths,
                        FileProvider& files, SourceManager& sources, Diagnostics& diags);

}  // namespace flowc::check
