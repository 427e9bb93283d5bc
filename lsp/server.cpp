// Dispatch of LSP requests and notifications, and diagnostics publishing.
#include "lsp/server.h"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <utility>

#include "compiler/diag/diagnostic.h"
#include "ir/json_parse.h"
#include "lsp/completion.h"
#include "lsp/features.h"
#include "lsp/uri.h"

namespace flowc::lsp {
namespace {

// A request whose params are not what the method needs: answered with
// InvalidParams, never a crash.
struct InvalidParams {
  std::string message;
};
struct MethodNotFound {};

const nlohmann::json& field(const nlohmann::json& object, const char* name) {
  if (!object.is_object() || !object.contains(name)) throw InvalidParams{std::string("missing `") + name + "`"};
  return object.at(name);
}

nlohmann::json& field(nlohmann::json& object, const char* name) {
  return const_cast<nlohmann::json&>(field(std::as_const(object), name));
}

// A string field, moved out of the message (a document's text can be large).
std::string take_string(nlohmann::json& object, const char* name) {
  nlohmann::json& v = field(object, name);
  if (!v.is_string()) return v.get<std::string>();  // throws the type error
  return std::move(v.get_ref<std::string&>());
}

// One file's text served in place of what the editor or the disk holds.
class TextOverlay : public check::FileProvider {
 public:
  TextOverlay(check::FileProvider& base, const std::string& path, const std::string& text)
      : base_(base), path_(canonical_path(path)), text_(text) {}
  std::optional<std::string> read(const std::string& path, ir::FileProblem* problem) override {
    if (canonical_path(path) == path_) return text_;
    return base_.read(path, problem);
  }

