// Reading a file's documentation from its AST (documentation.h).
#include "compiler/doc/documentation.h"

#include <algorithm>

namespace flowc::doc {
namespace {

std::string_view text_of(const Compilation& c, Span s) { return c.sources.file(s.file).slice(s); }

// Source text on one line: runs of white space outside string literals
// become one space (a `resources { ... }` block written over several lines
// reads as `resources { cpus = 2, mem = 1GiB }`).
std::string folded(std::string_view text) {
  std::string out;
  bool in_string = false;
  bool space = false;
  for (size_t i = 0; i < text.size(); ++i) {
    char ch = text[i];
    if (in_string) {
      out += ch;
      if (ch == '\\' && i + 1 < text.size()) out += text[++i];
      else if (ch == '"') in_string = false;
      continue;
    }
    if (ch == ' ' || ch == '\t' || ch == '\n' || ch == '\r') {
      space = true;
      continue;
    }
    if (space && !out.empty()) out += ' ';
    space = false;
    out += ch;
    if (ch == '"') in_string = true;
  }
  return out;
}

std::vector<ParamDoc> params_of(const Compilation& c, const std::vector<ast::Param>& params) {
  std::vector<ParamDoc> out;
  for (const ast::Param& p : params) {
    ParamDoc d{p.name.text, folded(text_of(c, p.type.span)), ""};
    if (p.default_value) d.default_value = folded(text_of(c, p.default_value->span));
    out.push_back(std::move(d));
  }
  return out;
}

std::string params_text(const std::vector<ParamDoc>& params) {
  std::string out;
  for (const ParamDoc& p : params) {
    if (!out.empty()) out += ", ";
    out += p.name + ": " + p.type;
    if (!p.default_value.empty()) out += " = " + p.default_value;
  }
  return out;
}

std::string signature(const char* keyword, const std::string& name, const std::vector<ParamDoc>& inputs,
                      const std::vector<ParamDoc>& outputs) {
  std::string out = std::string(keyword) + " " + name + "(" + params_text(inputs) + ")";
  if (!outputs.empty()) out += " -> (" + params_text(outputs) + ")";
  return out;
}

uint32_t line_of(const Compilation& c, Span s) { return c.sources.file(s.file).line_col(s.begin).line; }

}  // namespace

std::string op_signature(const Compilation& c, const ast::OpDecl& op) {
  return signature("op", op.name.text, params_of(c, op.inputs), params_of(c, op.outputs));
}

std::string workflow_signature(const Compilation& c, const ast::WorkflowDecl& wf) {
  return signature("workflow", wf.name.text, params_of(c, wf.inputs), params_of(c, wf.outputs));
}

FileDoc document_main(const Compilation& c) {
  FileDoc out;
  if (c.loaded.modules.empty() || !c.loaded.modules[0].ast) return out;
  const ast::Module& m = *c.loaded.modules[0].ast;
  out.path = c.sources.file(m.file).path();
  out.doc = m.doc;

  std::vector<std::pair<uint32_t, DeclDoc>> decls;  // by offset, to keep the file's order
  for (const ast::TypeDecl& t : m.types) {
    DeclDoc d;
    d.kind = "type";
    d.name = t.name.text;
    d.signature = "type " + t.name.text + " = " + folded(text_of(c, t.type.span));
    d.doc = t.doc;
    d.line = line_of(c, t.span);
    decls.emplace_back(t.span.begin, std::move(d));
  }
  for (const ast::OpDecl& op : m.ops) {
    DeclDoc d;
    d.kind = "op";
    d.name = op.name.text;
    d.inputs = params_of(c, op.inputs);
    d.outputs = params_of(c, op.outputs);
    d.signature = signature("op", d.name, d.inputs, d.outputs);
    for (const ast::Clause& clause : op.clauses) {
      if (clause.name.text == "run" || !clause.value) continue;  // the command is how, not what
      d.options.push_back({clause.name.text, folded(text_of(c, clause.value->span))});
    }
    d.doc = op.doc;
    d.line = line_of(c, op.span);
    decls.emplace_back(op.span.begin, std::move(d));
  }
  for (const ast::WorkflowDecl& wf : m.workflows) {
    DeclDoc d;
    d.kind = "workflow";
    d.name = wf.name.text;
    d.inputs = params_of(c, wf.inputs);
    d.outputs = params_of(c, wf.outputs);
    d.signature = signature("workflow", d.name, d.inputs, d.outputs);
    d.doc = wf.doc;
    d.line = line_of(c, wf.span);
    decls.emplace_back(wf.span.begin, std::move(d));
  }
  std::stable_sort(decls.begin(), decls.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
  for (auto& [offset, d] : decls) out.decls.push_back(std::move(d));
  return out;
}

}  // namespace flowc::doc
