// Import resolution: relative to the importing file first, then the library
// paths. Cycles are reported at the import that closes them, with the chain.
#include "compiler/check/module_loader.h"

#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>

#include "compiler/syntax/parser.h"

namespace flowc::check {
namespace fs = std::filesystem;

std::optional<std::string> DiskFiles::read(const std::string& path, ir::FileProblem* problem) {
  ir::FileText text = ir::read_regular_file(path, max_bytes_);
  if (auto* p = std::get_if<ir::FileProblem>(&text)) {
    *problem = std::move(*p);
    return std::nullopt;
  }
  return std::move(std::get<std::string>(text));
}

namespace {

// The text after "cannot read `PATH`: " for a file that could not be used.
std::string problem_text(const ir::FileProblem& p, uint64_t max_bytes) {
  switch (p.kind) {
    case ir::FileProblem::Kind::Directory: return "it is a directory, not a file";
    case ir::FileProblem::Kind::NotRegular: return "it is " + p.message + ", not a regular file";
    case ir::FileProblem::Kind::TooLarge:
      return "it is " + p.message + "; a source file may be at most " + ir::size_text(max_bytes);
    case ir::FileProblem::Kind::Unreadable: break;
  }
  return p.message;
}

std::string canonical_path(const fs::path& p) {
  std::error_code ec;
  fs::path c = fs::weakly_canonical(fs::absolute(p, ec), ec);
  return (ec ? p.lexically_normal() : c).string();
}

class Loader {
 public:
  Loader(const std::vector<std::string>& library_paths, FileProvider& files, SourceManager& sources, Diagnostics& diags,
         LoadResult& out, uint64_t max_bytes)
      : library_paths_(library_paths),
        files_(files),
        sources_(sources),
        diags_(diags),
        out_(out),
        max_bytes_(max_bytes) {}

  void load_main(const std::string& path) {
    ir::FileProblem problem;
    std::optional<std::string> text = files_.read(path, &problem);
    if (text) too_large(*text, &problem);
    if (!text || !problem.message.empty()) {
      out_.io_error = "cannot read `" + path + "`: " + problem_text(problem, max_bytes_);
      return;
    }
    load(path, std::move(*text));
  }

 private:
  // Parses one file, then its imports depth first; returns its index.
  int load(const std::string& display_path, std::string text) {
    const SourceFile& file = sources_.add(display_path, std::move(text));
    int index = static_cast<int>(out_.modules.size());
    std::string canon = canonical_path(display_path);
    by_path_.emplace(canon, index);
    out_.modules.push_back(LoadedModule{syntax::parse_file(file, diags_), canon, {}});
    stack_.push_back(index);
    // Imports are resolved after the module is in place: `modules` may grow.
    size_t count = out_.modules[index].ast->imports.size();
    for (size_t i = 0; i < count; ++i) {
      int target = resolve_import(index, i);
      out_.modules[index].imports.push_back(target);
    }
    stack_.pop_back();
    return index;
  }

  int resolve_import(int importer, size_t i) {
    const ast::ImportDecl& imp = out_.modules[importer].ast->imports[i];
    if (imp.path.empty()) return -1;
    const SourceFile& from = sources_.file(out_.modules[importer].ast->file);
    fs::path base = fs::path(from.path()).parent_path();

    std::vector<fs::path> candidates;
    fs::path written(imp.path);
    if (written.is_absolute()) {
      candidates.push_back(written);
    } else {
      candidates.push_back((base / written).lexically_normal());
      for (const std::string& lib : library_paths_) candidates.push_back((fs::path(lib) / written).lexically_normal());
    }

    for (const fs::path& candidate : candidates) {
      std::error_code ec;
      if (!fs::exists(candidate, ec) && !files_exist_in_provider(candidate)) continue;
      std::string canon = canonical_path(candidate);
      auto seen = by_path_.find(canon);
      if (seen != by_path_.end()) {
        auto on_stack = std::find(stack_.begin(), stack_.end(), seen->second);
        if (on_stack != stack_.end()) {
          report_cycle(imp, on_stack);
          return -1;
        }
        return seen->second;
      }
      ir::FileProblem problem;
      std::optional<std::string> text = files_.read(candidate.string(), &problem);
      if (text) too_large(*text, &problem);
      if (!text || !problem.message.empty()) {
        report_unreadable(imp, candidate.string(), problem);
        return -1;
      }
      return load(candidate.string(), std::move(*text));
    }

    Diagnostic& d = diags_.report(DiagId::ImportNotFound, imp.path_span, imp.path);
    std::string searched = candidates.front().string();
    for (size_t k = 1; k < candidates.size(); ++k) searched += ", " + candidates[k].string();
    d.with_help(fmt::format("looked in: {}{}", searched,
                            library_paths_.empty() ? "; add library folders with --lib DIR or FLOW_PATH" : ""));
    return -1;
  }

  // An editor may hold a file that is not on disk yet.
  bool files_exist_in_provider(const fs::path& p) {
    if (dynamic_cast<DiskFiles*>(&files_)) return false;
    ir::FileProblem ignored;
    return files_.read(p.string(), &ignored).has_value();
  }

  // Text from any provider (an editor's buffer too) is held to the same cap.
  void too_large(const std::string& text, ir::FileProblem* problem) const {
    if (text.size() > max_bytes_) *problem = {ir::FileProblem::Kind::TooLarge, ir::size_text(text.size())};
  }

  void report_unreadable(const ast::ImportDecl& imp, const std::string& path, const ir::FileProblem& problem) {
    switch (problem.kind) {
      case ir::FileProblem::Kind::NotRegular:
        diags_.report(DiagId::ImportNotRegularFile, imp.path_span, path, problem.message)
            .with_help("an import names a .flow file; a device, a pipe or a socket could block or never end");
        return;
      case ir::FileProblem::Kind::TooLarge:
        diags_.report(DiagId::SourceTooLarge, imp.path_span, path, problem.message, ir::size_text(max_bytes_))
            .with_help("is this the file you meant? split a large library into several files");
        return;
      case ir::FileProblem::Kind::Directory:
      case ir::FileProblem::Kind::Unreadable:
        diags_.report(DiagId::CannotReadFile, imp.path_span, path, problem_text(problem, max_bytes_));
        return;
    }
  }

  void report_cycle(const ast::ImportDecl& imp, std::vector<int>::iterator first) {
    std::string chain;
    for (auto it = first; it != stack_.end(); ++it) {
      chain += sources_.file(out_.modules[*it].ast->file).path() + " → ";
    }
    chain += sources_.file(out_.modules[*first].ast->file).path();
    diags_.report(DiagId::ImportCycle, imp.path_span, chain)
        .with_help("move what both files need into a third file that both import");
  }

  const std::vector<std::string>& library_paths_;
  FileProvider& files_;
  SourceManager& sources_;
  Diagnostics& diags_;
  LoadResult& out_;
  uint64_t max_bytes_;
  std::map<std::string, int> by_path_;
  std::vector<int> stack_;
};

}  // namespace

LoadResult load_modules(const std::string& main_path, const std::vector<std::string>& library_paths,
                        FileProvider& files, SourceManager& sources, Diagnostics& diags, uint64_t max_source_bytes) {
  LoadResult result;
  Loader(library_paths, files, sources, diags, result, max_source_bytes).load_main(main_path);
  return result;
}

}  // namespace flowc::check
