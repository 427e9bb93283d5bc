// Completion of record fields and call outputs, keyword arguments, and names.
#include "lsp/completion.h"

#include <regex>
#include <set>

#include "compiler/doc/documentation.h"
#include "lsp/features.h"

namespace flowc::lsp {
namespace {

// LSP CompletionItemKind values.
constexpr int kFunction = 3, kField = 5, kVariable = 6, kModule = 9, kProperty = 10, kKeyword = 14, kStruct = 22,
              kTypeParameter = 25;

bool ident_char(char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_'; }

nlohmann::json item(const std::string& label, int kind, const std::string& detail = "") {
  nlohmann::json j = {{"label", label}, {"kind", kind}};
  if (!detail.empty()) j["detail"] = detail;
  return j;
}

struct Enclosing {
  const ast::OpDecl* op = nullptr;
  const ast::WorkflowDecl* workflow = nullptr;
};

// The op or workflow the cursor is in, found by the name of the last
// `op NAME` / `workflow NAME` above it (the declaration may not parse yet).
Enclosing enclosing(std::string_view text, uint32_t offset, const Compilation& c) {
  static const std::regex header(R"((?:^|\n)[ \t]*(op|workflow)[ \t]+([A-Za-z_][A-Za-z0-9_]*))");
  std::string before(text.substr(0, offset));
  std::string kind, name;
  for (auto it = std::sregex_iterator(before.begin(), before.end(), header); it != std::sregex_iterator(); ++it) {
    kind = (*it)[1];
    name = (*it)[2];
  }
  const ast::Module* m = main_module(c);
  if (!m || name.empty()) return {};
  if (kind == "op") {
    for (const auto& op : m->ops)
      if (op.name.text == name) return {&op, nullptr};
  } else {
    for (const auto& wf : m->workflows)
      if (wf.name.text == name) return {nullptr, &wf};
  }
  return {};
}

const ir::Type* strip(const ir::Type* t) {
  while (t && (t->is(ir::TypeKind::List) || t->is_optional())) t = t->elem();
  return t;
}

// Bindings and loop variables of a workflow body, by name (first wins).
void visit_names(const ast::Block& b, const Compilation& c, std::map<std::string, const ir::Type*>* out) {
  for (const ast::Stmt& s : b.stmts) {
    if (const auto* bind = s.as<ast::BindStmt>()) {
      auto it = c.checked->stmts.find(&s);
      out->emplace(bind->name.text, it == c.checked->stmts.end() ? nullptr : it->second.type);
    } else if (const auto* f = s.as<ast::ForStmt>()) {
      out->emplace(f->var.text, f->collection && f->collection->type ? strip(f->collection->type) : nullptr);
      visit_names(f->body, c, out);
    } else if (const auto* i = s.as<ast::IfStmt>()) {
      for (const auto& arm : i->arms) visit_names(arm.body, c, out);
      if (i->else_block) visit_names(*i->else_block, c, out);
    }
  }
}

// Every local name of the enclosing declaration and its type.
std::map<std::string, const ir::Type*> local_names(const Enclosing& e, const Compilation& c) {
  std::map<std::string, const ir::Type*> names;
  const auto* inputs = e.op ? &e.op->inputs : e.workflow ? &e.workflow->inputs : nullptr;
  if (!inputs) return names;
  for (const auto& p : *inputs) names.emplace(p.name.text, p.resolved);
  if (e.op) {
    for (const auto& p : e.op->outputs) names.emplace(p.name.text, p.resolved);
  }
  if (e.workflow) visit_names(e.workflow->body, c, &names);
  return names;
}

nlohmann::json members(std::string_view chain, const Enclosing& e, const Compilation& c) {
  nlohmann::json out = nlohmann::json::array();
  auto names = local_names(e, c);
  size_t dot = chain.find('.');
  auto it = names.find(std::string(chain.substr(0, dot)));
  if (it == names.end()) return out;
  const ir::Type* t = it->second;
  while (dot != std::string_view::npos && t) {
    size_t next = chain.find('.', dot + 1);
    std::string field(chain.substr(dot + 1, next == std::string_view::npos ? std::string_view::npos : next - dot - 1));
    const ir::Type* rec = strip(t);
    t = nullptr;
    if (rec && rec->is(ir::TypeKind::Record)) {
      for (const ir::Field& f : rec->fields())
        if (f.name == field) t = f.type;
    }
    dot = next;
  }
  const ir::Type* rec = strip(t);
  if (!rec || !rec->is(ir::TypeKind::Record)) return out;
  for (const ir::Field& f : rec->fields()) out.push_back(item(f.name, kField, c.types->display(f.type)));
  return out;
}

// The innermost bracket still open before `offset`, skipping string text.
std::optional<size_t> open_bracket(std::string_view text, size_t from, size_t offset) {
  std::vector<size_t> stack;
  bool in_string = false;
  for (size_t i = from; i < offset; ++i) {
    char ch = text[i];
    if (in_string) {
      if (ch == '\\') ++i;
      else if (ch == '"' || ch == '\n') in_string = false;
      continue;
    }
    if (ch == '"') in_string = true;
    else if (ch == '/' && i + 1 < offset && text[i + 1] == '/') {
      while (i < offset && text[i] != '\n') ++i;
    } else if (ch == '(' || ch == '[' || ch == '{') stack.push_back(i);
    else if ((ch == ')' || ch == ']' || ch == '}') && !stack.empty()) stack.pop_back();
  }
  if (stack.empty()) return std::nullopt;
  return stack.back();
}

nlohmann::json keyword_arguments(std::string_view text, size_t paren, uint32_t offset, const Compilation& c) {
  nlohmann::json out = nlohmann::json::array();
  size_t end = paren;
  while (end > 0 && (text[end - 1] == ' ' || text[end - 1] == '\t')) --end;
  size_t begin = end;
  while (begin > 0 && ident_char(text[begin - 1])) --begin;
  std::string callee(text.substr(begin, end - begin));
  if (callee.empty() || !c.checked) return out;
  const check::Symbol* s = c.checked->find_symbol(0, callee);
  if (!s || s->kind == check::Symbol::Type) return out;
  const auto& inputs = s->op ? s->op->inputs : s->workflow->inputs;
  std::set<std::string> given;
  std::string args(text.substr(paren + 1, offset - paren - 1));
  static const std::regex named(R"(([A-Za-z_][A-Za-z0-9_]*)\s*=[^=])");
  for (auto it = std::sregex_iterator(args.begin(), args.end(), named); it != std::sregex_iterator(); ++it) {
    given.insert((*it)[1]);
  }
  std::string_view source = c.sources.file(s->span.file).text();
  for (const ast::Param& p : inputs) {
    if (given.count(p.name.text)) continue;
    std::string type(source.substr(p.type.span.begin, p.type.span.end - p.type.span.begin));
    nlohmann::json i = item(p.name.text, kProperty, type + (p.default_value ? " (has a default)" : ""));
    i["insertText"] = p.name.text + " = ";
    i["sortText"] = std::string(p.default_value || (p.resolved && p.resolved->is_optional()) ? "1" : "0") + p.name.text;
    out.push_back(std::move(i));
  }
  return out;
}

nlohmann::json call_options(std::string_view text, size_t with) {
  size_t line = text.rfind('\n', with);
  std::string_view head = text.substr(line == std::string_view::npos ? 0 : line + 1, with);
  size_t first = head.find_first_not_of(" \t");
  bool loop = first != std::string_view::npos && head.substr(first, 4) == "for ";
  nlohmann::json out = nlohmann::json::array();
  auto option = [&](const char* name, const char* detail) {
    nlohmann::json i = item(name, kProperty, detail);
    i["insertText"] = std::string(name) + " = ";
    out.push_back(std::move(i));
  };
  if (loop) {
    option("min_success", "int: items that must succeed");
    option("min_success_ratio", "float: the share of items that must succeed");
  } else {
    option("optional", "bool: the call may fail; its outputs are then absent");
    option("replicas", "int: instances of a stream consumer");
    option("group", "int: fan-out items run one after another in one task");
    option("after", "list of calls: wait for them to end, without reading them");
  }
  return out;
}

nlohmann::json everything(const Enclosing& e, const Compilation* c) {
  nlohmann::json out = nlohmann::json::array();
  for (const char* k : {"op",      "workflow", "type",     "import",  "run",  "for",     "in",        "if",  "else",
                        "return",  "with",     "true",     "false",   "none", "image",   "resources", "mpi", "retry",
                        "timeout", "cache",    "executor", "network", "env",  "streams", "shell"}) {
    out.push_back(item(k, kKeyword));
  }
  for (const char* t :
       {"int", "float", "bool", "str", "file", "dir", "size", "duration", "list", "map", "stream", "bytes"}) {
    out.push_back(item(t, kTypeParameter, "builtin type"));
  }
  if (!c) return out;
  if (c->builtins) {
    for (const ir::Builtin& b : c->builtins->all()) {
      out.push_back(item(b.name, kFunction, b.overloads.empty() ? "" : b.name + b.overloads[0].text));
    }
  }
  if (c->checked && !c->checked->scopes.empty()) {
    for (const auto& [name, sym] : c->checked->scopes[0].symbols) {
      if (sym.kind == check::Symbol::Op) out.push_back(item(name, kFunction, doc::op_signature(*c, *sym.op)));
      if (sym.kind == check::Symbol::Workflow)
        out.push_back(item(name, kModule, doc::workflow_signature(*c, *sym.workflow)));
      if (sym.kind == check::Symbol::Type) out.push_back(item(name, kStruct, "type"));
    }
    for (const auto& [name, type] : local_names(e, *c)) {
      out.push_back(item(name, kVariable, type ? c->types->display(type) : ""));
    }
  }
  return out;
}

}  // namespace

nlohmann::json complete(std::string_view text, uint32_t offset, const Compilation* checked) {
  offset = std::min<uint32_t>(offset, static_cast<uint32_t>(text.size()));
  size_t start = offset;
  while (start > 0 && ident_char(text[start - 1])) --start;
  Enclosing e = checked && checked->checked ? enclosing(text, offset, *checked) : Enclosing{};

  // After `a.b.`: the fields of what the chain names.
  if (start > 0 && text[start - 1] == '.') {
    size_t chain_begin = start - 1;
    while (chain_begin > 0 && (ident_char(text[chain_begin - 1]) || text[chain_begin - 1] == '.')) --chain_begin;
    if (!checked || !checked->checked) return nlohmann::json::array();
    return members(text.substr(chain_begin, start - 1 - chain_begin), e, *checked);
  }

  size_t before = start;
  while (before > 0 && std::isspace(static_cast<unsigned char>(text[before - 1]))) --before;
  if (before > 0 && (text[before - 1] == '(' || text[before - 1] == ',' || text[before - 1] == '{')) {
    size_t line_floor = text.rfind("\n\n", before);
    auto open = open_bracket(text, line_floor == std::string_view::npos ? 0 : line_floor, before);
    // In `op(` or after `, ` in its arguments: the inputs not given yet.
    if (open && text[*open] == '(' && checked) {
      nlohmann::json args = keyword_arguments(text, *open, static_cast<uint32_t>(before), *checked);
      if (!args.empty()) return args;
    }
    // In `with {`: the options of a call, or of a `for`.
    if (open && text[*open] == '{') {
      size_t w = *open;
      while (w > 0 && (text[w - 1] == ' ' || text[w - 1] == '\t')) --w;
      if (w >= 4 && text.substr(w - 4, 4) == "with") return call_options(text, w - 4);
    }
  }
  return everything(e, checked);
}

}  // namespace flowc::lsp