 private:
  check::FileProvider& base_;
  std::string path_;
  const std::string& text_;
};

// LSP DiagnosticSeverity.
int severity(Severity s) { return s == Severity::Error ? 1 : 2; }

nlohmann::json to_lsp(const Diagnostic& d, const Compilation& c, const LineIndex& lines, FileId main,
                      PositionEncoding encoding, const std::string& uri) {
  const DiagInfo& info = diag_info(d.id);
  std::string message = d.message;
  if (!d.help.empty()) message += "\nhelp: " + d.help;
  nlohmann::json j = {{"range", lines.range(d.span.begin, d.span.end)},
                      {"severity", severity(d.severity)},
                      {"code", info.code},
                      {"source", "flowc"},
                      {"message", message}};
  if (!d.notes.empty()) {
    nlohmann::json related = nlohmann::json::array();
    for (const DiagNote& n : d.notes) {
      const SourceFile& file = c.sources.file(n.span.file);
      nlohmann::json range;
      std::string note_uri;
      if (n.span.file == main) {
        range = lines.range(n.span.begin, n.span.end);
        note_uri = uri;
      } else {
        range = LineIndex(file.text(), encoding).range(n.span.begin, n.span.end);
        note_uri = path_to_uri(file.path());
      }
      related.push_back({{"location", {{"uri", note_uri}, {"range", range}}}, {"message", n.message}});
    }
    j["relatedInformation"] = std::move(related);
  }
  return j;
}

}  // namespace

Server::Server(std::FILE* in, std::FILE* out, ServerOptions options)
    : transport_(in, out, options.errors), options_(std::move(options)) {}

int Server::run() {
  while (!exit_) {
    Frame frame = transport_.read();
    if (std::holds_alternative<EndOfInput>(frame)) break;
    if (auto* bad = std::get_if<BadFrame>(&frame)) {
      transport_.send(make_error(nullptr, rpc_error::kParseError, "cannot read the message: " + bad->reason));
      continue;
    }
    handle(std::move(std::get<nlohmann::json>(frame)));
  }
  return shutdown_ && exit_ ? 0 : 1;
}

void Server::handle(nlohmann::json message) {
  if (!message.is_object() || !message.contains("method") || !message["method"].is_string()) {
    // A response from the client (we send no requests) is ignored; anything
    // else is not a JSON-RPC message.
    if (message.is_object() && message.contains("id") && (message.contains("result") || message.contains("error")))
      return;
    nlohmann::json id = message.is_object() && message.contains("id") ? message["id"] : nlohmann::json(nullptr);
    if (!id.is_null() && !id.is_string() && !id.is_number_integer()) id = nullptr;
    transport_.send(make_error(id, rpc_error::kInvalidRequest, "not a JSON-RPC request: it needs a string `method`"));
    return;
  }
  const std::string method = message["method"];
  nlohmann::json params = message.contains("params") ? std::move(message["params"]) : nlohmann::json::object();
  bool is_request = message.contains("id");
  const nlohmann::json id = is_request ? message["id"] : nlohmann::json(nullptr);
  if (is_request && !id.is_string() && !id.is_number_integer()) {
    transport_.send(make_error(nullptr, rpc_error::kInvalidRequest, "`id` must be a string or an integer"));
    return;
  }
  try {
    if (is_request) {
      if (!initialized_ && method != "initialize") {
        transport_.send(make_error(id, rpc_error::kServerNotInitialized, "send `initialize` first"));
        return;
      }
      if (shutdown_) {
        transport_.send(make_error(id, rpc_error::kInvalidRequest, "the server is shutting down"));
        return;
      }
      transport_.send(make_response(id, request(method, params)));
    } else {
      if (!initialized_ && method != "exit") return;  // notifications before initialize are dropped
      notification(method, params);
    }
  } catch (const MethodNotFound&) {
    if (is_request)
      transport_.send(make_error(id, rpc_error::kMethodNotFound, "flowc lsp does not serve `" + method + "`"));
  } catch (const InvalidParams& e) {
    if (is_request) transport_.send(make_error(id, rpc_error::kInvalidParams, method + ": " + e.message));
  } catch (const nlohmann::json::exception& e) {
    if (is_request)
      transport_.send(make_error(id, rpc_error::kInvalidParams, method + ": " + ir::json_exception_text(e)));
  } catch (const std::exception& e) {
    if (is_request) transport_.send(make_error(id, rpc_error::kInternalError, method + ": " + e.what()));
  }
}

nlohmann::json Server::request(const std::string& method, const nlohmann::json& params) {
  if (method == "initialize") return initialize(params);
  if (method == "shutdown") {
    shutdown_ = true;
    return nullptr;
  }
  if (method == "textDocument/hover" || method == "textDocument/definition" || method == "textDocument/completion" ||
      method == "textDocument/documentSymbol") {
    Document& doc = document(params);
    LineIndex lines(doc.text, encoding_);
    const Compilation& c = *doc.compilation;
    DocView view{c, doc.uri, lines, encoding_};
    if (method == "textDocument/documentSymbol") return document_symbols(view);
    uint32_t offset = lines.offset(field(params, "position"));
    if (method == "textDocument/hover") return hover(view, offset);
    if (method == "textDocument/definition") return definition(view, offset);
    return {{"isIncomplete", false}, {"items", complete(doc.text, offset, last_checked(doc))}};
  }
  throw MethodNotFound{};
}

nlohmann::json Server::initialize(const nlohmann::json& params) {
  initialized_ = true;
  // Prefer UTF-8 positions (the compiler's offsets are bytes) when offered.
  const nlohmann::json* encodings = nullptr;
  if (params.is_object() && params.contains("capabilities")) {
    const auto& caps = params["capabilities"];
    if (caps.is_object() && caps.contains("general") && caps["general"].is_object() &&
        caps["general"].contains("positionEncodings")) {
      encodings = &caps["general"]["positionEncodings"];
    }
  }
  if (encodings && encodings->is_array()) {
    for (const auto& e : *encodings) {
      if (e == "utf-8") encoding_ = PositionEncoding::Utf8;
    }
  }
  return {{"capabilities",
           {{"positionEncoding", encoding_ == PositionEncoding::Utf8 ? "utf-8" : "utf-16"},
            {"textDocumentSync", {{"openClose", true}, {"change", 1}}},
            {"hoverProvider", true},
            {"definitionProvider", true},
            {"documentSymbolProvider", true},
            {"completionProvider", {{"triggerCharacters", {".", "(", ","}}}}}},
          {"serverInfo", {{"name", "flowc"}, {"version", compiler_version().substr(6)}}}};
}

void Server::notification(const std::string& method, nlohmann::json& params) {
  if (method == "exit") {
    exit_ = true;
  } else if (method == "textDocument/didOpen") {
    auto& item = field(params, "textDocument");
    std::string uri = field(item, "uri").get<std::string>();
    Document& doc = documents_.open(uri, take_string(item, "text"), item.value("version", 0));
    changed(doc, {});
  } else if (method == "textDocument/didChange") {
    Document& doc = document(params);
    // Full sync: the last change holds the whole text.
    auto& changes = field(params, "contentChanges");
    if (!changes.is_array() || changes.empty()) throw InvalidParams{"`contentChanges` must be a non-empty array"};
    std::string old_text = std::exchange(doc.text, take_string(changes.back(), "text"));
    doc.version = params["textDocument"].value("version", doc.version + 1);
    changed(doc, std::move(old_text));
  } else if (method == "textDocument/didClose") {
    std::string uri = field(field(params, "textDocument"), "uri");
    documents_.close(uri);
    last_checked_.erase(uri);
    transport_.send(
        make_notification("textDocument/publishDiagnostics", {{"uri", uri}, {"diagnostics", nlohmann::json::array()}}));
    check_importers(uri_to_path(uri));  // they see the file on disk again
  }
  // Anything else ($/cancelRequest, initialized, didSave, ...) needs nothing.
}

Document& Server::document(const nlohmann::json& params) {
  std::string uri = field(field(params, "textDocument"), "uri");
  Document* doc = documents_.find(uri);
  if (!doc) throw InvalidParams{"the document " + uri + " is not open (send didOpen first)"};
  return *doc;
}

void Server::changed(Document& doc, std::string old_text) {
  check(doc, std::move(old_text));
  check_importers(doc.path);
}

void Server::check_importers(const std::string& path) {
  std::string changed_path = canonical_path(path);
  for (Document* other : documents_.all()) {
    if (canonical_path(other->path) == changed_path || !other->compilation) continue;
    const auto& modules = other->compilation->loaded.modules;
    bool imports_it = std::any_of(modules.begin() + (modules.empty() ? 0 : 1), modules.end(),
                                  [&](const check::LoadedModule& m) { return m.canonical_path == changed_path; });
    if (imports_it) check(*other, {});
  }
}

void Server::check(Document& doc, std::string old_text) {
  CompileOptions options;
  options.library_paths = options_.library_paths;
  options.files = &documents_;
  options.until = Stage::Check;
  // The compilation being replaced is freed only after the diagnostics are
  // out (freeing a program's AST takes milliseconds nobody waits for),
  // unless the document is large: then memory matters more, and it goes first.
  bool large = doc.text.size() >= kLargeDocument;
  std::shared_ptr<const Compilation> previous = std::move(doc.compilation);
  bool previous_checked = previous && previous->checked;
  if (large) {
    previous.reset();
    if (auto it = last_checked_.find(doc.uri); it != last_checked_.end()) it->second.compilation.reset();
  }
  doc.compilation = compile(doc.path, options);
  if (doc.compilation->checked) {
    last_checked_.erase(doc.uri);  // completion uses this one
  } else if (previous_checked) {
    // Completion goes on with the version before, while this one does not parse.
    last_checked_[doc.uri] = LastChecked{old_text.empty() ? doc.text : std::move(old_text), std::move(previous)};
  }
  auto publish_start = std::chrono::steady_clock::now();
  publish_diagnostics(doc);
  if (options_.log) {
    const PhaseTimes& t = doc.compilation->times;
    double publish_ms =
        std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - publish_start).count();
    std::fprintf(stderr, "flowc lsp: %s v%lld: load+parse %.1f ms, check %.1f ms, publish %.1f ms\n", doc.path.c_str(),
                 static_cast<long long>(doc.version), t.load_parse_ms, t.check_ms, publish_ms);
  }
  if (large) {
    previous.reset();
    if (options_.release_memory) options_.release_memory();
  }
}

