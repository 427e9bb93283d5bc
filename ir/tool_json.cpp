// Tool ops ⇄ JSON (docs/ir.md, "Tool ops").
#include "ir/tool_json.h"

#include <fmt/format.h>

#include "ir/ir_json.h"

namespace flowc::ir {

using json = nlohmann::ordered_json;

namespace {

const char* kind_name(ToolType::Kind k) {
  switch (k) {
    case ToolType::Kind::Null: return "null";
    case ToolType::Kind::Bool: return "boolean";
    case ToolType::Kind::Int: return "int";
    case ToolType::Kind::Long: return "long";
    case ToolType::Kind::Float: return "float";
    case ToolType::Kind::Double: return "double";
    case ToolType::Kind::String: return "string";
    case ToolType::Kind::File: return "File";
    case ToolType::Kind::Directory: return "Directory";
    case ToolType::Kind::Any: return "Any";
    case ToolType::Kind::Enum: return "enum";
    case ToolType::Kind::Array: return "array";
    case ToolType::Kind::Record: return "record";
    case ToolType::Kind::Union: return "union";
  }
  return "Any";
}

std::optional<ToolType::Kind> kind_of(const std::string& s) {
  static const std::pair<const char*, ToolType::Kind> kinds[] = {
      {"null", ToolType::Kind::Null},     {"boolean", ToolType::Kind::Bool}, {"int", ToolType::Kind::Int},
      {"long", ToolType::Kind::Long},     {"float", ToolType::Kind::Float},  {"double", ToolType::Kind::Double},
      {"string", ToolType::Kind::String}, {"File", ToolType::Kind::File},    {"Directory", ToolType::Kind::Directory},
      {"Any", ToolType::Kind::Any},       {"enum", ToolType::Kind::Enum},    {"array", ToolType::Kind::Array},
      {"record", ToolType::Kind::Record}, {"union", ToolType::Kind::Union}};
  for (const auto& [name, kind] : kinds) {
    if (s == name) return kind;
  }
  return std::nullopt;
}

struct Writer {
  const TypeTable& types;

  json e(const Expr& x) const { return expr_to_json(x, types); }

  json binding(const ToolBinding& b) const {
    json j = json::object();
    if (b.position) j["position"] = e(*b.position);
    if (b.prefix) j["prefix"] = *b.prefix;
    if (!b.separate) j["separate"] = false;
    if (b.item_separator) j["item_separator"] = *b.item_separator;
    if (b.value_from) j["value_from"] = e(*b.value_from);
    if (!b.shell_quote) j["shell_quote"] = false;
    return j;
  }

  json type(const ToolType& t) const {
    // Plain types are their name; others an object.
    bool plain = t.symbols.empty() && t.members.empty() && t.fields.empty() && !t.binding && t.name.empty();
    if (plain) return kind_name(t.kind);
    json j = {{"type", kind_name(t.kind)}};
    if (!t.name.empty()) j["name"] = t.name;
    if (!t.symbols.empty()) j["symbols"] = t.symbols;
    if (t.kind == ToolType::Kind::Array && !t.members.empty()) j["items"] = type(t.members[0]);
    if (t.kind == ToolType::Kind::Union) {
      json alts = json::array();
      for (const ToolType& m : t.members) alts.push_back(type(m));
      j["of"] = std::move(alts);
    }
    if (!t.fields.empty()) {
      json fields = json::array();
      for (const ToolField& f : t.fields) {
        json fj = {{"name", f.name}, {"type", type(f.type)}};
        if (f.binding) fj["binding"] = binding(*f.binding);
        extras(fj, f.secondary_files, f.load_contents, f.load_listing, f.format);
        if (!f.glob.empty()) {
          json g = json::array();
          for (const Expr& x : f.glob) g.push_back(e(x));
          fj["glob"] = std::move(g);
        }
        if (f.output_eval) fj["output_eval"] = e(*f.output_eval);
        fields.push_back(std::move(fj));
      }
      j["fields"] = std::move(fields);
    }
    if (t.binding) j["binding"] = binding(*t.binding);
    return j;
  }

