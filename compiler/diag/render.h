// Turning diagnostics into what a person (text) or an editor (JSON) reads.
#pragma once

#include <string>

#include <nlohmann/json_fwd.hpp>

#include "compiler/diag/diagnostic.h"

namespace flowc {

struct TextStyle {
  bool color = false;
};

// file:line:col: error[E0400]: message, the source line, carets under the
// span, then help and notes. Ends with a newline.
std::string render_text(const Diagnostic& diag, const SourceManager& sources, TextStyle style);
std::string render_text(const Diagnostics& diags, const SourceManager& sources, TextStyle style);
// "2 errors, 1 warning" (empty when there is nothing to say).
std::string render_summary(const Diagnostics& diags);

// One JSON object per diagnostic, 1-based lines and columns (code points),
// end exclusive; the same content as the text form.
nlohmann::json render_json(const Diagnostic& diag, const SourceManager& sources);
nlohmann::json render_json(const Diagnostics& diags, const SourceManager& sources);

}  // namespace flowc
