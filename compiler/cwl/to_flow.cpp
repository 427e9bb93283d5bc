// CWL documents as .flow text (to_flow.h).
#include "compiler/cwl/to_flow.h"

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <functional>
#include <map>
#include <cstring>
#include <set>
#include <tuple>
#include <variant>

#include <fmt/format.h>

#include "compiler/cwl/cwl_expr.h"
#include "ir/param_ref.h"
#include "ir/types.h"

namespace flowc::cwl {

namespace fs = std::filesystem;
using json = nlohmann::ordered_json;

namespace {

// Words .flow reserves, and builtin type and function names a definition or
// port may not take.
const std::set<std::string> kReserved = {
    "else",        "false",        "for",        "if",        "import",      "in",
    "none",        "op",           "return",     "true",      "type",        "with",
    "workflow",    "int",          "float",      "bool",      "str",         "file",
    "dir",         "size",         "duration",   "list",      "map",         "stream",
    "any",         "len",          "range",      "zip",       "cross",       "flatten",
    "select_all",  "select_first", "defined",    "basename",  "read_lines",  "load_contents",
    "read_string", "read_int",     "read_float", "read_bool", "write_lines", "file_size",
    "sep",         "split",        "sub",        "prefix",    "contains",    "keys",
    "values",      "min",          "max",        "sum",       "floor",       "ceil",
    "round",       "glob",         "run",        "image",     "resources",   "env",
    "timeout",     "cache",        "network",    "retry",     "shell",       "mpi",
    "executor"};

std::string identifier(const std::string& raw) {
  std::string s;
  for (char c : raw) s += std::isalnum(static_cast<unsigned char>(c)) || c == '_' ? c : '_';
  if (s.empty() || std::isdigit(static_cast<unsigned char>(s[0]))) s = "_" + s;
  if (kReserved.count(s)) s += "_";
  return s;
}

// A .flow "..." string literal of `text`.
std::string flow_string(const std::string& text) {
  std::string out = "\"";
  for (char c : text) {
    switch (c) {
      case '\\': out += "\\\\"; break;
      case '"': out += "\\\""; break;
      case '$': out += "\\$"; break;
      case '\n': out += "\\n"; break;
      case '\t': out += "\\t"; break;
      case '\r': out += "\\r"; break;
      default: out += c;
    }
  }
  return out + "\"";
}

// Shell text in a `run """..."""` string: `${` would start an interpolation.
std::string run_text(const std::string& shell) {
  std::string out;
  for (size_t i = 0; i < shell.size(); ++i) {
    out += shell[i];
    if (shell[i] == '$' && i + 1 < shell.size() && shell[i + 1] == '{') out += '$';
  }
  return out;
}

// One word for the shell, quoted when it must be.
std::string shell_word(const std::string& s) {
  if (!s.empty() && std::all_of(s.begin(), s.end(), [](char c) {
        return std::isalnum(static_cast<unsigned char>(c)) || std::strchr("@%+=:,./-_", c);
      })) {
    return s;
  }
  std::string out = "'";
  for (char c : s) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}

// A record's field: its name and type (not std::pair, which clang would
// instantiate inside FType while FType is still incomplete).
struct FField;

// A CWL type, read for what .flow can say of it.
struct FType {
  enum Kind { Str, Int, Float, Bool, File, Dir, List, Record, Enum } kind = Str;
  bool optional = false;
  std::vector<FType> items;             // List: {item}
  std::vector<FField> fields;           // Record
  std::vector<std::string> companions;  // File: `file with [...]`
  bool item_binding = false;            // List: its items have their own inputBinding

  std::string text() const;
};

struct FField {
  FField(std::string name, FType type) : first(std::move(name)), second(std::move(type)) {}
  std::string first;  // the name
  FType second;       // the type
};

std::string FType::text() const {
  std::string t;
  switch (kind) {
    case Str:
    case Enum: t = "str"; break;
    case Int: t = "int"; break;
    case Float: t = "float"; break;
    case Bool: t = "bool"; break;
    case Dir: t = "dir"; break;
    case File: {
      t = "file";
      if (!companions.empty()) {
        t += " with [";
        for (size_t i = 0; i < companions.size(); ++i) t += (i ? ", " : "") + companions[i];
        t += "]";
      }
      break;
    }
    case List: t = "list[" + items.at(0).text() + "]"; break;
    case Record: {
      t = "{ ";
      for (size_t i = 0; i < fields.size(); ++i)
        t += (i ? ", " : "") + fields[i].first + ": " + fields[i].second.text();
      t += " }";
      break;
    }
  }
  return optional ? t + "?" : t;
}

// What a workflow knows of a process it calls.
struct Signature {
  std::string name;                                // the op's or workflow's .flow name
  std::vector<std::string> inputs;                 // CWL ids, in order
  std::map<std::string, std::string> input_names;  // CWL id → .flow port name
  std::map<std::string, FType> input_types;
  std::map<std::string, std::string> input_defaults;  // CWL id → .flow literal
  std::map<std::string, std::string> output_names;
  std::map<std::string, FType> output_types;
};

// A word of the command line, with CWL's sort key.
struct Word {
  std::vector<std::variant<int64_t, std::string>> key;
  std::string text;  // shell text with .flow interpolations
};

class ToFlow {
 public:
  ToFlow(DocumentLoader& loader, std::string flow_dir)
      : loader_(loader), diags_(loader.diags()), flow_dir_(std::move(flow_dir)) {}

  std::optional<std::string> run(const std::string& reference) {
    auto doc = loader_.load(reference, nullptr, Span{});
    if (!doc) return std::nullopt;
    const Signature* sig = process(*doc, "main");
    if (!sig || diags_.has_errors()) return std::nullopt;
    std::string out = fmt::format(
        "// Written by `flowc import-cwl` from {}.\n// Check it with `flowc check`; run it with `flowc run`.\n",
        fs::path(doc->file).filename().string());
    for (const std::string& d : decls_) out += "\n" + d;
    return out;
  }

 private:
  // ---- errors --------------------------------------------------------------------

  // `what` may end with a note in parentheses: it goes into the help.
  void refuse(Span at, const std::string& what) {
    std::string message = what, note;
    if (!what.empty() && what.back() == ')') {
      int depth = 0;
      for (size_t i = what.size(); i-- > 0;) {
        if (what[i] == ')') ++depth;
        if (what[i] == '(' && --depth == 0) {
          if (i > 0 && what[i - 1] == ' ') {
            message = what.substr(0, i - 1);
            note = what.substr(i + 1, what.size() - i - 2) + "; ";
          }
          break;
        }
      }
    }
    diags_.report(DiagId::CwlUnsupported, at, "writing " + message + " as .flow")
        .with_help(note + "`flowc run` runs the CWL document as it is, and import-cwl writes only what .flow can say");
  }