  void extras(json& j, const std::vector<ToolSecondaryFile>& secondary, bool load_contents,
              const std::string& load_listing, const std::optional<Expr>& format) const {
    if (!secondary.empty()) {
      json a = json::array();
      for (const ToolSecondaryFile& s : secondary) {
        json sj = json::object();
        if (s.pattern) sj["pattern"] = e(*s.pattern);
        if (s.required) sj["required"] = e(*s.required);
        a.push_back(std::move(sj));
      }
      j["secondary_files"] = std::move(a);
    }
    if (load_contents) j["load_contents"] = true;
    if (!load_listing.empty()) j["load_listing"] = load_listing;
    if (format) j["format"] = e(*format);
  }

  json port(const ToolPort& p) const {
    json j = {{"name", p.name}, {"type", type(p.type)}};
    if (p.binding) j["binding"] = binding(*p.binding);
    extras(j, p.secondary_files, p.load_contents, p.load_listing, p.format);
    if (!p.glob.empty()) {
      json g = json::array();
      for (const Expr& x : p.glob) g.push_back(e(x));
      j["glob"] = std::move(g);
    }
    if (p.output_eval) j["output_eval"] = e(*p.output_eval);
    if (!p.stream.empty()) j["stream"] = p.stream;
    return j;
  }
};

}  // namespace

json tool_to_json(const Tool& tool, const TypeTable& types) {
  Writer w{types};
  json j = json::object();
  j["base_command"] = tool.base_command;
  json args = json::array();
  for (const ToolArgument& a : tool.arguments) args.push_back(w.binding(a.binding));
  j["arguments"] = std::move(args);
  json inputs = json::array(), outputs = json::array();
  for (const ToolPort& p : tool.inputs) inputs.push_back(w.port(p));
  for (const ToolPort& p : tool.outputs) outputs.push_back(w.port(p));
  j["inputs"] = std::move(inputs);
  j["outputs"] = std::move(outputs);
  if (tool.stdin_path) j["stdin"] = w.e(*tool.stdin_path);
  if (tool.stdout_name) j["stdout"] = w.e(*tool.stdout_name);
  if (tool.stderr_name) j["stderr"] = w.e(*tool.stderr_name);
  if (!tool.workdir.empty()) {
    json entries = json::array();
    for (const ToolWorkdirEntry& entry : tool.workdir) {
      json ej = json::object();
      if (entry.entryname) ej["entryname"] = w.e(*entry.entryname);
      if (entry.entry) ej["entry"] = w.e(*entry.entry);
      if (entry.writable) ej["writable"] = true;
      entries.push_back(std::move(ej));
    }
    j["workdir"] = std::move(entries);
  }
  if (!tool.success_codes.empty()) j["success_codes"] = tool.success_codes;
  if (!tool.temporary_fail_codes.empty()) j["temporary_fail_codes"] = tool.temporary_fail_codes;
  if (!tool.permanent_fail_codes.empty()) j["permanent_fail_codes"] = tool.permanent_fail_codes;
  if (tool.shell) j["shell"] = true;
  if (tool.inplace_update) j["inplace_update"] = true;
  if (!tool.load_listing.empty()) j["load_listing"] = tool.load_listing;
  if (tool.discover_secondary_files) j["discover_secondary_files"] = true;
  if (tool.outdir_min) j["outdir_min"] = w.e(*tool.outdir_min);
  if (tool.tmpdir_min) j["tmpdir_min"] = w.e(*tool.tmpdir_min);
  return j;
}

namespace {

struct Reading {
  const ToolJsonReader& r;

