// LSP positions (line, character) ↔ byte offsets into UTF-8 text. LSP counts
// characters in UTF-16 code units unless the client agrees to UTF-8, so both
// are supported; the compiler's spans are byte offsets.
#pragma once

#include <cstdint>
#include <string_view>
#include <vector>

#include <nlohmann/json_fwd.hpp>

namespace flowc::lsp {

enum class PositionEncoding { Utf16, Utf8 };

class LineIndex {
 public:
  LineIndex(std::string_view text, PositionEncoding encoding);

  // {"line": L, "character": C}, 0-based.
  nlohmann::json position(uint32_t offset) const;
  nlohmann::json range(uint32_t begin, uint32_t end) const;
  // A position past the end of a line or of the text is clamped to it.
  uint32_t offset(int64_t line, int64_t character) const;
  uint32_t offset(const nlohmann::json& position) const;

 private:
  std::string_view text_;
  PositionEncoding encoding_;
  std::vector<uint32_t> starts_;
};

}  // namespace flowc::lsp
