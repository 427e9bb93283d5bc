// Source text and positions: every file the compiler reads, and the one Span
// type that AST nodes and diagnostics carry (byte offsets into a file).
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace flowc {

using FileId = uint32_t;

// A half-open byte range [begin, end) in one source file.
struct Span {
  FileId file = 0;
  uint32_t begin = 0;
  uint32_t end = 0;

  static Span join(Span a, Span b) { return {a.file, a.begin, b.end > a.end ? b.end : a.end}; }
  bool empty() const { return begin == end; }
};

// 1-based line and column; the column counts Unicode code points, which is
// what a person counts when they look at the line.
struct LineCol {
  uint32_t line = 1;
  uint32_t column = 1;
};

class SourceFile {
 public:
  SourceFile(FileId id, std::string path, std::string text);

  FileId id() const { return id_; }
  const std::string& path() const { return path_; }
  std::string_view text() const { return text_; }

  LineCol line_col(uint32_t offset) const;
  // The text of a 1-based line, without its line terminator.
  std::string_view line_text(uint32_t line) const;
  uint32_t line_count() const { return static_cast<uint32_t>(line_starts_.size()); }
  uint32_t line_start(uint32_t line) const { return line_starts_[line - 1]; }
  std::string_view slice(Span span) const { return std::string_view(text_).substr(span.begin, span.end - span.begin); }

 private:
  FileId id_;
  std::string path_;
  std::string text_;
  std::vector<uint32_t> line_starts_;
};

// Owns every file of one compilation; a FileId indexes into it.
class SourceManager {
 public:
  const SourceFile& add(std::string path, std::string text);
  const SourceFile& file(FileId id) const { return *files_.at(id); }
  size_t size() const { return files_.size(); }

 private:
  std::vector<std::unique_ptr<SourceFile>> files_;
};

// Counts the code points of a UTF-8 string (invalid bytes count one each).
uint32_t count_code_points(std::string_view text);

}  // namespace flowc
