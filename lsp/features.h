// The answers to hover, definition and document-symbol requests, computed
// from one compilation of the document (its AST, annotated by the checker).
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include <nlohmann/json.hpp>

#include "compiler/driver/compilation.h"
#include "lsp/positions.h"

namespace flowc::lsp {

// What the server knows about the document being asked about.
struct DocView {
  const Compilation& c;
  const std::string& uri;  // the document's own URI (its spans are shown with it)
  const LineIndex& lines;  // of the document's text
  PositionEncoding encoding;
};

// {contents: markdown, range} or null.
nlohmann::json hover(const DocView& doc, uint32_t offset);
// A Location, or null.
nlohmann::json definition(const DocView& doc, uint32_t offset);
// DocumentSymbol[]: types, ops and workflows with their ports.
nlohmann::json document_symbols(const DocView& doc);

// The main module's AST, or null if the file could not be read.
const ast::Module* main_module(const Compilation& c);

}  // namespace flowc::lsp
