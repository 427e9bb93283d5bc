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
#include "ir/regular_file.h"

namespace flowc::check {

// The largest source file the compiler reads (from disk or an editor's
// buffer): far beyond any real workflow, small enough that a wrong path
// cannot make flowc, or the editor's language server, eat the machine.
inline constexpr uint64_t kMaxSourceBytes = uint64_t{16} << 20;

// Where file text comes from: the disk, or (in an editor) unsaved buffers.
class FileProvider {
 public:
  virtual ~FileProvider() = default;
  // The text of `path`, or nullopt with *problem set (what kind, and
  // "No such file or directory", "a FIFO (named pipe)", ...).
  virtual std::optional<std::string> read(const std::string& path, ir::FileProblem* problem) = 0;
};

// Regular files only, of at most kMaxSourceBytes: a FIFO, /dev/zero or
// /dev/stdin is refused, never read.
class DiskFiles : public FileProvider {
 public:
  explicit DiskFiles(uint64_t max_bytes = kMaxSourceBytes) : max_bytes_(max_bytes) {}
  std::optional<std::string> read(const std::string& path, ir::FileProblem* problem) override;

 private:
  uint64_t max_bytes_;
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
// importing file (--lib, FLOW_PATH, the installed standard library). A file
// longer than `max_source_bytes` is refused, whichever provider gave it.
LoadResult load_modules(const std::string& main_path, const std::vector<std::string>& library_paths,
                        FileProvider& files, SourceManager& sources, Diagnostics& diags,
                        uint64_t max_source_bytes = kMaxSourceBytes);

}  // namespace flowc::check
