// `flowc lsp`: a Language Server Protocol server over stdio. It knows the
// compiler library and nothing of the runtime: each edit compiles the
// document (with unsaved imports served from the editor's buffers) and
// publishes the compiler's own diagnostics.
#pragma once

#include <cstdio>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "lsp/documents.h"
#include "lsp/json_rpc.h"
#include "lsp/positions.h"

namespace flowc::lsp {

struct ServerOptions {
  std::vector<std::string> library_paths;
  bool log = false;  // one line per check on stderr, with its phase times
  // Called after a large document was checked, to give the memory the
  // compiler freed back to the system (the executable knows its allocator).
  std::function<void()> release_memory;
  std::FILE* errors = stderr;  // where bad frames are logged (null: nowhere)
};

// Documents at least this large are handled for memory rather than for the
// last millisecond: the compilation being replaced is freed before the new
// one is made (not after its diagnostics are out), and freed memory is
// given back after each check.
inline constexpr size_t kLargeDocument = size_t{1} << 20;

class Server {
 public:
  Server(std::FILE* in, std::FILE* out, ServerOptions options);

  // Serves until `exit` or the end of input. Returns the process exit code:
  // 0 after shutdown then exit, 1 otherwise (as the protocol asks).
  int run();

 private:
  void handle(nlohmann::json message);
  nlohmann::json request(const std::string& method, const nlohmann::json& params);
  // Takes the documents' text out of `params` rather than copying it.
  void notification(const std::string& method, nlohmann::json& params);

  nlohmann::json initialize(const nlohmann::json& params);
  // Checks `doc` again and publishes its diagnostics; then does the same for
  // the open documents that import it, whose errors may have changed too.
  // `old_text` is the text it had before (empty for a new document).
  void changed(Document& doc, std::string old_text);
  void check(Document& doc, std::string old_text);
  // The latest compilation of `doc` that got as far as the checker, for
  // completion while the text does not parse (null if there is none).
  const Compilation* last_checked(const Document& doc);
  void check_importers(const std::string& path);
  void publish_diagnostics(const Document& doc);
  Document& document(const nlohmann::json& params);
  uint32_t offset_in(const Document& doc, const nlohmann::json& params) const;

  Transport transport_;
  ServerOptions options_;
  DocumentStore documents_;
  PositionEncoding encoding_ = PositionEncoding::Utf16;
  bool initialized_ = false;
  bool shutdown_ = false;
  bool exit_ = false;
  // Per document whose latest compilation did not get as far as the
  // checker: the last text that did, and its compilation (a large
  // document's is made again from the text only when completion asks, so
  // two compilations of it are never kept).
  struct LastChecked {
    std::string text;
    std::shared_ptr<const Compilation> compilation;
  };
  std::map<std::string, LastChecked> last_checked_;
};

}  // namespace flowc::lsp
