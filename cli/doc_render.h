// A file's documentation (compiler/doc/documentation.h) as text for a
// terminal, Markdown for a README or a web page, or JSON for tools.
#pragma once

#include <string>

#include "compiler/doc/documentation.h"

namespace flowc::cli {

std::string render_doc_text(const doc::FileDoc& file);
std::string render_doc_markdown(const doc::FileDoc& file);
std::string render_doc_json(const doc::FileDoc& file);

}  // namespace flowc::cli