  // ---- names -----------------------------------------------------------------------

  std::string unique_decl(const std::string& base) {
    std::string name = identifier(base);
    std::string candidate = name;
    for (int k = 2; decl_names_.count(candidate); ++k) candidate = fmt::format("{}_{}", name, k);
    decl_names_.insert(candidate);
    return candidate;
  }

  // ---- types -----------------------------------------------------------------------

  std::optional<FType> type_of(const YNode& n, const YNode* secondary, int depth = 0) {
    if (depth > 16) {
      refuse(n.span, "a type nested this deeply");
      return std::nullopt;
    }
    FType t;
    if (n.is_string()) {
      std::string s = n.s;
      if (s.size() > 1 && s.back() == '?') {
        auto in = type_of(YNode::string(s.substr(0, s.size() - 1), n.span), secondary, depth + 1);
        if (in) in->optional = true;
        return in;
      }
      if (s.size() > 2 && s.substr(s.size() - 2) == "[]") {
        auto in = type_of(YNode::string(s.substr(0, s.size() - 2), n.span), secondary, depth + 1);
        if (!in) return std::nullopt;
        t.kind = FType::List;
        t.items.push_back(std::move(*in));
        return t;
      }
      static const std::map<std::string, FType::Kind> names = {
          {"string", FType::Str},   {"int", FType::Int},      {"long", FType::Int},  {"float", FType::Float},
          {"double", FType::Float}, {"boolean", FType::Bool}, {"File", FType::File}, {"Directory", FType::Dir},
          {"stdout", FType::File},  {"stderr", FType::File},  {"stdin", FType::File}};
      auto it = names.find(shortname(s));
      if (it == names.end()) {
        refuse(n.span, fmt::format("the type `{}` (Any, null alone, or a SchemaDefRequirement type)", s));
        return std::nullopt;
      }
      t.kind = it->second;
      if (t.kind == FType::File && secondary && !companions(*secondary, t.companions)) return std::nullopt;
      return t;
    }
    if (n.is_seq()) {
      std::vector<const YNode*> rest;
      bool null = false;
      for (const YNode& m : n.seq) {
        if (m.is_string() && m.s == "null") null = true;
        else rest.push_back(&m);
      }
      if (rest.size() != 1) {
        refuse(n.span, "a union of several types (.flow has optional types, `T?`, not unions)");
        return std::nullopt;
      }
      auto in = type_of(*rest[0], secondary, depth + 1);
      if (in && null) in->optional = true;
      return in;
    }
    if (!n.is_map() || !n.get("type") || !n.get("type")->is_string()) {
      refuse(n.span, "this type");
      return std::nullopt;
    }
    std::string kind = shortname(n.get("type")->s);
    if (kind == "array") {
      const YNode* items = n.get("items");
      if (!items) {
        refuse(n.span, "an array type without items");
        return std::nullopt;
      }
      auto in = type_of(*items, secondary, depth + 1);
      if (!in) return std::nullopt;
      t.kind = FType::List;
      t.item_binding = items->is_map() && items->has("inputBinding");
      t.items.push_back(std::move(*in));
      return t;
    }
    if (kind == "enum") {
      t.kind = FType::Enum;
      return t;
    }
    if (kind == "record") {
      t.kind = FType::Record;
      for (const Entry& f : entries(n.get("fields"), "type", keep_)) {
        const YNode* ft = f.node->get("type");
        if (!ft) {
          refuse(f.where, "a record field without a type");
          return std::nullopt;
        }
        if (f.node->has("inputBinding")) {
          refuse(f.where, "a record field with an inputBinding");
          return std::nullopt;
        }
        auto in = type_of(*ft, f.node->get("secondaryFiles"), depth + 1);
        if (!in) return std::nullopt;
        t.fields.emplace_back(identifier(shortname(f.id)), std::move(*in));
      }
      if (t.fields.empty()) {
        refuse(n.span, "a record without fields");
        return std::nullopt;
      }
      return t;
    }
    return type_of(*n.get("type"), secondary, depth + 1);
  }

  // secondaryFiles written as plain patterns: companions.
  bool companions(const YNode& n, std::vector<std::string>& out) {
    if (n.is_seq()) {
      for (const YNode& x : n.seq) {
        if (!companions(x, out)) return false;
      }
      return true;
    }
    std::string pattern;
    bool required = true;
    if (n.is_string()) {
      pattern = n.s;
      if (!pattern.empty() && pattern.back() == '?') {
        pattern.pop_back();
        required = false;
      }
    } else if (n.is_map() && n.get("pattern") && n.get("pattern")->is_string()) {
      pattern = n.get("pattern")->s;
      if (const YNode* r = n.get("required")) {
        if (r->kind != YNode::Kind::Bool) {
          refuse(r->span, "a secondaryFiles `required` that is an expression");
          return false;
        }
        required = r->b;
      }
    } else {
      refuse(n.span, "this secondaryFiles entry");
      return false;
    }
    if (has_expression(pattern)) {
      refuse(n.span,
             "a secondaryFiles pattern that is an expression (a companion is a plain pattern such as \".bai\")");
      return false;
    }
    if (std::string why = ir::companion_pattern_problem(pattern); !why.empty()) {
      refuse(n.span, fmt::format("the secondaryFiles pattern `{}` ({})", pattern, why));
      return false;
    }
    out.push_back(flow_string(pattern) + (required ? "" : "?"));
    return true;
  }

  // A CWL value (a default) as a .flow literal.
  std::optional<std::string> literal(const json& v, Span at, const std::string& base_dir) {
    if (v.is_null()) return std::string("none");
    if (v.is_boolean()) return std::string(v.get<bool>() ? "true" : "false");
    if (v.is_number_integer()) return v.dump();
    if (v.is_number()) {
      std::string s = v.dump();
      if (s.find_first_of(".eE") == std::string::npos) s += ".0";
      return s;
    }
    if (v.is_string()) return flow_string(v.get<std::string>());
    if (v.is_array()) {
      std::string out = "[";
      for (size_t i = 0; i < v.size(); ++i) {
        auto item = literal(v[i], at, base_dir);
        if (!item) return std::nullopt;
        out += (i ? ", " : "") + *item;
      }
      return out + "]";
    }
    std::string cls = v.value("class", "");
    if (cls == "File" || cls == "Directory") {
      std::string where = v.contains("path") ? v.value("path", "") : v.value("location", "");
      if (where.empty()) {
        refuse(at, "a File or Directory literal without a location (its `contents` or `listing`)");
        return std::nullopt;
      }
      fs::path p = resolve_reference(where, base_dir, !v.contains("path"));
      return flow_string(fs::path(p).lexically_relative(flow_dir_).string());
    }
    std::string out = "{ ";
    bool first = true;
    for (auto it = v.begin(); it != v.end(); ++it) {
      auto item = literal(it.value(), at, base_dir);
      if (!item) return std::nullopt;
      out += (first ? "" : ", ") + identifier(it.key()) + " = " + *item;
      first = false;
    }
    return out + " }";
  }

