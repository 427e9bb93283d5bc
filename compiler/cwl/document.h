// Loading CWL documents: files and `#fragments`, `$import`, `$include`,
// `$graph`, `$namespaces`, relative and file:// references. The result is a
// YNode tree per process with its places kept, for lowering (lower.h).
#pragma once

#include <map>
#include <memory>
#include <optional>
#include <string>

#include "compiler/cwl/yaml_tree.h"

namespace flowc::cwl {

// One process (CommandLineTool, ExpressionTool, Workflow, Operation) as
// written, and where it comes from.
struct ProcessDoc {
  const YNode* node = nullptr;
  std::string file;                               // its file (absolute)
  std::string base_dir;                           // for relative references in it
  std::map<std::string, std::string> namespaces;  // $namespaces of its file
  const YNode* graph = nullptr;                   // the $graph it is in, if any (for `#id` references)
};

class DocumentLoader {
 public:
  DocumentLoader(SourceManager& sources, Diagnostics& diags) : sources_(sources), diags_(diags) {}

  // The process a reference names: `tool.cwl`, `wf.cwl#main`, `file:///abs/x.cwl`,
  // `#step-tool` (in `from`'s $graph). `where` is the place of the reference,
  // for errors. Null after reporting a problem.
  std::optional<ProcessDoc> load(const std::string& reference, const ProcessDoc* from, Span where);

  // A document that is not a process (a job file, a schema def file).
  const YNode* load_file(const std::string& path, Span where);

  SourceManager& sources() { return sources_; }
  Diagnostics& diags() { return diags_; }

 private:
  struct File {
    YNode root;
    std::string base_dir;
    std::map<std::string, std::string> namespaces;
  };
  File* file(const std::string& path, Span where);
  void resolve_includes(YNode& node, const std::string& base_dir, int depth);

  SourceManager& sources_;
  Diagnostics& diags_;
  std::map<std::string, std::unique_ptr<File>> files_;
};

// A file:// URI's path, percent-escapes decoded (other text unchanged).
std::string decode_uri(const std::string& uri);

// The last part of a CWL id: `#main/step1/out` → `out`, `file.cwl#x` → `x`.
std::string shortname(const std::string& id);

// An absolute path for a reference relative to `base_dir` (file:// URIs and
// percent-escapes understood).
// A `location` is a URI (percent-escapes decoded); a `path` is not (`uri` false).
std::string resolve_reference(const std::string& reference, const std::string& base_dir, bool uri = true);

// The File and Directory objects in a value (a job, a default): each
// relative `location` or `path` resolved against `base_dir` into an absolute
// `path` (`location` dropped). Paths that do not exist are added to
// `missing` when it is given.
nlohmann::ordered_json resolve_file_locations(nlohmann::ordered_json j, const std::string& base_dir,
                                              std::vector<std::string>* missing = nullptr);

// A list-or-map field (`inputs: {x: File}` or `inputs: [{id: x, type: File}]`)
// as (id, node) pairs. In the map form, a value that is not a map is the
// `predicate` field (`type` for inputs, `source` for step inputs) of the
// entry. `out` gets new nodes for map-form entries that were not maps.
struct Entry {
  std::string id;
  const YNode* node;  // a map
  Span where;
};
std::vector<Entry> entries(const YNode* field, const char* predicate, std::vector<std::unique_ptr<YNode>>& keep);

// The process a step's `run` names: a file (loaded) or a process written
// in place; nullopt for anything else (the caller reports it) or after
// the loader reported a problem.
std::optional<ProcessDoc> step_process(DocumentLoader& loader, const YNode& run, const ProcessDoc& from);

// A `source`, `outputSource` or `scatter` field: one reference or a list.
std::vector<std::string> source_list(const YNode* field);

}  // namespace flowc::cwl
