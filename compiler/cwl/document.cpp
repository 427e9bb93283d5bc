// Loading CWL documents (document.h).
#include "compiler/cwl/document.h"

#include "ir/uri.h"

#include <cctype>
#include <filesystem>
#include <fstream>
#include <sstream>

#include <fmt/format.h>

namespace flowc::cwl {

namespace fs = std::filesystem;

std::string shortname(const std::string& id) {
  std::string s = id;
  size_t hash = s.rfind('#');
  if (hash != std::string::npos) s = s.substr(hash + 1);
  size_t slash = s.rfind('/');
  if (slash != std::string::npos) s = s.substr(slash + 1);
  return s;
}

std::string decode_uri(const std::string& uri) { return ir::path_from_uri(uri); }

std::string resolve_reference(const std::string& reference, const std::string& base_dir, bool uri) {
  std::string path = uri ? decode_uri(reference) : reference;
  fs::path p(path);
  if (p.is_relative()) p = fs::path(base_dir) / p;
  return p.lexically_normal().string();
}

nlohmann::ordered_json resolve_file_locations(nlohmann::ordered_json j, const std::string& base_dir,
                                              std::vector<std::string>* missing) {
  if (j.is_array()) {
    for (auto& item : j) item = resolve_file_locations(item, base_dir, missing);
    return j;
  }
  if (!j.is_object()) return j;
  std::string cls = j.value("class", "");
  if (cls != "File" && cls != "Directory") {
    for (auto& [k, v] : j.items()) v = resolve_file_locations(v, base_dir, missing);
    return j;
  }
  bool has_path = j.contains("path") && j["path"].is_string();
  std::string where = has_path                                              ? j["path"].get<std::string>()
                      : j.contains("location") && j["location"].is_string() ? j["location"].get<std::string>()
                                                                            : "";
  if (!where.empty()) {
    std::string path = resolve_reference(where, base_dir, !has_path);
    if (missing && !fs::exists(path)) missing->push_back(path);
    j["path"] = path;
    j.erase("location");
  }
  for (const char* key : {"secondaryFiles", "listing"}) {
    if (j.contains(key)) j[key] = resolve_file_locations(j[key], base_dir, missing);
  }
  return j;
}

std::vector<Entry> entries(const YNode* field, const char* predicate, std::vector<std::unique_ptr<YNode>>& keep) {
  std::vector<Entry> out;
  if (!field) return out;
  if (field->is_seq()) {
    for (const YNode& item : field->seq) {
      std::string id;
      if (item.is_map()) {
        if (const YNode* i = item.get("id"); i && i->is_string()) id = shortname(i->s);
        else if (const YNode* c = item.get("class"); c && c->is_string()) id = c->s;
      } else if (item.is_string()) {
        id = shortname(item.s);  // `out: [a, b]`
      }
      out.push_back({id, &item, item.span});
    }
  } else if (field->is_map()) {
    for (const auto& [key, value] : field->map) {
      if (value.is_map()) {
        out.push_back({shortname(key), &value, value.key_span});
      } else {
        auto made = std::make_unique<YNode>();
        made->kind = YNode::Kind::Map;
        made->span = value.span;
        if (predicate) made->map.emplace_back(predicate, value);
        out.push_back({shortname(key), made.get(), value.key_span});
        keep.push_back(std::move(made));
      }
    }
  }
  return out;
}

DocumentLoader::File* DocumentLoader::file(const std::string& path, Span where) {
  std::string abs = fs::absolute(path).lexically_normal().string();
  if (auto it = files_.find(abs); it != files_.end()) return it->second.get();
  std::ifstream in(abs, std::ios::binary);
  // Shown relative to the working folder when inside it (as .flow files are).
  std::error_code ec;
  std::string shown = fs::proximate(abs, ec).string();
  if (ec || shown.rfind("..", 0) == 0) shown = abs;
  if (!in || fs::is_directory(abs)) {
    diags_.report(DiagId::CwlCannotRead, where, shown, fs::exists(abs) ? "it is not a readable file" : "no such file")
        .with_help("references are relative to the folder of the document that makes them");
    return nullptr;
  }
  std::stringstream text;
  text << in.rdbuf();
  const SourceFile& source = sources_.add(shown, text.str());
  auto root = parse_yaml(source, diags_);
  if (!root) return nullptr;
  auto f = std::make_unique<File>();
  f->root = std::move(*root);
  f->base_dir = fs::path(abs).parent_path().string();
  if (const YNode* ns = f->root.get("$namespaces"); ns && ns->is_map()) {
    for (const auto& [prefix, uri] : ns->map) {
      if (uri.is_string()) f->namespaces[prefix] = uri.s;
    }
  }
  File* ptr = f.get();
  files_.emplace(abs, std::move(f));
  resolve_includes(ptr->root, ptr->base_dir, 0);
  return ptr;
}

void DocumentLoader::resolve_includes(YNode& node, const std::string& base_dir, int depth) {
  if (depth > 64) return;
  if (node.is_map()) {
    if (node.map.size() == 1 && (node.map[0].first == "$import" || node.map[0].first == "$include") &&
        node.map[0].second.is_string()) {
      bool import = node.map[0].first == "$import";
      std::string ref = node.map[0].second.s;
      Span where = node.map[0].second.span;
      std::string path = resolve_reference(ref.substr(0, ref.find('#')), base_dir);
      if (import) {
        File* f = file(path, where);
        if (!f) return;
        Span key = node.key_span;
        node = f->root;  // a copy: the same file may be imported twice
        node.key_span = key;
      } else {
        std::ifstream in(path, std::ios::binary);
        if (!in) {
          diags_.report(DiagId::CwlCannotRead, where, path, "no such file")
              .with_help("`$include` is relative to the folder of the document that makes it");
          return;
        }
        std::stringstream text;
        text << in.rdbuf();
        Span key = node.key_span;
        node = YNode::string(text.str(), where);
        node.key_span = key;
      }
      return;
    }
    for (auto& [k, v] : node.map) resolve_includes(v, base_dir, depth + 1);
  } else if (node.is_seq()) {
    for (YNode& item : node.seq) resolve_includes(item, base_dir, depth + 1);
  }
}

const YNode* DocumentLoader::load_file(const std::string& path, Span where) {
  File* f = file(path, where);
  return f ? &f->root : nullptr;
}

std::optional<ProcessDoc> DocumentLoader::load(const std::string& reference, const ProcessDoc* from, Span where) {
  std::string ref = reference;
  std::string fragment;
  if (size_t hash = ref.find('#'); hash != std::string::npos) {
    fragment = ref.substr(hash + 1);
    ref = ref.substr(0, hash);
  }
  ProcessDoc doc;
  const YNode* root = nullptr;
  if (ref.empty() && from) {
    doc = *from;
    doc.node = nullptr;
    root = nullptr;
  } else {
    std::string path = resolve_reference(ref, from ? from->base_dir : fs::current_path().string());
    File* f = file(path, where);
    if (!f) return std::nullopt;
    root = &f->root;
    doc.file = fs::absolute(path).lexically_normal().string();
    doc.base_dir = f->base_dir;
    doc.namespaces = f->namespaces;
    doc.graph = nullptr;
    if (const YNode* g = root->get("$graph")) doc.graph = g;
  }
  const YNode* graph = doc.graph;
  if (graph) {
    if (!graph->is_seq()) {
      diags_.report(DiagId::CwlExpected, graph->span, "$graph", "a list of processes", graph->what());
      return std::nullopt;
    }
    std::string want = fragment.empty() ? "main" : shortname(fragment);
    for (const YNode& p : graph->seq) {
      const YNode* id = p.get("id");
      if (id && id->is_string() && shortname(id->s) == want) {
        doc.node = &p;
        return doc;
      }
    }
    if (fragment.empty() && graph->seq.size() == 1) {
      doc.node = &graph->seq[0];
      return doc;
    }
    std::string ids;
    for (const YNode& p : graph->seq) {
      if (const YNode* id = p.get("id"); id && id->is_string()) ids += (ids.empty() ? "" : ", ") + shortname(id->s);
    }
    diags_
        .report(DiagId::CwlUnknownReference, where, reference.empty() ? "#main" : reference,
                "a process of the document's $graph")
        .with_help(fmt::format("the processes there are: {}", ids));
    return std::nullopt;
  }
  if (!root) {
    diags_.report(DiagId::CwlUnknownReference, where, reference, "a process (there is no $graph to look in)");
    return std::nullopt;
  }
  doc.node = root;
  return doc;
}

std::vector<std::string> source_list(const YNode* field) {
  std::vector<std::string> out;
  if (!field) return out;
  if (field->is_string()) out.push_back(field->s);
  else if (field->is_seq()) {
    for (const YNode& x : field->seq) {
      if (x.is_string()) out.push_back(x.s);
    }
  }
  return out;
}

std::optional<ProcessDoc> step_process(DocumentLoader& loader, const YNode& run, const ProcessDoc& from) {
  if (run.is_string()) return loader.load(run.s, &from, run.span);
  if (!run.is_map()) return std::nullopt;
  ProcessDoc inline_doc = from;
  inline_doc.node = &run;
  return inline_doc;
}

}  // namespace flowc::cwl