  // ---- expressions -------------------------------------------------------------------

  // Where a translated reference goes: shell text (an interpolation the
  // compiler quotes), a .flow string, or a .flow expression standing alone.
  enum class Into { Shell, FlowString, Expr };

  // `$(inputs.x...)` as .flow, with `vars` the inputs' .flow expressions.
  std::optional<std::string> reference(const std::string& code, Span at, const std::map<std::string, std::string>& vars,
                                       const std::map<std::string, FType>& types) {
    auto ref = ir::parse_param_ref(code);
    if (!ref) {
      refuse(at, fmt::format("the JavaScript expression `$({})` (.flow has its own expressions; rewrite it by hand)",
                             code));
      return std::nullopt;
    }
    last_ref_type_ = FType{};
    if (ref->root == "runtime" && ref->steps.size() == 1 && std::get_if<std::string>(&ref->steps[0]) &&
        std::get<std::string>(ref->steps[0]) == "outdir") {
      return std::string("$PWD");  // a task runs in its work dir (shell text only)
    }
    if (ref->root != "inputs" || ref->steps.empty() || !std::get_if<std::string>(&ref->steps[0])) {
      refuse(at,
             fmt::format("the parameter reference `$({})` (only inputs.NAME and runtime.outdir are written)", code));
      return std::nullopt;
    }
    std::string name = std::get<std::string>(ref->steps[0]);
    auto it = vars.find(name);
    if (it == vars.end()) {
      refuse(at, fmt::format("`$({})`: there is no input `{}`", code, name));
      return std::nullopt;
    }
    std::string v = it->second;
    auto t = types.find(name);
    bool is_file = t != types.end() && (t->second.kind == FType::File || t->second.kind == FType::Dir);
    if (ref->steps.size() == 1) {
      if (t != types.end()) last_ref_type_ = t->second;
      return v;
    }
    if (ref->steps.size() == 2 && std::get_if<std::string>(&ref->steps[1])) {
      std::string field = std::get<std::string>(ref->steps[1]);
      if (field == "path" && is_file) return v;
      if (field == "basename" && is_file) return "basename(" + v + ")";
      if (field == "length" && t != types.end() && t->second.kind == FType::List) {
        last_ref_type_.kind = FType::Int;
        return "len(" + v + ")";
      }
    }
    refuse(at, fmt::format("the parameter reference `$({})` (of an input only itself, .path, .basename and .length "
                           "are written)",
                           code));
    return std::nullopt;
  }

  // A CWL string that may hold parameter references, translated. Text
  // outside them is quoted for the shell when `quote` (Into::Shell).
  std::optional<std::string> translate(const std::string& s, Span at, Into into, bool quote,
                                       const std::map<std::string, std::string>& vars,
                                       const std::map<std::string, FType>& types) {
    std::string out, text;
    auto flush = [&] {
      if (text.empty()) return;
      if (into == Into::Shell) out += run_text(quote ? shell_word(text) : text);
      else if (into == Into::FlowString) out += flow_string(text).substr(1, flow_string(text).size() - 2);
      text.clear();
    };
    if (!has_expression(s)) {
      if (into == Into::Expr) return flow_string(s);
      text = s;
      flush();
      return out;
    }
    size_t b = s.find_first_not_of(" \t\r\n"), e = s.find_last_not_of(" \t\r\n");
    std::string trimmed = b == std::string::npos ? s : s.substr(b, e - b + 1);
    if (trimmed.rfind("${", 0) == 0) {
      refuse(at, "a JavaScript function body `${...}`");
      return std::nullopt;
    }
    for (size_t i = 0; i < s.size(); ++i) {
      if (s[i] == '\\' && i + 1 < s.size()) {
        text += s[++i];
        continue;
      }
      if (s[i] == '$' && i + 1 < s.size() && (s[i + 1] == '(' || s[i + 1] == '{')) {
        if (s[i + 1] == '{') {
          refuse(at, "a JavaScript function body `${...}`");
          return std::nullopt;
        }
        int depth = 0;
        size_t end = i + 1;
        for (; end < s.size(); ++end) {
          if (s[end] == '(') ++depth;
          if (s[end] == ')' && --depth == 0) break;
        }
        if (end >= s.size()) {
          refuse(at, "an expression that is never closed");
          return std::nullopt;
        }
        auto v = reference(s.substr(i + 2, end - i - 2), at, vars, types);
        if (!v) return std::nullopt;
        if (*v == "$PWD" && into != Into::Shell) {
          refuse(at, "runtime.outdir outside the command (an op's outputs are named inside its work dir)");
          return std::nullopt;
        }
        if (last_ref_type_.kind == FType::List || last_ref_type_.kind == FType::Record) {
          if (into != Into::Shell || last_ref_type_.kind == FType::Record ||
              last_ref_type_.items.at(0).kind == FType::List || last_ref_type_.items.at(0).kind == FType::Record) {
            refuse(at, fmt::format("`$({})`, a {}, where a single value goes", s.substr(i + 2, end - i - 2),
                                   last_ref_type_.text()));
            return std::nullopt;
          }
        }
        if (into == Into::Expr && trimmed.size() == end - i + 1 && b == i) return *v;
        flush();
        if (*v == "$PWD") {
          if (into != Into::Shell) {
            refuse(at, "runtime.outdir outside the command");
            return std::nullopt;
          }
          out += "\"$PWD\"";
        } else {
          out += "${" + *v + "}";
        }
        i = end;
        continue;
      }
      text += s[i];
    }
    flush();
    if (into == Into::Expr) return "\"" + out + "\"";
    return out;
  }

  // ---- processes ----------------------------------------------------------------------

  const Signature* process(const ProcessDoc& doc, const std::string& hint) {
    std::string key = doc.file + "#" + std::to_string(reinterpret_cast<uintptr_t>(doc.node));
    if (auto it = done_.find(key); it != done_.end()) return &it->second;
    const YNode& n = *doc.node;
    const YNode* cls = n.get("class");
    std::string c = cls && cls->is_string() ? shortname(cls->s) : "";
    std::optional<Signature> sig;
    const ProcessDoc* saved = current_;
    current_ = &doc;
    if (c == "CommandLineTool") sig = tool(doc, hint);
    else if (c == "Workflow") sig = workflow(doc, hint);
    else if (c == "ExpressionTool") refuse(cls->span, "an ExpressionTool (its value is JavaScript)");
    else refuse(cls ? cls->span : n.span, fmt::format("a process of class `{}`", c));
    current_ = saved;
    if (!sig) return nullptr;
    return &done_.emplace(key, std::move(*sig)).first->second;
  }