  const json& obj(const json& j, const std::string& path) const {
    if (!j.is_object()) r.fail(path, "expected an object");
    return j;
  }
  std::string str(const json& j, const char* key, const std::string& path) const {
    auto it = j.find(key);
    if (it == j.end() || !it->is_string()) r.fail(path + "/" + key, "expected a string");
    return it->get<std::string>();
  }
  std::optional<Expr> opt(const json& j, const char* key, const std::string& path) const {
    auto it = j.find(key);
    if (it == j.end() || it->is_null()) return std::nullopt;
    return r.expr(*it, path + "/" + key);
  }
  std::vector<int64_t> ints(const json& j, const char* key, const std::string& path) const {
    std::vector<int64_t> out;
    auto it = j.find(key);
    if (it == j.end()) return out;
    if (!it->is_array()) r.fail(path + "/" + key, "expected an array of integers");
    for (const json& x : *it) {
      if (!x.is_number_integer()) r.fail(path + "/" + key, "expected an array of integers");
      out.push_back(x.get<int64_t>());
    }
    return out;
  }

  ToolBinding binding(const json& j, const std::string& path) const {
    obj(j, path);
    ToolBinding b;
    b.position = opt(j, "position", path);
    if (j.contains("prefix")) b.prefix = str(j, "prefix", path);
    b.separate = j.value("separate", true);
    if (j.contains("item_separator")) b.item_separator = str(j, "item_separator", path);
    b.value_from = opt(j, "value_from", path);
    b.shell_quote = j.value("shell_quote", true);
    return b;
  }

  ToolType type(const json& j, const std::string& path, int depth = 0) const {
    if (depth > 64) r.fail(path, "a type nested too deeply");
    ToolType t;
    if (j.is_string()) {
      auto k = kind_of(j.get<std::string>());
      if (!k) r.fail(path, fmt::format("unknown tool type `{}`", j.get<std::string>()));
      t.kind = *k;
      return t;
    }
    obj(j, path);
    auto k = kind_of(str(j, "type", path));
    if (!k) r.fail(path + "/type", "unknown tool type");
    t.kind = *k;
    t.name = j.value("name", "");
    if (j.contains("symbols")) {
      for (const json& s : j["symbols"]) {
        if (!s.is_string()) r.fail(path + "/symbols", "symbols are strings");
        t.symbols.push_back(s.get<std::string>());
      }
    }
    if (j.contains("items")) t.members.push_back(type(j["items"], path + "/items", depth + 1));
    if (j.contains("of")) {
      const json& of = j["of"];
      if (!of.is_array()) r.fail(path + "/of", "expected an array of types");
      for (size_t i = 0; i < of.size(); ++i)
        t.members.push_back(type(of[i], fmt::format("{}/of/{}", path, i), depth + 1));
    }
    if (t.kind == ToolType::Kind::Array && t.members.empty()) r.fail(path, "an array type needs `items`");
    if (j.contains("fields")) {
      const json& fields = j["fields"];
      if (!fields.is_array()) r.fail(path + "/fields", "expected an array");
      for (size_t i = 0; i < fields.size(); ++i) {
        std::string p = fmt::format("{}/fields/{}", path, i);
        ToolField f;
        f.name = str(obj(fields[i], p), "name", p);
        if (!fields[i].contains("type")) r.fail(p, "missing \"type\"");
        f.type = type(fields[i]["type"], p + "/type", depth + 1);
        if (fields[i].contains("binding")) f.binding = binding(fields[i]["binding"], p + "/binding");
        extras(fields[i], p, f.secondary_files, f.load_contents, f.load_listing, f.format);
        if (fields[i].contains("glob")) {
          const json& g = fields[i]["glob"];
          if (!g.is_array()) r.fail(p + "/glob", "expected an array of expressions");
          for (size_t gi = 0; gi < g.size(); ++gi) f.glob.push_back(r.expr(g[gi], fmt::format("{}/glob/{}", p, gi)));
        }
        f.output_eval = opt(fields[i], "output_eval", p);
        t.fields.push_back(std::move(f));
      }
    }
    if (j.contains("binding")) t.binding = binding(j["binding"], path + "/binding");
    return t;
  }

