// Command rendering: values quoted for where the compiler found them in the
// shell text (ir::CommandPart): the quoting context, and three more facts
// quoting alone does not cover:
//   - inside backticks, the shell removes one level of `\` before `\`, `` ` ``
//     and `$`, so the quoted text is escaped once more per level;
//   - in a `#` comment quotes mean nothing and a line break ends the
//     comment, so line breaks in a value there become spaces;
//   - in a here-document, a line of a value equal to the delimiter would end
//     the document early; that is a failure.
// And a NUL byte, which no shell script can hold, is a failure anywhere.
#include "runtime/command/render.h"

#include <fmt/format.h>

#include "ir/expr_text.h"

namespace flowc::runtime {
namespace {

using ir::Quoting;
using ir::TypeKind;

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
    case Quoting::Arithmetic:
      return "\"" + escaped(s, "\\$`\"") + "\"";  // see shell_text
    // A nested "..." inside ${name:-word}: a `}` in it cannot end the word.
    case Quoting::Parameter: return "\"" + escaped(s, "\\$`\"") + "\"";
  }
  return "'" + single_quoted_inner(s) + "'";
}

}  // namespace

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
      return EvalFailure{
          fmt::format("`${{{}}}` holds a NUL byte, which a shell script cannot hold", ir::expr_text(*part.expr)),
          part.loc};
    }
    if (part.comment) {
      for (char& c : text) {
        if (c == '\n') c = ' ';
      }
    }
    for (int level = 0; level < part.backticks; ++level) text = escaped(text, "\\`$");
    size_t begin = out.size();
    out += text;
    if (!part.heredoc_end.empty()) in_heredocs.push_back(Region{begin, out.size(), k});
  }
  // No line a value touches in a here-document may be its delimiter.
  for (const Region& r : in_heredocs) {
    const ir::CommandPart& part = op.command[r.part];
    size_t pos = 0;
    if (r.begin > 0) {
      size_t nl = out.rfind('\n', r.begin - 1);
      pos = nl == std::string::npos ? 0 : nl + 1;
    }
    while (true) {
      size_t line_end = out.find('\n', pos);
      if (line_end == std::string::npos) line_end = out.size();
      std::string_view line(out.data() + pos, line_end - pos);
      if (part.heredoc_strip_tabs) {
        while (!line.empty() && line.front() == '\t') line.remove_prefix(1);
      }
      if (line == part.heredoc_end) {
        return EvalFailure{fmt::format("the value of `${{{}}}` would end the here-document early: it makes a line `{}`",
                                       ir::expr_text(*part.expr), part.heredoc_end),
                           part.loc};
      }
      if (line_end >= r.end || line_end >= out.size()) break;
      pos = line_end + 1;
    }
  }
  return out;
}

}  // namespace flowc::runtime