  std::string process_name(const ProcessDoc& doc, const std::string& hint) {
    if (const YNode* id = doc.node->get("id"); id && id->is_string() && !shortname(id->s).empty()) {
      return unique_decl(shortname(id->s));
    }
    // A process of its own file is named after the file; one written inside
    // a step, after the step.
    const YNode* root = loader_.load_file(doc.file, Span{});
    if (!doc.file.empty() && (hint == "main" || root == doc.node))
      return unique_decl(fs::path(doc.file).stem().string());
    return unique_decl(hint);
  }

  std::string doc_comment(const YNode& n, const std::string& indent) {
    std::string text;
    for (const char* key : {"label", "doc"}) {
      if (const YNode* d = n.get(key); d && d->is_string() && !d->s.empty()) {
        std::string s = d->s;
        while (!s.empty() && (s.back() == '\n' || s.back() == ' ')) s.pop_back();
        size_t start = 0;
        while (start <= s.size()) {
          size_t nl = s.find('\n', start);
          text += indent + "/// " + s.substr(start, nl == std::string::npos ? std::string::npos : nl - start) + "\n";
          if (nl == std::string::npos) break;
          start = nl + 1;
        }
        break;
      }
    }
    return text;
  }

  // `/// doc` and `op NAME(inputs) -> (outputs)`.
  std::string header(const YNode& n, const char* kind, const std::string& name, const std::vector<std::string>& ins,
                     const std::vector<std::string>& outs) {
    std::string text = doc_comment(n, "") + kind + " " + name + "(";
    for (size_t i = 0; i < ins.size(); ++i) text += (i ? ", " : "") + ins[i];
    text += ")";
    if (!outs.empty()) {
      text += "\n        -> (";
      for (size_t i = 0; i < outs.size(); ++i) text += (i ? ", " : "") + outs[i];
      text += ")";
    }
    return text;
  }

  // Requirements and hints of a process, by class.
  std::map<std::string, const YNode*> reqs(const YNode* list) {
    std::map<std::string, const YNode*> out;
    for (const Entry& e : entries(list, nullptr, keep_)) {
      const YNode* c = e.node->get("class");
      std::string cls = c && c->is_string() ? shortname(c->s) : e.id;
      out[cls] = e.node;
    }
    return out;
  }

  // Inputs: port texts and what expressions may use.
  struct Ports {
    std::vector<std::string> text;
    std::map<std::string, std::string> vars;  // CWL id → .flow name
    std::map<std::string, FType> types;
  };

  // A port's type (`what`: "input", "output"), its secondaryFiles as companions.
  std::optional<FType> port_type(const Entry& e, const char* what) {
    const YNode* t = e.node->get("type");
    if (!t) {
      refuse(e.where, fmt::format("{} `{}` without a type", what, e.id));
      return std::nullopt;
    }
    return type_of(*t, e.node->get("secondaryFiles"));
  }

  std::optional<Ports> inputs(const YNode& n, Signature& sig) {
    Ports p;
    std::set<std::string> used;
    for (const Entry& e : entries(n.get("inputs"), "type", keep_)) {
      auto type = port_type(e, "input");
      if (!type) return std::nullopt;
      std::string name = identifier(shortname(e.id));
      while (!used.insert(name).second) name += "_";
      std::string text = name + ": " + type->text();
      if (const YNode* d = e.node->get("default")) {
        auto lit = literal(d->to_json(), d->span, current_->base_dir);
        if (!lit) return std::nullopt;
        text += " = " + *lit;
        sig.input_defaults[e.id] = *lit;
      }
      p.text.push_back(text);
      p.vars[e.id] = name;
      p.types[e.id] = *type;
      sig.inputs.push_back(e.id);
      sig.input_names[e.id] = name;
      sig.input_types[e.id] = *type;
    }
    return p;
  }

  // ---- CommandLineTool → op ------------------------------------------------------------

