// Printing IR expressions in the language's own notation.
#include "ir/expr_text.h"

#include <fmt/format.h>

namespace flowc::ir {
namespace {

std::string text(const Expr& e) {
  auto list = [](const std::vector<Expr>& args) {
    std::string out;
    for (size_t i = 0; i < args.size(); ++i) out += (i ? ", " : "") + text(args[i]);
    return out;
  };
  switch (e.kind) {
    case Expr::Kind::Literal:
      if (e.value.is_null()) return "none";
      if (e.value.is_string()) return nlohmann::json(e.value).dump();
      return e.value.dump();
    case Expr::Kind::Var: return e.name;
    case Expr::Kind::Member: return text(e.args[0]) + "." + e.name;
    case Expr::Kind::Index: return fmt::format("{}[{}]", text(e.args[0]), text(e.args[1]));
    case Expr::Kind::Unary: return e.name + text(e.args[0]);
    case Expr::Kind::Binary: return fmt::format("{} {} {}", text(e.args[0]), e.name, text(e.args[1]));
    case Expr::Kind::List: return "[" + list(e.args) + "]";
    case Expr::Kind::Record: {
      std::string out = "{";
      for (size_t i = 0; i < e.fields.size(); ++i)
        out += (i ? ", " : " ") + e.fields[i].first + " = " + text(e.fields[i].second);
      return out + " }";
    }
    case Expr::Kind::Map: {
      std::string out = "{";
      for (size_t i = 0; i + 1 < e.args.size(); i += 2)
        out += (i ? ", " : "") + text(e.args[i]) + ": " + text(e.args[i + 1]);
      return out + "}";
    }
    case Expr::Kind::Call: return e.name + "(" + list(e.args) + ")";
    case Expr::Kind::Format: {
      std::string out = "\"";
      for (const Expr& part : e.args) {
        if (part.kind == Expr::Kind::Literal && part.value.is_string()) {
          out += part.value.get<std::string>();
        } else {
          out += "${" + text(part) + "}";
        }
      }
      return out + "\"";
    }
    case Expr::Kind::Js:
      return (e.value.is_object() && e.value.value("fn", false) ? "${" : "$(") + e.name +
             (e.value.is_object() && e.value.value("fn", false) ? "}" : ")");
  }
  return "?";
}

}  // namespace

std::string expr_text(const Expr& e, size_t limit) {
  std::string t = text(e);
  if (t.size() > limit) t = t.substr(0, limit) + "...";
  return t;
}

}  // namespace flowc::ir
