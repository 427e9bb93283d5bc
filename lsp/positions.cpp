// Counting UTF-16 code units over UTF-8 text, line by line.
#include "lsp/positions.h"

#include <algorithm>

#include <nlohmann/json.hpp>

#include "ir/utf8.h"

namespace flowc::lsp {
namespace {

// Bytes and UTF-16 units of the character starting at text[i] (an invalid
// byte counts as one of each, as the client will have shown U+FFFD).
std::pair<size_t, uint32_t> step(std::string_view text, size_t i) {
  size_t n = ir::utf8_sequence_length(text, i);
  if (n == 0) return {1, 1};
  return {n, n == 4 ? 2u : 1u};
}

}  // namespace

LineIndex::LineIndex(std::string_view text, PositionEncoding encoding) : text_(text), encoding_(encoding) {
  starts_.push_back(0);
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '\n') starts_.push_back(static_cast<uint32_t>(i + 1));
  }
}

nlohmann::json LineIndex::position(uint32_t offset) const {
  offset = std::min<uint32_t>(offset, static_cast<uint32_t>(text_.size()));
  size_t line = std::upper_bound(starts_.begin(), starts_.end(), offset) - starts_.begin() - 1;
  uint32_t character = 0;
  if (encoding_ == PositionEncoding::Utf8) {
    character = offset - starts_[line];
  } else {
    for (size_t i = starts_[line]; i < offset;) {
      auto [bytes, units] = step(text_, i);
      i += bytes;
      character += units;
    }
  }
  return {{"line", line}, {"character", character}};
}

nlohmann::json LineIndex::range(uint32_t begin, uint32_t end) const {
  return {{"start", position(begin)}, {"end", position(end)}};
}

uint32_t LineIndex::offset(int64_t line, int64_t character) const {
  if (line < 0) return 0;
  if (line >= static_cast<int64_t>(starts_.size())) return static_cast<uint32_t>(text_.size());
  size_t i = starts_[line];
  size_t line_end = line + 1 < static_cast<int64_t>(starts_.size()) ? starts_[line + 1] - 1 : text_.size();
  if (encoding_ == PositionEncoding::Utf8) {
    return static_cast<uint32_t>(std::min<size_t>(i + std::max<int64_t>(character, 0), line_end));
  }
  int64_t units = 0;
  while (i < line_end && units < character) {
    auto [bytes, n] = step(text_, i);
    i += bytes;
    units += n;
  }
  return static_cast<uint32_t>(i);
}

uint32_t LineIndex::offset(const nlohmann::json& position) const {
  return offset(position.at("line").get<int64_t>(), position.at("character").get<int64_t>());
}

}  // namespace flowc::lsp