  std::optional<Signature> tool(const ProcessDoc& doc, const std::string& hint) {
    const YNode& n = *doc.node;
    Signature sig;
    sig.name = process_name(doc, hint);
    auto requirements = reqs(n.get("requirements"));
    auto hints = reqs(n.get("hints"));
    static const std::set<std::string> unsupported = {"InitialWorkDirRequirement", "SchemaDefRequirement",
                                                      "InplaceUpdateRequirement", "SoftwareRequirement"};
    for (const auto& [cls, node] : requirements) {
      if (unsupported.count(cls)) {
        refuse(node->key_span.empty() ? node->span : node->key_span, fmt::format("the requirement `{}`", cls));
        return std::nullopt;
      }
    }
    bool shell = requirements.count("ShellCommandRequirement") > 0;
    auto ports = inputs(n, sig);
    if (!ports) return std::nullopt;
    const auto& vars = ports->vars;
    const auto& types = ports->types;

    std::vector<Word> words;
    // Inputs with a binding.
    for (const Entry& e : entries(n.get("inputs"), "type", keep_)) {
      const YNode* b = e.node->get("inputBinding");
      if (!b) continue;
      auto w = bind_input(e, *b, vars.at(e.id), types.at(e.id));
      if (!w) return std::nullopt;
      if (!w->text.empty()) words.push_back(std::move(*w));
    }
    // Arguments.
    if (const YNode* args = n.get("arguments"); args && args->is_seq()) {
      for (size_t i = 0; i < args->seq.size(); ++i) {
        const YNode& a = args->seq[i];
        Word w;
        int64_t position = 0;
        if (a.is_map()) {
          if (const YNode* p = a.get("position")) {
            if (p->kind != YNode::Kind::Int) {
              refuse(p->span, "a position that is an expression");
              return std::nullopt;
            }
            position = p->i;
          }
          bool quote = !(shell && a.get("shellQuote") && a.get("shellQuote")->kind == YNode::Kind::Bool &&
                         !a.get("shellQuote")->b);
          const YNode* v = a.get("valueFrom");
          std::string prefix = a.get("prefix") && a.get("prefix")->is_string() ? a.get("prefix")->s : "";
          bool separate = !(a.get("separate") && a.get("separate")->kind == YNode::Kind::Bool && !a.get("separate")->b);
          std::string value;
          if (v) {
            if (!v->is_string()) {
              refuse(v->span, "an argument whose valueFrom is not a string");
              return std::nullopt;
            }
            auto t = translate(v->s, v->span, Into::Shell, quote, vars, types);
            if (!t) return std::nullopt;
            value = *t;
          }
          w.text = prefix.empty() ? value : shell_word(prefix) + (separate ? " " : "") + value;
        } else if (a.is_string()) {
          auto t = translate(a.s, a.span, Into::Shell, true, vars, types);
          if (!t) return std::nullopt;
          w.text = *t;
        } else {
          refuse(a.span, "this argument");
          return std::nullopt;
        }
        w.key = {position, static_cast<int64_t>(i)};
        words.push_back(std::move(w));
      }
    }
    std::stable_sort(words.begin(), words.end(), [](const Word& a, const Word& b) { return a.key < b.key; });

    std::string command;
    if (const YNode* bc = n.get("baseCommand")) {
      std::vector<const YNode*> parts;
      if (bc->is_string()) parts.push_back(bc);
      else if (bc->is_seq())
        for (const YNode& x : bc->seq) parts.push_back(&x);
      for (const YNode* x : parts) {
        if (!x->is_string()) {
          refuse(x->span, "a baseCommand word that is not a string");
          return std::nullopt;
        }
        command += (command.empty() ? "" : " ") + run_text(shell_word(x->s));
      }
    }
    for (const Word& w : words) command += (command.empty() ? "" : " ") + w.text;
    if (command.empty()) {
      refuse(n.span, "a tool without baseCommand or arguments");
      return std::nullopt;
    }

    // Outputs.
    std::vector<std::string> outs;
    std::map<std::string, std::string> stream_names;  // stdout/stderr → the output that is it
    std::string stdout_name, stderr_name;
    for (const char* stream : {"stdout", "stderr"}) {
      if (const YNode* s = n.get(stream)) {
        if (!s->is_string() || has_expression(s->s)) {
          refuse(s->span, fmt::format("a `{}` file name that is an expression", stream));
          return std::nullopt;
        }
        (std::string(stream) == "stdout" ? stdout_name : stderr_name) = s->s;
      }
    }
    std::set<std::string> used;
    for (const auto& [id, name] : vars) used.insert(name);
    for (const Entry& e : entries(n.get("outputs"), "type", keep_)) {
      const YNode* t = e.node->get("type");
      if (!t) {
        refuse(e.where, fmt::format("output `{}` without a type", e.id));
        return std::nullopt;
      }
      std::string name = identifier(shortname(e.id));
      while (!used.insert(name).second) name += "_";
      std::string path;
      FType type;
      if (t->is_string() && (t->s == "stdout" || t->s == "stderr")) {
        std::string& stream = t->s == "stdout" ? stdout_name : stderr_name;
        if (stream.empty()) stream = fmt::format("{}.{}", name, t->s);
        type.kind = FType::File;
        path = flow_string(stream);
        stream_names[t->s] = name;
      } else {
        auto ft = type_of(*t, e.node->get("secondaryFiles"));
        if (!ft) return std::nullopt;
        type = *ft;
        const YNode* ob = e.node->get("outputBinding");
        if (!ob || !ob->get("glob")) {
          refuse(e.where, fmt::format("output `{}` without a glob (found by cwl.output.json)", e.id));
          return std::nullopt;
        }
        for (const char* key : {"outputEval", "loadContents"}) {
          if (const YNode* x = ob->get(key)) {
            refuse(x->span, fmt::format("output `{}`'s `{}` (a value read from files)", e.id, key));
            return std::nullopt;
          }
        }
        const YNode* g = ob->get("glob");
        if (!g->is_string()) {
          refuse(g->span, "a glob that is a list of patterns");
          return std::nullopt;
        }
        bool wildcard = g->s.find_first_of("*?[") != std::string::npos;
        auto pattern = translate(g->s, g->span, Into::Expr, false, vars, types);
        if (!pattern) return std::nullopt;
        bool file_like = type.kind == FType::File || type.kind == FType::Dir;
        if (type.kind == FType::List && type.items[0].kind == FType::File && !type.optional) {
          path = "glob(" + *pattern + ")";
        } else if (file_like && !wildcard) {
          path = *pattern;
        } else {
          refuse(g->span, fmt::format("output `{}` of type {} found by the glob `{}` (.flow finds a file by its name, "
                                      "and a list[file] by glob())",
                                      e.id, type.text(), g->s));
          return std::nullopt;
        }
      }
      outs.push_back(name + ": " + type.text() + " = " + path);
      sig.output_names[e.id] = name;
      sig.output_types[e.id] = type;
    }
    if (const YNode* s = n.get("stdin")) {
      if (!s->is_string()) {
        refuse(s->span, "this stdin");
        return std::nullopt;
      }
      auto t = translate(s->s, s->span, Into::Shell, true, vars, types);
      if (!t) return std::nullopt;
      command += " < " + *t;
    }
    if (!stdout_name.empty()) {
      command += " > " + (stream_names.count("stdout") ? "${" + stream_names["stdout"] + "}"
                                                       : run_text(shell_word(stdout_name)));
    }
    if (!stderr_name.empty()) {
      command += " 2> " + (stream_names.count("stderr") ? "${" + stream_names["stderr"] + "}"
                                                        : run_text(shell_word(stderr_name)));
    }
    for (const char* codes : {"successCodes", "temporaryFailCodes", "permanentFailCodes"}) {
      if (const YNode* c = n.get(codes);
          c && !(std::string(codes) == "successCodes" && c->is_seq() && c->seq.size() == 1 &&
                 c->seq[0].kind == YNode::Kind::Int && c->seq[0].i == 0)) {
        refuse(c->span, fmt::format("`{}`", codes));
        return std::nullopt;
      }
    }

    // Clauses from requirements.
    std::vector<std::string> clauses;
    if (auto it = requirements.find("DockerRequirement"); it != requirements.end()) {
      const YNode* pull = it->second->get("dockerPull");
      if (!pull || !pull->is_string()) {
        refuse(it->second->span, "a DockerRequirement without dockerPull");
        return std::nullopt;
      }
      clauses.push_back("image " + flow_string(pull->s));
    } else if (auto h = hints.find("DockerRequirement"); h != hints.end()) {
      if (const YNode* pull = h->second->get("dockerPull"); pull && pull->is_string()) {
        clauses.push_back("// a hint in the CWL document: image " + flow_string(pull->s));
      }
    }
    auto req_or_hint = [&](const std::string& cls) -> const YNode* {
      if (auto it = requirements.find(cls); it != requirements.end()) return it->second;
      return nullptr;
    };
    if (const YNode* rr = req_or_hint("ResourceRequirement")) {
      std::vector<std::string> res;
      for (auto [min, max, what] :
           {std::tuple{"coresMin", "coresMax", "cpus"}, std::tuple{"ramMin", "ramMax", "mem"}}) {
        const YNode* v = rr->get(min);
        if (!v) v = rr->get(max);
        if (!v) continue;
        if (!v->is_number()) {
          refuse(v->span, fmt::format("a ResourceRequirement `{}` that is an expression", min));
          return std::nullopt;
        }
        double x = v->kind == YNode::Kind::Int ? static_cast<double>(v->i) : v->f;
        auto whole = static_cast<int64_t>(std::ceil(x));
        res.push_back(std::string(what) + " = " +
                      (std::string(what) == "mem" ? fmt::format("{}MiB", whole) : std::to_string(whole)));
      }
      if (!res.empty()) {
        std::string r = "resources { ";
        for (size_t i = 0; i < res.size(); ++i) r += (i ? ", " : "") + res[i];
        clauses.push_back(r + " }");
      }
    }
    if (const YNode* ev = req_or_hint("EnvVarRequirement")) {
      std::vector<std::string> env;
      for (const Entry& e : entries(ev->get("envDef"), "envValue", keep_)) {
        std::string name = e.id;
        if (const YNode* en = e.node->get("envName"); en && en->is_string()) name = en->s;
        const YNode* value = e.node->get("envValue");
        if (!value || !value->is_string()) {
          refuse(e.where, "an environment variable without a string value");
          return std::nullopt;
        }
        auto v = translate(value->s, value->span, Into::Expr, false, vars, types);
        if (!v) return std::nullopt;
        env.push_back(name + " = " + *v);
      }
      if (!env.empty()) {
        std::string r = "env { ";
        for (size_t i = 0; i < env.size(); ++i) r += (i ? ", " : "") + env[i];
        clauses.push_back(r + " }");
      }
    }
    if (const YNode* tl = req_or_hint("ToolTimeLimit")) {
      const YNode* v = tl->get("timelimit");
      if (!v || v->kind != YNode::Kind::Int) {
        refuse(tl->span, "a ToolTimeLimit that is an expression");
        return std::nullopt;
      }
      if (v->i > 0) clauses.push_back(fmt::format("timeout {}s", v->i));
    }
    if (const YNode* wr = req_or_hint("WorkReuse")) {
      if (const YNode* e = wr->get("enableReuse"); e && e->kind == YNode::Kind::Bool && !e->b)
        clauses.push_back("cache false");
    }
    if (const YNode* na = req_or_hint("NetworkAccess")) {
      if (const YNode* e = na->get("networkAccess"); e && e->kind == YNode::Kind::Bool && e->b)
        clauses.push_back("network true");
    }

    std::string text = header(n, "op", sig.name, ports->text, outs) + " {\n";
    for (const std::string& c : clauses) text += "    " + c + "\n";
    if (command.find("\"\"\"") != std::string::npos) {
      refuse(n.span, "a command with `\"\"\"` in it");
      return std::nullopt;
    }
    text += "    run \"\"\"\n        " + command + "\n    \"\"\"\n}\n";
    decls_.push_back(std::move(text));
    return sig;
  }

