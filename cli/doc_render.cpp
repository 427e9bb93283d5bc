// Rendering a file's documentation (doc_render.h).
#include "cli/doc_render.h"

#include <nlohmann/json.hpp>

namespace flowc::cli {
namespace {

// Signatures longer than this are printed one port per line.
constexpr size_t kLongSignature = 88;

std::string indented(const std::string& text, const std::string& pad) {
  std::string out;
  size_t start = 0;
  while (start <= text.size()) {
    size_t eol = text.find('\n', start);
    std::string line = text.substr(start, eol == std::string::npos ? std::string::npos : eol - start);
    out += line.empty() ? "\n" : pad + line + "\n";
    if (eol == std::string::npos) break;
    start = eol + 1;
  }
  return out;
}

std::string port_text(const doc::ParamDoc& p) {
  return p.name + ": " + p.type + (p.default_value.empty() ? "" : " = " + p.default_value);
}

// The signature on one line, or with one port per line when that is long.
std::string signature_block(const doc::DeclDoc& d) {
  if (d.signature.size() <= kLongSignature || d.kind == "type") return d.signature + "\n";
  std::string out = d.kind + " " + d.name + "(\n";
  for (const doc::ParamDoc& p : d.inputs) out += "    " + port_text(p) + ",\n";
  out += ")";
  if (!d.outputs.empty()) {
    out += " -> (\n";
    for (const doc::ParamDoc& p : d.outputs) out += "    " + port_text(p) + ",\n";
    out += ")";
  }
  return out + "\n";
}

std::string options_line(const doc::DeclDoc& d) {
  std::string out;
  for (const doc::OptionDoc& o : d.options) out += (out.empty() ? "" : ", ") + o.name + " " + o.value;
  return out;
}

std::string count_line(const doc::FileDoc& file) {
  size_t ops = 0, workflows = 0, types = 0;
  for (const doc::DeclDoc& d : file.decls) {
    if (d.kind == "op") ++ops;
    else if (d.kind == "workflow") ++workflows;
    else ++types;
  }
  auto part = [](size_t n, const char* one, const char* many) {
    return std::to_string(n) + " " + (n == 1 ? one : many);
  };
  return part(ops, "op", "ops") + ", " + part(workflows, "workflow", "workflows") + ", " + part(types, "type", "types");
}

// Markdown table cells: a `|` would end the cell.
std::string cell(const std::string& text) {
  std::string out;
  for (char ch : text) {
    if (ch == '|') out += "\\|";
    else out += ch;
  }
  return out;
}

std::string code_span(const std::string& text) {
  // A backtick inside needs a longer fence around it.
  bool has_tick = text.find('`') != std::string::npos;
  return has_tick ? "`` " + text + " ``" : "`" + text + "`";
}

// Inputs have defaults; outputs have paths (or glob patterns).
std::string ports_table(const char* heading, const char* third, const std::vector<doc::ParamDoc>& ports) {
  if (ports.empty()) return {};
  std::string out = std::string("| ") + heading + " | type | " + third + " |\n|---|---|---|\n";
  for (const doc::ParamDoc& p : ports) {
    out += "| " + cell(code_span(p.name)) + " | " + cell(code_span(p.type)) + " | " +
           (p.default_value.empty() ? "" : cell(code_span(p.default_value))) + " |\n";
  }
  return out + "\n";
}

}  // namespace

std::string render_doc_text(const doc::FileDoc& file) {
  std::string out = file.path + " (" + count_line(file) + ")\n";
  if (!file.doc.empty()) out += "\n" + indented(file.doc, "    ");
  for (const doc::DeclDoc& d : file.decls) {
    out += "\n" + signature_block(d);
    if (!d.options.empty()) out += "    [" + options_line(d) + "]\n";
    if (!d.doc.empty()) out += indented(d.doc, "    ");
    else out += "    (not documented)\n";
  }
  return out;
}

std::string render_doc_markdown(const doc::FileDoc& file) {
  std::string out = "# " + code_span(file.path) + "\n\n";
  if (!file.doc.empty()) out += file.doc + "\n\n";
  out += count_line(file) + ".\n";
  for (const doc::DeclDoc& d : file.decls) {
    out += "\n\n## " + d.kind + " " + code_span(d.name) + "\n\n";
    out += "```flow\n" + signature_block(d) + "```\n\n";
    out += d.doc.empty() ? std::string("*Not documented.*\n\n") : d.doc + "\n\n";
    out += ports_table("input", "default", d.inputs);
    out += ports_table("output", "path", d.outputs);
    if (!d.options.empty()) {
      out += "Options:";
      for (size_t i = 0; i < d.options.size(); ++i) {
        out += (i ? ", " : " ") + code_span(d.options[i].name + " " + d.options[i].value);
      }
      out += "\n\n";
    }
  }
  // One blank line between blocks, whatever each block ended with.
  std::string tidy;
  for (char ch : out) {
    if (ch == '\n' && tidy.size() >= 2 && tidy[tidy.size() - 1] == '\n' && tidy[tidy.size() - 2] == '\n') continue;
    tidy += ch;
  }
  while (tidy.size() >= 2 && tidy[tidy.size() - 1] == '\n' && tidy[tidy.size() - 2] == '\n') tidy.pop_back();
  return tidy;
}

std::string render_doc_json(const doc::FileDoc& file) {
  using nlohmann::ordered_json;
  auto ports = [](const std::vector<doc::ParamDoc>& list) {
    ordered_json out = ordered_json::array();
    for (const doc::ParamDoc& p : list) {
      ordered_json j{{"name", p.name}, {"type", p.type}};
      if (!p.default_value.empty()) j["default"] = p.default_value;
      out.push_back(std::move(j));
    }
    return out;
  };
  ordered_json decls = ordered_json::array();
  for (const doc::DeclDoc& d : file.decls) {
    ordered_json j{{"kind", d.kind}, {"name", d.name}, {"line", d.line}, {"signature", d.signature}};
    if (d.kind != "type") {
      j["inputs"] = ports(d.inputs);
      j["outputs"] = ports(d.outputs);
    }
    if (d.kind == "op") {
      ordered_json options = ordered_json::object();
      for (const doc::OptionDoc& o : d.options) options[o.name] = o.value;
      j["options"] = std::move(options);
    }
    j["doc"] = d.doc;
    decls.push_back(std::move(j));
  }
  ordered_json root{{"file", file.path}, {"doc", file.doc}, {"declarations", std::move(decls)}};
  return root.dump(2) + "\n";
}

}  // namespace flowc::cli
