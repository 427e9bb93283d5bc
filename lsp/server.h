// `flowc lsp`: a Language Server Protocol server over stdio. It knows the
// compiler library and nothing of the runtime: each edit compiles the
// document (with unsaved imports served from the editor's buffers) and
// publishes the compiler's own diagnostics.
#pragma once

#include <cstdio>
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
  std::FILE* errors = stderr;  // where bad frames are logged (null: nowhere)
};

class Server {
 public:
  Server(std::FILE* in, std::FILE* out, ServerOptions options);

  // Serves until `exit` or the end of input. Returns the process exit code:
  // 0 after shutdown then exit, 1 otherwise (as the protocol asks).
  int run();

 private:
  void handle(const nlohmann::json& message);
  nlohmann::json request(const std::string& method, const nlohmann::json& params);
  void notification(const std::string& method, const nlohmann::json& params);

  nlohmann::json initialize(const nlohmann::json& params);
  // Checks `doc` again and publishes its diagnostics; then does the same for
  // the open documents that import it, whose errors may have changed too.
  void changed(Document& doc);
  void check(Document& doc);
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
  // The latest compilation that got as far as the checker, per document, for
  // completion while the text does not parse.
  std::map<std::string, std::shared_ptr<const Compilation>> last_checked_;
};

}  // namespace flowc::lsp
