// Open documents as a FileProvider overlay on the disk.
#include "lsp/documents.h"

#include <filesystem>

#include "lsp/uri.h"

namespace flowc::lsp {
namespace fs = std::filesystem;

std::string canonical_path(const std::string& path) {
  std::error_code ec;
  fs::path c = fs::weakly_canonical(fs::absolute(path, ec), ec);
  return (ec ? fs::path(path).lexically_normal() : c).string();
}

Document& DocumentStore::open(const std::string& uri, std::string text, int64_t version) {
  Document& doc = by_uri_[uri];
  doc.uri = uri;
  doc.path = uri_to_path(uri);
  doc.text = std::move(text);
  doc.version = version;
  uri_by_canonical_path_[canonical_path(doc.path)] = uri;
  return doc;
}

Document* DocumentStore::find(const std::string& uri) {
  auto it = by_uri_.find(uri);
  return it == by_uri_.end() ? nullptr : &it->second;
}

void DocumentStore::close(const std::string& uri) {
  auto it = by_uri_.find(uri);
  if (it == by_uri_.end()) return;
  uri_by_canonical_path_.erase(canonical_path(it->second.path));
  by_uri_.erase(it);
}

std::vector<Document*> DocumentStore::all() {
  std::vector<Document*> out;
  for (auto& [uri, doc] : by_uri_) out.push_back(&doc);
  return out;
}

std::optional<std::string> DocumentStore::read(const std::string& path, ir::FileProblem* problem) {
  auto it = uri_by_canonical_path_.find(canonical_path(path));
  if (it != uri_by_canonical_path_.end()) {
    if (const Document* doc = find(it->second)) return doc->text;
  }
  return disk_.read(path, problem);
}

}  // namespace flowc::lsp