  // One input's words (CWL's CommandLineBinding), as shell text.
  std::optional<Word> bind_input(const Entry& e, const YNode& b, const std::string& var, const FType& t) {
    Word w;
    int64_t position = 0;
    if (const YNode* p = b.get("position")) {
      if (p->kind != YNode::Kind::Int) {
        refuse(p->span, "a position that is an expression");
        return std::nullopt;
      }
      position = p->i;
    }
    w.key = {position, shortname(e.id)};
    for (const char* key : {"valueFrom", "shellQuote"}) {
      if (const YNode* x = b.get(key)) {
        refuse(x->span, fmt::format("an inputBinding's `{}`", key));
        return std::nullopt;
      }
    }
    std::string prefix = b.get("prefix") && b.get("prefix")->is_string() ? b.get("prefix")->s : "";
    bool separate = !(b.get("separate") && b.get("separate")->kind == YNode::Kind::Bool && !b.get("separate")->b);
    const YNode* item_sep = b.get("itemSeparator");
    // A prefix written only when `cond` holds: `$(true && printf %s -o)`.
    auto guarded = [&](const std::string& cond) {
      return "$(${" + cond + "} && printf %s " + run_text(shell_word(prefix)) + ")";
    };
    std::string p = run_text(shell_word(prefix));
    switch (t.kind) {
      case FType::Bool:
        if (!prefix.empty()) w.text = guarded(t.optional ? var + " ?? false" : var);
        return w;
      case FType::List: {
        if (t.optional) {
          refuse(e.where, fmt::format("input `{}`: an optional list on the command line", e.id));
          return std::nullopt;
        }
        if (t.item_binding) {
          refuse(e.where, fmt::format("input `{}`: a list whose items have their own inputBinding", e.id));
          return std::nullopt;
        }
        if (t.items[0].kind == FType::List || t.items[0].kind == FType::Record) {
          refuse(e.where, fmt::format("input `{}`: a {} on the command line", e.id, t.text()));
          return std::nullopt;
        }
        std::string value = "${" + var + "}";
        if (item_sep) {
          if (!item_sep->is_string() || t.items[0].kind != FType::Str) {
            refuse(item_sep->span, "an itemSeparator on a list that is not of strings");
            return std::nullopt;
          }
          value = "${sep(" + var + ", " + flow_string(item_sep->s) + ")}";
        } else if (!separate && !prefix.empty()) {
          refuse(e.where, fmt::format("input `{}`: a list with a prefix joined to it", e.id));
          return std::nullopt;
        }
        if (prefix.empty()) w.text = value;
        else w.text = guarded("len(" + var + ") > 0") + (separate ? " " : "") + value;
        return w;
      }
      case FType::Record:
        refuse(e.where, fmt::format("input `{}`: a record on the command line", e.id));
        return std::nullopt;
      default: break;
    }
    std::string value = "${" + var + "}";
    if (prefix.empty()) w.text = value;
    else if (t.optional) w.text = guarded("defined(" + var + ")") + (separate ? " " : "") + value;
    else w.text = p + (separate ? " " : "") + value;
    return w;
  }

  // ---- Workflow → workflow --------------------------------------------------------------

  std::vector<std::string> sources_of(const YNode* s) { return source_list(s); }

  struct FValue {
    std::string expr;
    FType type;
  };

