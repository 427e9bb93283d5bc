// Text and JSON rendering of diagnostics.
#include "compiler/diag/render.h"

#include <algorithm>

#include <nlohmann/json.hpp>

#include "ir/utf8.h"

namespace flowc {
namespace {

constexpr size_t kMaxShownColumns = 100;  // wider lines are shown as a window

struct Palette {
  std::string_view bold, red, yellow, blue, cyan, reset;
};

Palette palette(TextStyle style) {
  if (!style.color) return {};
  return {"\x1b[1m", "\x1b[1;31m", "\x1b[1;33m", "\x1b[1;34m", "\x1b[1;36m", "\x1b[0m"};
}

// Splits a line into display cells (one per code point, tabs as 4 spaces) so
// the caret line lines up with the source line under a monospace font.
struct DisplayLine {
  std::string text;             // what is printed
  std::vector<size_t> cell_of;  // byte offset in the line → display cell
};

DisplayLine to_display(std::string_view line) {
  DisplayLine out;
  out.cell_of.resize(line.size() + 1);
  size_t cell = 0;
  for (size_t i = 0; i < line.size();) {
    out.cell_of[i] = cell;
    unsigned char c = static_cast<unsigned char>(line[i]);
    size_t n = ir::utf8_sequence_length(line, i);
    if (c == '\t') {
      out.text += "    ";
      cell += 4;
    } else if (c < 0x20 || c == 0x7f) {
      out.text += ' ';  // never echo control bytes to a terminal
      ++cell;
    } else if (n == 0) {
      out.text += "\xEF\xBF\xBD";  // U+FFFD for a byte that is not UTF-8, so the output stays text
      ++cell;
      n = 1;
    } else {
      out.text.append(line.substr(i, n));
      ++cell;
    }
    for (size_t k = 1; k < std::max<size_t>(n, 1); ++k) out.cell_of[i + k] = cell;
    i += std::max<size_t>(n, 1);
  }
  out.cell_of[line.size()] = cell;
  return out;
}

// Cuts a display line to at most kMaxShownColumns cells around [from, to).
void window(std::string& text, size_t& from, size_t& to) {
  // Work in code points: build the byte index of every cell start.
  std::vector<size_t> starts;
  for (size_t i = 0; i < text.size(); ++i) {
    if ((static_cast<unsigned char>(text[i]) & 0xC0) != 0x80) starts.push_back(i);
  }
  size_t cells = starts.size();
  if (cells <= kMaxShownColumns) return;
  size_t first = from > 20 ? from - 20 : 0;
  size_t last = std::min(cells, first + kMaxShownColumns);
  std::string cut = text.substr(starts[first], (last < cells ? starts[last] : text.size()) - starts[first]);
  std::string prefix = first > 0 ? "..." : "";
  std::string suffix = last < cells ? "..." : "";
  text = prefix + cut + suffix;
  size_t shift = first;
  from = from - shift + prefix.size();
  to = std::min(to, last) - shift + prefix.size();
}

void render_snippet(std::string& out, const SourceFile& file, Span span, size_t gutter, const Palette& p,
                    std::string_view caret_color) {
  LineCol start = file.line_col(span.begin);
  std::string_view raw = file.line_text(start.line);
  uint32_t line_begin = file.line_start(start.line);
  size_t b = span.begin - line_begin;
  size_t e = std::min<size_t>(span.end > span.begin ? span.end - line_begin : b, raw.size());
  if (b > raw.size()) b = raw.size();
  DisplayLine shown = to_display(raw);
  size_t from = shown.cell_of[b];
  size_t to = std::max(shown.cell_of[e], from + 1);
  window(shown.text, from, to);

  std::string number = std::to_string(start.line);
  out += fmt::format("{}{:>{}} |{}\n", p.blue, "", gutter, p.reset);
  out += fmt::format("{}{:>{}} |{} {}\n", p.blue, number, gutter, p.reset, shown.text);
  out += fmt::format("{}{:>{}} |{} {}{}{}{}\n", p.blue, "", gutter, p.reset, std::string(from, ' '), caret_color,
                     std::string(to - from, '^'), p.reset);
}

std::string location(const SourceFile& file, Span span) {
  LineCol lc = file.line_col(span.begin);
  return fmt::format("{}:{}:{}", file.path(), lc.line, lc.column);
}

nlohmann::json position_json(const SourceFile& file, Span span) {
  LineCol b = file.line_col(span.begin);
  LineCol e = file.line_col(span.end);
  return {
      {"file", file.path()}, {"line", b.line}, {"column", b.column}, {"end_line", e.line}, {"end_column", e.column}};
}

}  // namespace

std::string render_text(const Diagnostic& diag, const SourceManager& sources, TextStyle style) {
  Palette p = palette(style);
  const DiagInfo& info = diag_info(diag.id);
  const SourceFile& file = sources.file(diag.span.file);
  bool error = diag.severity == Severity::Error;
  std::string_view color = error ? p.red : p.yellow;

  size_t gutter = std::to_string(file.line_col(diag.span.begin).line).size();
  for (const DiagNote& note : diag.notes) {
    gutter = std::max(gutter, std::to_string(sources.file(note.span.file).line_col(note.span.begin).line).size());
  }

  std::string out = fmt::format("{}{}: {}{}[{}]{}{}: {}{}\n", p.bold, location(file, diag.span), color,
                                error ? "error" : "warning", info.code, p.reset, p.bold, diag.message, p.reset);
  render_snippet(out, file, diag.span, gutter, p, color);
  if (!diag.help.empty()) {
    out += fmt::format("{:>{}} {}={} {}help:{} {}\n", "", gutter, p.blue, p.reset, p.bold, p.reset, diag.help);
  }
  for (const DiagNote& note : diag.notes) {
    const SourceFile& nf = sources.file(note.span.file);
    out += fmt::format("{}note{}: {}: {}\n", p.cyan, p.reset, location(nf, note.span), note.message);
    render_snippet(out, nf, note.span, gutter, p, p.cyan);
  }
  return out;
}

std::string render_text(const Diagnostics& diags, const SourceManager& sources, TextStyle style) {
  std::string out;
  for (const Diagnostic& d : diags.all()) {
    out += render_text(d, sources, style);
    out += '\n';
  }
  return out;
}

std::string render_summary(const Diagnostics& diags) {
  size_t errors = diags.error_count();
  size_t warnings = diags.all().size() - errors;
  std::vector<std::string> parts;
  if (errors) parts.push_back(fmt::format("{} error{}", errors, errors == 1 ? "" : "s"));
  if (warnings) parts.push_back(fmt::format("{} warning{}", warnings, warnings == 1 ? "" : "s"));
  return fmt::format("{}", fmt::join(parts, ", "));
}

nlohmann::json render_json(const Diagnostic& diag, const SourceManager& sources) {
  const DiagInfo& info = diag_info(diag.id);
  nlohmann::json j = position_json(sources.file(diag.span.file), diag.span);
  j["severity"] = diag.severity == Severity::Error ? "error" : "warning";
  j["code"] = info.code;
  j["name"] = info.name;
  j["message"] = diag.message;
  if (!diag.help.empty()) j["help"] = diag.help;
  if (!diag.notes.empty()) {
    nlohmann::json notes = nlohmann::json::array();
    for (const DiagNote& n : diag.notes) {
      nlohmann::json nj = position_json(sources.file(n.span.file), n.span);
      nj["message"] = n.message;
      notes.push_back(std::move(nj));
    }
    j["notes"] = std::move(notes);
  }
  return j;
}

nlohmann::json render_json(const Diagnostics& diags, const SourceManager& sources) {
  nlohmann::json list = nlohmann::json::array();
  for (const Diagnostic& d : diags.all()) list.push_back(render_json(d, sources));
  size_t errors = diags.error_count();
  return {{"diagnostics", std::move(list)}, {"errors", errors}, {"warnings", diags.all().size() - errors}};
}

}  // namespace flowc
