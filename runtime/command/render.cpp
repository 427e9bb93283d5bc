// Command rendering: values quoted for the shell context the compiler
// recorded. On top of that context, a small scan of the command text (the
// same rules as compiler/check/shell_context.cpp) finds three places where
// the recorded context alone would not be safe:
//   - inside backticks, the shell removes one level of `\` before `\`, `` ` ``
//     and `$`, so the quoted text is escaped once more per level;
//   - in a `#` comment quotes mean nothing and a line break ends the
//     comment, so line breaks in a value there become spaces;
//   - in a here-document, a line of a value equal to the delimiter would end
//     the document early; that is a failure.
// In shell arithmetic $(( )) only numbers and bools may stand: the shell
// expands `$(...)` there even inside single quotes, so any other value is a
// failure. And a NUL byte, which no shell script can hold, is a failure
// anywhere.
#include "runtime/command/render.h"

#include <charconv>
#include <cmath>

#include <fmt/format.h>

#include "ir/expr_text.h"

namespace flowc::runtime {
namespace {

using ir::Quoting;
using ir::TypeKind;

// Seconds: an integer when whole (30), else the shortest float (0.25).
std::string seconds_text(double d) {
  if (d == std::trunc(d) && std::fabs(d) < 1e18) return std::to_string(static_cast<int64_t>(d));
  char buf[64];
  auto result = std::to_chars(buf, buf + sizeof buf, d);
  return std::string(buf, result.ptr);
}

std::string escaped(std::string_view s, std::string_view specials) {
  std::string out;
  out.reserve(s.size() + 8);
  for (char c : s) {
    if (specials.find(c) != std::string_view::npos) out += '\\';
    out += c;
  }
  return out;
}

// Inside '...': a ' closes the quote, is written escaped, and the quote reopens.
std::string single_quoted_inner(std::string_view s) {
  std::string out;
  out.reserve(s.size() + 8);
  for (char c : s) {
    if (c == '\'') out += "'\\''";
    else out += c;
  }
  return out;
}

std::string quoted_text(std::string_view s, Quoting q) {
  switch (q) {
    case Quoting::Bare: return "'" + single_quoted_inner(s) + "'";
    case Quoting::Double: return escaped(s, "\\$`\"");
    case Quoting::Single: return single_quoted_inner(s);
    case Quoting::Heredoc: return escaped(s, "\\$`");
    case Quoting::Literal: return std::string(s);
    case Quoting::Arithmetic: return "\"" + escaped(s, "\\$`\"") + "\"";  // see shell_text
  }
  return "'" + single_quoted_inner(s) + "'";
}

// ---- scanning the command text -------------------------------------------------------

enum class Frame { Normal, Single, Double, Subshell, Backtick, Arithmetic };

struct Heredoc {
  std::string delimiter;
  bool strip_tabs = false;
};

struct Place {
  int backticks = 0;  // enclosing backtick substitutions
  bool comment = false;
  int heredoc = -1;  // index of the here-document it stands in
};

bool is_word_char(char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-' || c == '.'; }

// Where each interpolation of `parts` stands (indexed like parts).
std::vector<Place> scan(const std::vector<ir::CommandPart>& parts, std::vector<Heredoc>& docs) {
  std::vector<Place> places(parts.size());
  std::string text;
  std::vector<int> at;  // the part at each placeholder position, or -1
  for (size_t k = 0; k < parts.size(); ++k) {
    if (parts[k].expr) {
      text += 'x';
      at.push_back(static_cast<int>(k));
    } else {
      text += parts[k].text;
      at.resize(text.size(), -1);
    }
  }

  std::vector<Frame> stack = {Frame::Normal};
  std::vector<int> arith_depth;  // open parentheses inside each $(( ))
  std::vector<Heredoc> pending;
  const size_t n = text.size();
  size_t i = 0;
  auto backticks = [&] {
    int count = 0;
    for (Frame f : stack) count += f == Frame::Backtick;
    return count;
  };
  auto heredoc_body = [&](const Heredoc& doc) {
    docs.push_back(doc);
    int index = static_cast<int>(docs.size()) - 1;
    while (i < n) {
      size_t line_end = text.find('\n', i);
      if (line_end == std::string::npos) line_end = n;
      size_t start = i;
      if (doc.strip_tabs) {
        while (start < line_end && text[start] == '\t') ++start;
      }
      bool has_interpolation = false;
      for (size_t k = i; k < line_end; ++k) {
        if (at[k] >= 0) {
          has_interpolation = true;
          places[at[k]].heredoc = index;
          places[at[k]].backticks = backticks();
        }
      }
      bool is_end = !has_interpolation && text.compare(start, line_end - start, doc.delimiter) == 0;
      i = line_end < n ? line_end + 1 : n;
      if (is_end) return;
    }
  };

  while (i < n) {
    if (at[i] >= 0) {
      places[at[i]].backticks = backticks();
      ++i;
      continue;
    }
    char c = text[i];
    Frame top = stack.back();
    if (top == Frame::Single) {
      if (c == '\'') stack.pop_back();
      ++i;
      continue;
    }
    if (top == Frame::Arithmetic) {
      // $(( ... )): parentheses nest; `))` at depth 0 ends it.
      if (c == '(') {
        ++arith_depth.back();
      } else if (c == ')') {
        if (arith_depth.back() == 0 && i + 1 < n && text[i + 1] == ')') {
          stack.pop_back();
          arith_depth.pop_back();
          i += 2;
          continue;
        }
        if (arith_depth.back() > 0) --arith_depth.back();
      } else if (c == '$' && i + 1 < n && text[i + 1] == '(') {
        if (i + 2 < n && text[i + 2] == '(') {
          stack.push_back(Frame::Arithmetic);
          arith_depth.push_back(0);
          i += 3;
          continue;
        }
        stack.push_back(Frame::Subshell);
        ++i;
      }
      ++i;
      continue;
    }
    if (c == '\\') {
      i += 2;
      continue;
    }
    if (top == Frame::Double) {
      if (c == '"') {
        stack.pop_back();
      } else if (c == '$' && i + 2 < n && text[i + 1] == '(' && text[i + 2] == '(') {
        stack.push_back(Frame::Arithmetic);
        arith_depth.push_back(0);
        i += 2;
      } else if (c == '$' && i + 1 < n && text[i + 1] == '(') {
        stack.push_back(Frame::Subshell);
        ++i;
      } else if (c == '`') {
        stack.push_back(Frame::Backtick);
      }
      ++i;
      continue;
    }
    switch (c) {
      case '\'':
        stack.push_back(Frame::Single);
        break;
      case '"':
        stack.push_back(Frame::Double);
        break;
      case '`':
        if (top == Frame::Backtick) stack.pop_back();
        else stack.push_back(Frame::Backtick);
        break;
      case '$':
        if (i + 2 < n && text[i + 1] == '(' && text[i + 2] == '(') {
          stack.push_back(Frame::Arithmetic);
          arith_depth.push_back(0);
          i += 2;
        } else if (i + 1 < n && text[i + 1] == '(') {
          stack.push_back(Frame::Subshell);
          ++i;
        }
        break;
      case '(':
        if (top == Frame::Subshell) stack.push_back(Frame::Subshell);
        break;
      case ')':
        if (top == Frame::Subshell) stack.pop_back();
        break;
      case '#': {
        bool word_start = i == 0 || std::isspace(static_cast<unsigned char>(text[i - 1])) || text[i - 1] == ';';
        if (word_start) {
          while (i < n && text[i] != '\n') {
            if (at[i] >= 0) {
              places[at[i]].comment = true;
              places[at[i]].backticks = backticks();
            }
            ++i;
          }
          continue;
        }
        break;
      }
      case '<':
        if (i + 1 < n && text[i + 1] == '<' && !(i + 2 < n && text[i + 2] == '<')) {
          Heredoc doc;
          size_t k = i + 2;
          if (k < n && text[k] == '-') {
            doc.strip_tabs = true;
            ++k;
          }
          while (k < n && (text[k] == ' ' || text[k] == '\t')) ++k;
          char quote = k < n && (text[k] == '\'' || text[k] == '"') ? text[k] : 0;
          if (quote) ++k;
          if (k < n && text[k] == '\\') ++k;
          size_t word = k;
          while (k < n && is_word_char(text[k]) && at[k] < 0) ++k;
          doc.delimiter = text.substr(word, k - word);
          if (quote && k < n && text[k] == quote) ++k;
          if (!doc.delimiter.empty()) pending.push_back(doc);
          i = k;
          continue;
        }
        break;
      case '\n':
        if (!pending.empty()) {
          ++i;
          for (const Heredoc& doc : pending) heredoc_body(doc);
          pending.clear();
          continue;
        }
        break;
      default:
        break;
    }
    ++i;
  }
  return places;
}

}  // namespace

std::string scalar_text(const Value& v, const ir::Type* t) {
  if (v.is_null()) return "";
  TypeKind kind = t ? t->non_optional()->kind() : TypeKind::Error;
  switch (kind) {
    case TypeKind::Float:
      if (v.is_number()) return float_text(v.get<double>());
      break;
    case TypeKind::Duration:
      if (v.is_number()) return seconds_text(v.get<double>());
      break;
    case TypeKind::Int:
    case TypeKind::Size:
      if (v.is_number_float()) return seconds_text(v.get<double>());
      break;
    default:
      break;
  }
  if (v.is_string()) return v.get<std::string>();
  if (v.is_boolean()) return v.get<bool>() ? "true" : "false";
  if (v.is_number_unsigned()) return std::to_string(v.get<uint64_t>());
  if (v.is_number_integer()) return std::to_string(v.get<int64_t>());
  if (v.is_number_float()) return float_text(v.get<double>());
  return canonical(v);
}

std::string shell_text(const Value& v, const ir::Type* t, ir::Quoting quoting) {
  if (v.is_null()) return "";
  if (quoting == Quoting::Arithmetic) {
    // A number as it is (it cannot hold shell syntax), a bool as 1 or 0.
    // render_command refuses anything else; here it becomes one escaped,
    // double-quoted string, which the shell reports as a bad expression.
    if (v.is_boolean()) return v.get<bool>() ? "1" : "0";
    if (v.is_number()) return scalar_text(v, t);
    return quoted_text(v.is_array() ? shell_text(v, t, Quoting::Literal) : scalar_text(v, t), quoting);
  }
  if (!v.is_array()) return quoted_text(scalar_text(v, t), quoting);
  const ir::Type* list = t ? t->non_optional() : nullptr;
  const ir::Type* elem = list && list->is(TypeKind::List) ? list->elem() : nullptr;
  std::string out;
  bool first = true;
  for (const Value& item : v) {
    if (item.is_null()) continue;  // an absent item is no word at all
    if (!first) out += ' ';
    first = false;
    // Bare: each item its own quoted word; in quotes: the items joined by spaces.
    out += quoting == Quoting::Bare ? quoted_text(scalar_text(item, elem), quoting) : scalar_text(item, elem);
  }
  return quoting == Quoting::Bare ? out : quoted_text(out, quoting);
}

Evaluated<std::string> render_command(const ir::Op& op, const Scope& scope, Evaluator& evaluator) {
  std::vector<Heredoc> docs;
  std::vector<Place> places = scan(op.command, docs);
  struct Region {
    size_t begin, end;
    size_t part;
  };
  std::vector<Region> in_heredocs;
  std::string out;
  for (size_t k = 0; k < op.command.size(); ++k) {
    const ir::CommandPart& part = op.command[k];
    if (!part.expr) {
      out += part.text;
      continue;
    }
    Evaluated<Value> value = evaluator.eval(*part.expr, scope);
    if (auto* failure = std::get_if<EvalFailure>(&value)) {
      EvalFailure f = std::move(*failure);
      if (!f.loc.known()) f.loc = part.loc;
      return f;
    }
    const Value& v = std::get<Value>(value);
    if (part.quoting == Quoting::Arithmetic && !v.is_null() && !v.is_number() && !v.is_boolean()) {
      return EvalFailure{fmt::format("`${{{}}}` stands in shell arithmetic $(( )), where only numbers and bools can "
                                     "go, but its value is {}",
                                     ir::expr_text(*part.expr), describe(v)),
                         part.loc};
    }
    std::string text = shell_text(v, part.expr->type, part.quoting);
    if (text.find('\0') != std::string::npos) {
      return EvalFailure{fmt::format("`${{{}}}` holds a NUL byte, which a shell script cannot hold",
                                     ir::expr_text(*part.expr)),
                         part.loc};
    }
    const Place& place = places[k];
    if (place.comment) {
      for (char& c : text) {
        if (c == '\n') c = ' ';
      }
    }
    for (int level = 0; level < place.backticks; ++level) text = escaped(text, "\\`$");
    size_t begin = out.size();
    out += text;
    if (place.heredoc >= 0) in_heredocs.push_back(Region{begin, out.size(), k});
  }
  // No line a value touches in a here-document may be its delimiter.
  for (const Region& r : in_heredocs) {
    const Heredoc& doc = docs[static_cast<size_t>(places[r.part].heredoc)];
    size_t pos = 0;
    if (r.begin > 0) {
      size_t nl = out.rfind('\n', r.begin - 1);
      pos = nl == std::string::npos ? 0 : nl + 1;
    }
    while (true) {
      size_t line_end = out.find('\n', pos);
      if (line_end == std::string::npos) line_end = out.size();
      std::string_view line(out.data() + pos, line_end - pos);
      if (doc.strip_tabs) {
        while (!line.empty() && line.front() == '\t') line.remove_prefix(1);
      }
      if (line == doc.delimiter) {
        return EvalFailure{fmt::format("the value of `${{{}}}` would end the here-document early: it makes a line `{}`",
                                       ir::expr_text(*op.command[r.part].expr), doc.delimiter),
                           op.command[r.part].loc};
      }
      if (line_end >= r.end || line_end >= out.size()) break;
      pos = line_end + 1;
    }
  }
  return out;
}

}  // namespace flowc::runtime