  std::optional<Signature> workflow(const ProcessDoc& doc, const std::string& hint) {
    const YNode& n = *doc.node;
    Signature sig;
    auto ports = inputs(n, sig);
    if (!ports) return std::nullopt;
    // Name it after its steps' processes are declared (they come first in the file).
    std::map<std::string, FValue> values;  // "x" (an input) or "step/out" → its .flow expression and type
    for (const auto& [id, name] : ports->vars) values[id] = {name, ports->types.at(id)};

    struct Step {
      Entry entry;
      std::set<std::string> deps;
    };
    std::vector<Step> steps;
    std::set<std::string> step_ids;
    for (const Entry& e : entries(n.get("steps"), nullptr, keep_)) step_ids.insert(e.id);
    auto split = [&](const std::string& source) -> std::pair<std::string, std::string> {
      std::string s = source;
      if (size_t hash = s.find('#'); hash != std::string::npos) s = s.substr(hash + 1);
      size_t slash = s.rfind('/');
      if (slash != std::string::npos) {
        std::string before = s.substr(0, slash);
        std::string step = before.substr(before.rfind('/') == std::string::npos ? 0 : before.rfind('/') + 1);
        if (step_ids.count(step)) return {step, s.substr(slash + 1)};
      }
      return {"", slash == std::string::npos ? s : s.substr(slash + 1)};
    };
    for (const Entry& e : entries(n.get("steps"), nullptr, keep_)) {
      Step s{e, {}};
      for (const Entry& in : entries(e.node->get("in"), "source", keep_)) {
        for (const std::string& src : sources_of(in.node->get("source"))) {
          auto [step, port] = split(src);
          if (!step.empty()) s.deps.insert(step);
        }
      }
      steps.push_back(std::move(s));
    }
    std::vector<const Step*> order;
    std::set<std::string> placed, visiting;
    std::map<std::string, const Step*> by_id;
    for (const Step& s : steps) by_id[s.entry.id] = &s;
    std::function<bool(const Step&)> place = [&](const Step& s) {
      if (placed.count(s.entry.id)) return true;
      if (!visiting.insert(s.entry.id).second) {
        refuse(s.entry.where, fmt::format("step `{}` depends on itself", s.entry.id));
        return false;
      }
      for (const std::string& d : s.deps) {
        if (by_id.count(d) && !place(*by_id[d])) return false;
      }
      placed.insert(s.entry.id);
      order.push_back(&s);
      return true;
    };
    for (const Step& s : steps) {
      if (!place(s)) return std::nullopt;
    }

    std::string body;
    std::set<std::string> bound;
    for (const auto& [id, name] : ports->vars) bound.insert(name);
    auto source_value = [&](const std::string& src, Span at) -> std::optional<FValue> {
      auto [step, port] = split(src);
      std::string key = step.empty() ? port : step + "/" + port;
      auto it = values.find(key);
      if (it == values.end()) {
        refuse(at, fmt::format("the source `{}`, which names nothing before it", src));
        return std::nullopt;
      }
      return it->second;
    };
    // Several sources, merged and picked.
    auto merged = [&](const std::vector<std::string>& sources, bool many, const YNode& node,
                      Span at) -> std::optional<FValue> {
      std::string link_merge =
          node.get("linkMerge") && node.get("linkMerge")->is_string() ? node.get("linkMerge")->s : "";
      std::string pick = node.get("pickValue") && node.get("pickValue")->is_string() ? node.get("pickValue")->s : "";
      FValue v;
      if (sources.size() == 1 && !many) {
        auto one = source_value(sources[0], at);
        if (!one) return std::nullopt;
        v = *one;
      } else {
        std::string list = "[";
        FType item;
        for (size_t i = 0; i < sources.size(); ++i) {
          auto one = source_value(sources[i], at);
          if (!one) return std::nullopt;
          list += (i ? ", " : "") + one->expr;
          item = one->type;
        }
        v.expr = list + "]";
        v.type.kind = FType::List;
        v.type.items.push_back(item);
        if (link_merge == "merge_flattened") {
          refuse(at, "linkMerge: merge_flattened");
          return std::nullopt;
        }
      }
      if (pick.empty()) return v;
      if (v.type.kind != FType::List) {
        refuse(at, "pickValue on a single source that is not a list");
        return std::nullopt;
      }
      if (pick == "first_non_null" || pick == "the_only_non_null") {
        v.expr = "select_first(" + v.expr + ")";
        FType t = v.type.items.at(0);
        t.optional = false;
        v.type = t;
      } else if (pick == "all_non_null") {
        v.expr = "select_all(" + v.expr + ")";
        v.type.items.at(0).optional = false;
      } else {
        refuse(at, fmt::format("pickValue `{}`", pick));
        return std::nullopt;
      }
      return v;
    };

    for (const Step* sp : order) {
      const Entry& e = sp->entry;
      const YNode& s = *e.node;
      const YNode* run = s.get("run");
      if (!run) {
        refuse(e.where, fmt::format("step `{}` without `run`", e.id));
        return std::nullopt;
      }
      std::optional<ProcessDoc> callee = step_process(loader_, *run, doc);
      if (!callee) {
        if (!run->is_string() && !run->is_map()) refuse(run->span, "a `run` that is not a file name or a process");
        return std::nullopt;
      }
      const Signature* c = process(*callee, e.id);
      if (!c) return std::nullopt;
      for (const char* key : {"requirements"}) {
        if (const YNode* r = s.get(key); r && !reqs(r).empty()) {
          for (const auto& [cls, node] : reqs(r)) {
            if (cls != "ScatterFeatureRequirement" && cls != "StepInputExpressionRequirement" &&
                cls != "MultipleInputFeatureRequirement" && cls != "SubworkflowFeatureRequirement" &&
                cls != "InlineJavascriptRequirement") {
              refuse(node->span, fmt::format("the step requirement `{}`", cls));
              return std::nullopt;
            }
          }
        }
      }
      // The step's inputs.
      std::map<std::string, FValue> ins;
      for (const Entry& in : entries(s.get("in"), "source", keep_)) {
        if (const YNode* vf = in.node->get("valueFrom")) {
          refuse(vf->span, "a step input's valueFrom (an expression over the step's inputs)");
          return std::nullopt;
        }
        std::vector<std::string> sources = sources_of(in.node->get("source"));
        std::optional<FValue> v;
        if (!sources.empty()) {
          v = merged(sources, in.node->get("source") && in.node->get("source")->is_seq(), *in.node, in.where);
          if (!v) return std::nullopt;
        }
        if (const YNode* d = in.node->get("default")) {
          auto lit = literal(d->to_json(), d->span, doc.base_dir);
          if (!lit) return std::nullopt;
          if (v) {
            if (v->type.optional) {
              v->expr = v->expr + " ?? " + *lit;
              v->type.optional = false;
            }
          } else {
            auto t = c->input_types.find(in.id);
            v = FValue{*lit, t == c->input_types.end() ? FType{} : t->second};
          }
        }
        if (v) ins[in.id] = *v;
      }
      std::string var = identifier(e.id);
      while (bound.count(var) || decl_names_.count(var)) var += "_";
      bound.insert(var);

      // Scatter.
      std::vector<std::string> scatter;
      for (const std::string& x : sources_of(s.get("scatter"))) scatter.push_back(shortname(x));
      std::string method =
          s.get("scatterMethod") && s.get("scatterMethod")->is_string() ? s.get("scatterMethod")->s : "dotproduct";
      std::string indent = "    ", open, close;
      std::map<std::string, std::string> item_of;  // scattered input → the loop's item
      int levels = 0;
      if (!scatter.empty()) {
        for (const std::string& x : scatter) {
          if (!ins.count(x) || ins[x].type.kind != FType::List) {
            refuse(s.get("scatter")->span, fmt::format("scatter over `{}`, which is not a list given to the step", x));
            return std::nullopt;
          }
        }
        if (scatter.size() == 1 || method == "dotproduct") {
          if (scatter.size() == 1) {
            std::string item = identifier(var + "_" + scatter[0]);
            open += indent + "for " + item + " in " + ins[scatter[0]].expr + " {\n";
            item_of[scatter[0]] = item;
          } else {
            std::string i = var + "_i";
            open += indent + "for " + i + " in range(len(" + ins[scatter[0]].expr + ")) {\n";
            for (const std::string& x : scatter) item_of[x] = "(" + ins[x].expr + ")[" + i + "]";
          }
          close = indent + "}\n";
          indent += "    ";
          levels = 1;
        } else if (method == "nested_crossproduct" || method == "flat_crossproduct") {
          for (const std::string& x : scatter) {
            std::string item = identifier(var + "_" + x);
            open += indent + "for " + item + " in " + ins[x].expr + " {\n";
            item_of[x] = item;
            close = indent + "}\n" + close;
            indent += "    ";
            ++levels;
          }
        } else {
          refuse(s.get("scatterMethod")->span, fmt::format("scatterMethod `{}`", method));
          return std::nullopt;
        }
      }
      // The call.
      std::vector<std::string> args;
      for (const std::string& id : c->inputs) {
        auto it = ins.find(id);
        if (it == ins.end()) continue;
        std::string value = item_of.count(id) ? item_of[id] : it->second.expr;
        FType vt = item_of.count(id) ? it->second.type.items.at(0) : it->second.type;
        const FType& want = c->input_types.at(id);
        // CWL: null for an input with a default is the default.
        if (vt.optional && !want.optional) {
          if (!c->input_defaults.count(id)) {
            refuse(e.where, fmt::format("step `{}` gives its input `{}` a value that may be null, and the input "
                                        "requires one (CWL finds out when it runs; .flow checks before)",
                                        e.id, id));
            return std::nullopt;
          }
          value += " ?? " + c->input_defaults.at(id);
        }
        args.push_back(c->input_names.at(id) + " = " + value);
      }
      std::string call = var + " = " + c->name + "(";
      for (size_t i = 0; i < args.size(); ++i) call += (i ? ", " : "") + args[i];
      call += ")";
      bool conditional = false;
      if (const YNode* when = s.get("when")) {
        if (!when->is_string()) {
          refuse(when->span, "this `when`");
          return std::nullopt;
        }
        std::map<std::string, std::string> step_vars;
        std::map<std::string, FType> step_types;
        for (const auto& [id, v] : ins) {
          step_vars[id] = item_of.count(id) ? item_of[id] : v.expr;
          step_types[id] = item_of.count(id) ? v.type.items.at(0) : v.type;
        }
        std::string code = when->s;
        bool negate = false;
        size_t b = code.find_first_not_of(" \t\n");
        if (code.compare(b, 3, "$(!") == 0) {
          negate = true;
          code = "$(" + code.substr(b + 3);
        }
        auto cond = translate(code, when->span, Into::Expr, false, step_vars, step_types);
        if (!cond) return std::nullopt;
        body += open + indent + "if " + (negate ? "!(" + *cond + ")" : *cond) + " {\n" + indent + "    " + call + "\n" +
                indent + "}\n" + close;
        conditional = true;
      } else {
        body += open + indent + call + "\n" + close;
      }
      for (const auto& [id, name] : c->output_names) {
        FType t = c->output_types.at(id);
        if (conditional) t.optional = true;
        std::string expr = var + "." + name;
        for (int k = 0; k < levels; ++k) {
          FType l;
          l.kind = FType::List;
          l.items.push_back(t);
          t = l;
        }
        if (method == "flat_crossproduct" && levels > 1) {
          for (int k = 1; k < levels; ++k) {
            expr = "flatten(" + expr + ")";
            t = t.items.at(0);
          }
        }
        values[e.id + "/" + id] = {expr, t};
      }
    }

    // Outputs.
    std::vector<std::string> outs, returns;
    for (const Entry& e : entries(n.get("outputs"), "type", keep_)) {
      auto type = port_type(e, "output");
      if (!type) return std::nullopt;
      std::vector<std::string> sources = sources_of(e.node->get("outputSource"));
      if (sources.empty()) {
        refuse(e.where, fmt::format("output `{}` without an outputSource", e.id));
        return std::nullopt;
      }
      bool many = e.node->get("outputSource")->is_seq();
      auto v = merged(sources, many, *e.node, e.where);
      if (!v) return std::nullopt;
      std::string name = identifier(shortname(e.id));
      outs.push_back(name + ": " + type->text());
      returns.push_back(name + " = " + v->expr);
      sig.output_names[e.id] = name;
      sig.output_types[e.id] = *type;
    }
    sig.name = process_name(doc, hint);
    std::string text = header(n, "workflow", sig.name, ports->text, outs) + " {\n" + body;
    if (!returns.empty()) {
      text += "    return (";
      for (size_t i = 0; i < returns.size(); ++i) text += (i ? ", " : "") + returns[i];
      text += ")\n";
    }
    text += "}\n";
    decls_.push_back(std::move(text));
    return sig;
  }

  DocumentLoader& loader_;
  Diagnostics& diags_;
  std::string flow_dir_;
  FType last_ref_type_;  // the type of what reference() gave last
  const ProcessDoc* current_ = nullptr;
  std::vector<std::string> decls_;
  std::set<std::string> decl_names_;
  std::map<std::string, Signature> done_;
  std::vector<std::unique_ptr<YNode>> keep_;
};

}  // namespace

std::optional<std::string> cwl_to_flow(DocumentLoader& loader, const std::string& reference,
                                       const std::string& flow_dir) {
  return ToFlow(loader, flow_dir).run(reference);
}

}  // namespace flowc::cwl
