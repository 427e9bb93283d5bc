// The documents an editor has open: their unsaved text, served to the
// compiler in place of the disk (so an import of an open, edited file sees
// the edit), and the latest compilation of each.
#pragma once

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "compiler/check/module_loader.h"
#include "compiler/driver/compilation.h"

namespace flowc::lsp {

struct Document {
  std::string uri;
  std::string path;  // what the compiler is given, and shows in messages
  std::string text;
  int64_t version = 0;
  std::shared_ptr<const Compilation> compilation;  // of `text`
};

class DocumentStore : public check::FileProvider {
 public:
  Document& open(const std::string& uri, std::string text, int64_t version);
  Document* find(const std::string& uri);
  void close(const std::string& uri);
  // Every open document, in URI order.
  std::vector<Document*> all();

  std::optional<std::string> read(const std::string& path, ir::FileProblem* problem) override;

 private:
  std::map<std::string, Document> by_uri_;
  std::map<std::string, std::string> uri_by_canonical_path_;
  check::DiskFiles disk_;
};

// The same normal form the module loader uses, so both agree on "same file".
std::string canonical_path(const std::string& path);

}  // namespace flowc::lsp