  void extras(const json& j, const std::string& path, std::vector<ToolSecondaryFile>& secondary, bool& load_contents,
              std::string& load_listing, std::optional<Expr>& format) const {
    if (j.contains("secondary_files")) {
      const json& a = j["secondary_files"];
      if (!a.is_array()) r.fail(path + "/secondary_files", "expected an array");
      for (size_t i = 0; i < a.size(); ++i) {
        std::string p = fmt::format("{}/secondary_files/{}", path, i);
        ToolSecondaryFile s;
        s.pattern = opt(obj(a[i], p), "pattern", p);
        s.required = opt(a[i], "required", p);
        secondary.push_back(std::move(s));
      }
    }
    load_contents = j.value("load_contents", false);
    load_listing = j.value("load_listing", "");
    format = opt(j, "format", path);
  }

  ToolPort port(const json& j, const std::string& path) const {
    obj(j, path);
    ToolPort p;
    p.name = str(j, "name", path);
    if (!j.contains("type")) r.fail(path, "missing \"type\"");
    p.type = type(j["type"], path + "/type");
    if (j.contains("binding")) p.binding = binding(j["binding"], path + "/binding");
    extras(j, path, p.secondary_files, p.load_contents, p.load_listing, p.format);
    if (j.contains("glob")) {
      const json& g = j["glob"];
      if (!g.is_array()) r.fail(path + "/glob", "expected an array of expressions");
      for (size_t i = 0; i < g.size(); ++i) p.glob.push_back(r.expr(g[i], fmt::format("{}/glob/{}", path, i)));
    }
    p.output_eval = opt(j, "output_eval", path);
    p.stream = j.value("stream", "");
    if (!p.stream.empty() && p.stream != "stdout" && p.stream != "stderr") r.fail(path + "/stream", "stdout or stderr");
    return p;
  }
};

}  // namespace

Tool ToolJsonReader::read(const json& j, const std::string& path) const {
  Reading in{*this};
  in.obj(j, path);
  Tool tool;
  if (j.contains("base_command")) {
    for (const json& w : j["base_command"]) {
      if (!w.is_string()) fail(path + "/base_command", "expected strings");
      tool.base_command.push_back(w.get<std::string>());
    }
  }
  if (j.contains("arguments")) {
    const json& a = j["arguments"];
    if (!a.is_array()) fail(path + "/arguments", "expected an array");
    for (size_t i = 0; i < a.size(); ++i) {
      tool.arguments.push_back(ToolArgument{in.binding(a[i], fmt::format("{}/arguments/{}", path, i))});
    }
  }
  for (const char* key : {"inputs", "outputs"}) {
    if (!j.contains(key)) continue;
    const json& a = j[key];
    if (!a.is_array()) fail(path + "/" + key, "expected an array");
    auto& ports = std::string(key) == "inputs" ? tool.inputs : tool.outputs;
    for (size_t i = 0; i < a.size(); ++i) ports.push_back(in.port(a[i], fmt::format("{}/{}/{}", path, key, i)));
  }
  tool.stdin_path = in.opt(j, "stdin", path);
  tool.stdout_name = in.opt(j, "stdout", path);
  tool.stderr_name = in.opt(j, "stderr", path);
  if (j.contains("workdir")) {
    const json& a = j["workdir"];
    if (!a.is_array()) fail(path + "/workdir", "expected an array");
    for (size_t i = 0; i < a.size(); ++i) {
      std::string p = fmt::format("{}/workdir/{}", path, i);
      ToolWorkdirEntry entry;
      entry.entryname = in.opt(in.obj(a[i], p), "entryname", p);
      entry.entry = in.opt(a[i], "entry", p);
      entry.writable = a[i].value("writable", false);
      tool.workdir.push_back(std::move(entry));
    }
  }
  tool.success_codes = in.ints(j, "success_codes", path);
  tool.temporary_fail_codes = in.ints(j, "temporary_fail_codes", path);
  tool.permanent_fail_codes = in.ints(j, "permanent_fail_codes", path);
  tool.shell = j.value("shell", false);
  tool.inplace_update = j.value("inplace_update", false);
  tool.load_listing = j.value("load_listing", "");
  tool.discover_secondary_files = j.value("discover_secondary_files", false);
  tool.outdir_min = in.opt(j, "outdir_min", path);
  tool.tmpdir_min = in.opt(j, "tmpdir_min", path);
  return tool;
}

}  // namespace flowc::ir