const Compilation* Server::last_checked(const Document& doc) {
  if (doc.compilation && doc.compilation->checked) return doc.compilation.get();
  auto it = last_checked_.find(doc.uri);
  if (it == last_checked_.end()) return nullptr;
  LastChecked& last = it->second;
  if (!last.compilation) {
    TextOverlay files(documents_, doc.path, last.text);
    CompileOptions options;
    options.library_paths = options_.library_paths;
    options.files = &files;
    options.until = Stage::Check;
    last.compilation = compile(doc.path, options);
  }
  return last.compilation->checked ? last.compilation.get() : nullptr;
}

void Server::publish_diagnostics(const Document& doc) {
  nlohmann::json list = nlohmann::json::array();
  const Compilation& c = *doc.compilation;
  LineIndex lines(doc.text, encoding_);
  if (!c.io_error.empty()) {
    list.push_back({{"range", lines.range(0, 0)}, {"severity", 1}, {"source", "flowc"}, {"message", c.io_error}});
  }
  const ast::Module* main = main_module(c);
  if (main) {
    for (const Diagnostic& d : c.diags.all()) {
      if (d.span.file == main->file) list.push_back(to_lsp(d, c, lines, main->file, encoding_, doc.uri));
    }
  }
  transport_.send(make_notification("textDocument/publishDiagnostics",
                                    {{"uri", doc.uri}, {"version", doc.version}, {"diagnostics", std::move(list)}}));
}

}  // namespace flowc::lsp
