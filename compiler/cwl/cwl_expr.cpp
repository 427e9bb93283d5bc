// CWL expressions into IR (cwl_expr.h).
#include "compiler/cwl/cwl_expr.h"

#include <fmt/format.h>

namespace flowc::cwl {

namespace {

// The end (index of the closing bracket) of `$(...)` or `${...}` whose
// opening bracket is at `open`, skipping brackets in JavaScript strings;
// npos if it never closes.
size_t closing(const std::string& s, size_t open) {
  char o = s[open], c = o == '(' ? ')' : '}';
  int depth = 0;
  for (size_t i = open; i < s.size(); ++i) {
    char ch = s[i];
    if (ch == '\'' || ch == '"' || ch == '`') {
      for (++i; i < s.size() && s[i] != ch; ++i) {
        if (s[i] == '\\') ++i;
      }
      continue;
    }
    if (ch == '(' || ch == '{' || ch == '[') ++depth;
    if (ch == ')' || ch == '}' || ch == ']') {
      --depth;
      if (depth == 0) return ch == c ? i : std::string::npos;
    }
  }
  (void)o;
  return std::string::npos;
}

ir::Expr js_expr(std::string code, bool fn, const JsScope& scope, ir::TypeTable& types, const ir::SourceLoc& loc) {
  ir::Expr e;
  e.kind = ir::Expr::Kind::Js;
  e.type = types.any();
  e.name = std::move(code);
  e.value = nlohmann::ordered_json::object();
  if (fn) e.value["fn"] = true;
  if (scope.lib >= 0) e.value["lib"] = scope.lib;
  if (!scope.javascript) e.value["refs_only"] = true;
  if (scope.inputs) e.fields.emplace_back("inputs", *scope.inputs);
  if (scope.self) e.fields.emplace_back("self", *scope.self);
  if (scope.runtime) e.fields.emplace_back("runtime", *scope.runtime);
  e.loc = loc;
  return e;
}

}  // namespace

bool has_expression(const std::string& text) {
  for (size_t i = 0; i + 1 < text.size(); ++i) {
    if (text[i] == '\\') {
      ++i;
      continue;
    }
    if (text[i] == '$' && (text[i + 1] == '(' || text[i + 1] == '{')) return true;
  }
  return false;
}

std::optional<ir::Expr> string_expr(const std::string& raw, const JsScope& scope, ir::TypeTable& types,
                                    const ir::SourceLoc& loc, std::string* error, bool strip) {
  // As CWL runners do, whitespace around a single expression is not part
  // of it: `|` and `>` blocks end with a line break, and "${ ... }\n" is one
  // expression, not text. Text with an expression in it keeps its spaces.
  // A string without `$(` or `${` is text as it is, backslashes and all (as
  // CWL runners leave it).
  if (raw.find("$(") == std::string::npos && raw.find("${") == std::string::npos)
    return ir::Expr::literal(raw, types.str());
  std::string text = raw;
  size_t b = raw.find_first_not_of(" \t\r\n");
  size_t e = raw.find_last_not_of(" \t\r\n");
  if (strip && b != std::string::npos && b + 1 < raw.size() && raw[b] == '$' &&
      (raw[b + 1] == '(' || raw[b + 1] == '{') && closing(raw, b + 1) == e) {
    text = raw.substr(b, e - b + 1);
  }
  std::vector<ir::Expr> pieces;
  std::string literal;
  auto flush = [&] {
    if (literal.empty()) return;
    ir::Expr l = ir::Expr::literal(literal, types.str());
    pieces.push_back(std::move(l));
    literal.clear();
  };
  for (size_t i = 0; i < text.size(); ++i) {
    char ch = text[i];
    // CWL's escapes: `\\` is one backslash, `\$(` and `\${` are text; any
    // other backslash stays with the character after it.
    if (ch == '\\' && i + 1 < text.size()) {
      char next = text[i + 1];
      if (next == '\\' || (next == '$' && i + 2 < text.size() && (text[i + 2] == '(' || text[i + 2] == '{'))) {
        literal += next;
        ++i;
      } else {
        literal += ch;
        literal += next;
        ++i;
      }
      continue;
    }
    if (ch == '$' && i + 1 < text.size() && (text[i + 1] == '(' || text[i + 1] == '{')) {
      size_t end = closing(text, i + 1);
      if (end == std::string::npos) {
        *error = fmt::format("the expression starting at `{}` is never closed (a `{}` is missing)", text.substr(i, 20),
                             text[i + 1] == '(' ? ")" : "}");
        return std::nullopt;
      }
      bool fn = text[i + 1] == '{';
      std::string code = text.substr(i + 2, end - i - 2);
      if (fn && !scope.javascript) {
        *error = "`${...}` is JavaScript, which needs InlineJavascriptRequirement in the process's requirements";
        return std::nullopt;
      }
      flush();
      pieces.push_back(js_expr(std::move(code), fn, scope, types, loc));
      i = end;
      continue;
    }
    literal += ch;
  }
  flush();
  if (pieces.empty()) return ir::Expr::literal("", types.str());
  if (pieces.size() == 1) {
    pieces[0].loc = loc;
    return std::move(pieces[0]);
  }
  ir::Expr f;
  f.kind = ir::Expr::Kind::Format;
  f.type = types.str();
  f.args = std::move(pieces);
  f.loc = loc;
  return f;
}

ir::Expr json_expr(const nlohmann::ordered_json& j, ir::TypeTable& types) {
  if (j.is_array()) {
    ir::Expr e;
    e.kind = ir::Expr::Kind::List;
    e.type = types.any();
    for (const auto& item : j) e.args.push_back(json_expr(item, types));
    return e;
  }
  if (j.is_object()) {
    ir::Expr e;
    e.kind = ir::Expr::Kind::Record;
    e.type = types.any();
    for (auto it = j.begin(); it != j.end(); ++it) e.fields.emplace_back(it.key(), json_expr(it.value(), types));
    return e;
  }
  const ir::Type* t = j.is_string()           ? types.str()
                      : j.is_boolean()        ? types.bool_()
                      : j.is_number_integer() ? types.int_()
                      : j.is_number()         ? types.float_()
                                              : types.any();
  return ir::Expr::literal(j, t);
}

}  // namespace flowc::cwl
