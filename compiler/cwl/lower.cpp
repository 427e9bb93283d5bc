// CWL processes into IR (lower.h).
#include "compiler/cwl/lower.h"

#include <algorithm>
#include <filesystem>
#include <functional>
#include <map>
#include <regex>
#include <set>

#include <fmt/format.h>

#include "compiler/cwl/cwl_expr.h"
#include "ir/param_ref.h"

namespace flowc::cwl {

namespace fs = std::filesystem;
using json = nlohmann::ordered_json;

namespace {

const std::set<std::string> kSupportedRequirements = {"InlineJavascriptRequirement",
                                                      "SchemaDefRequirement",
                                                      "DockerRequirement",
                                                      "SoftwareRequirement",
                                                      "InitialWorkDirRequirement",
                                                      "EnvVarRequirement",
                                                      "ShellCommandRequirement",
                                                      "ResourceRequirement",
                                                      "WorkReuse",
                                                      "NetworkAccess",
                                                      "InplaceUpdateRequirement",
                                                      "ToolTimeLimit",
                                                      "LoadListingRequirement",
                                                      "SubworkflowFeatureRequirement",
                                                      "ScatterFeatureRequirement",
                                                      "MultipleInputFeatureRequirement",
                                                      "StepInputExpressionRequirement"};

// Requirements in force for a process: its own, then its step's, then the
// enclosing workflows' (the most specific wins); hints likewise, below all
// requirements.
struct Reqs {
  std::vector<std::map<std::string, const YNode*>> req_levels, hint_levels;  // most specific first

  const YNode* find(const std::string& cls, bool* required = nullptr) const {
    for (const auto& level : req_levels) {
      if (auto it = level.find(cls); it != level.end()) {
        if (required) *required = true;
        return it->second;
      }
    }
    for (const auto& level : hint_levels) {
      if (auto it = level.find(cls); it != level.end()) {
        if (required) *required = false;
        return it->second;
      }
    }
    return nullptr;
  }
  const YNode* req(const std::string& cls) const {
    bool required = false;
    const YNode* r = find(cls, &required);
    return required ? r : nullptr;
  }
};

std::string class_of(const YNode& n) {
  const YNode* c = n.get("class");
  return c && c->is_string() ? shortname(c->s) : "";
}

class Lowerer {
 public:
  Lowerer(DocumentLoader& loader, LowerOptions options) : loader_(loader), diags_(loader.diags()), options_(options) {
    program_.types = std::make_shared<ir::TypeTable>();
    program_.compiler = "flowc cwl";
    types_ = program_.types.get();
  }

  std::optional<Lowered> run(const std::string& reference) {
    auto doc = loader_.load(reference, nullptr, Span{});
    if (!doc) return std::nullopt;
    Reqs reqs;
    std::string cls = class_of(*doc->node);
    Lowered out;
    out.process_class = cls;
    out.base_dir = doc->base_dir;
    std::string id = lower_process(*doc, reqs, "main");
    if (id.empty() || diags_.has_errors()) return std::nullopt;
    // The entry is a workflow: a tool is wrapped in one that calls it.
    if (const ir::Op* op = program_.find_op(id)) {
      ir::Workflow wf;
      wf.id = wf.name = unique("main");
      wf.loc = op->loc;
      for (const ir::Port& p : op->inputs) {
        ir::Port in = p;
        wf.inputs.push_back(in);
      }
      ir::Node call;
      call.name = "tool";
      call.loc = op->loc;
      ir::CallNode c;
      c.callee = op->id;
      for (const ir::Port& p : op->inputs) {
        c.args.emplace_back(p.name, ir::Expr::var(p.name, types_->any()));
        call.deps.push_back(p.name);
      }
      call.body = std::move(c);
      call.type = outputs_record(op->outputs);
      wf.body.push_back(std::move(call));
      for (const ir::Port& p : op->outputs) {
        ir::Port o;
        o.name = p.name;
        o.type = types_->any();
        o.loc = p.loc;
        o.value = member(ir::Expr::var("tool", call_type_of(wf.body.back())), p.name);
        wf.outputs.push_back(std::move(o));
      }
      program_.workflows.push_back(std::move(wf));
      program_.entry = program_.workflows.back().id;
    } else {
      program_.entry = id;
    }
    out.inputs = entry_inputs_;
    out.namespaces = doc->namespaces;
    out.outputs = entry_outputs_;
    out.named_files.assign(named_files_.begin(), named_files_.end());
    out.program = std::move(program_);
    return out;
  }

 private:
  // ---- helpers ---------------------------------------------------------------

  ir::SourceLoc loc(Span span) {
    ir::SourceLoc l;
    if (span.empty() && span.begin == 0) return l;
    const SourceFile& f = loader_.sources().file(span.file);
    auto it = file_index_.find(span.file);
    if (it == file_index_.end()) {
      it = file_index_.emplace(span.file, static_cast<int>(program_.files.size())).first;
      program_.files.push_back(f.path());
    }
    LineCol a = f.line_col(span.begin), b = f.line_col(span.end);
    l.file = it->second;
    l.line = a.line;
    l.column = a.column;
    l.end_line = b.line;
    l.end_column = b.column;
    return l;
  }

  std::string unique(const std::string& base) {
    std::string name = base.empty() ? "process" : base;
    for (char& c : name) {
      if (!std::isalnum(static_cast<unsigned char>(c)) && c != '_') c = '_';
    }
    std::string candidate = name;
    for (int k = 2; ids_.count(candidate); ++k) candidate = fmt::format("{}_{}", name, k);
    ids_.insert(candidate);
    return candidate;
  }

  const ir::Type* outputs_record(const std::vector<ir::Port>& outputs) {
    std::vector<ir::Field> fields;
    for (const ir::Port& p : outputs) fields.push_back({p.name, types_->any()});
    return types_->record(std::move(fields));
  }
  const ir::Type* call_type_of(const ir::Node& n) { return n.type ? n.type : types_->any(); }

  ir::Expr member(ir::Expr of, const std::string& name) {
    ir::Expr e;
    e.kind = ir::Expr::Kind::Member;
    e.type = types_->any();
    e.name = name;
    e.args.push_back(std::move(of));
    return e;
  }
  ir::Expr var(const std::string& name) { return ir::Expr::var(name, types_->any()); }
  ir::Expr null_lit() { return ir::Expr::literal(nullptr, types_->any()); }
  ir::Expr record(std::vector<std::pair<std::string, ir::Expr>> fields) {
    ir::Expr e;
    e.kind = ir::Expr::Kind::Record;
    e.type = types_->any();
    e.fields = std::move(fields);
    return e;
  }
  ir::Expr list(std::vector<ir::Expr> items) {
    ir::Expr e;
    e.kind = ir::Expr::Kind::List;
    e.type = types_->any();
    e.args = std::move(items);
    return e;
  }
  ir::Expr binary(const char* op, ir::Expr a, ir::Expr b) {
    ir::Expr e;
    e.kind = ir::Expr::Kind::Binary;
    e.type = types_->any();
    e.name = op;
    e.args.push_back(std::move(a));
    e.args.push_back(std::move(b));
    return e;
  }
  ir::Expr call(const char* fn, std::vector<ir::Expr> args, const ir::Type* t) {
    ir::Expr e;
    e.kind = ir::Expr::Kind::Call;
    e.type = t;
    e.name = fn;
    e.args = std::move(args);
    return e;
  }
  // loadContents outside a tool (a tool op reads its inputs' contents itself).
  ir::Expr load_contents(ir::Expr value) { return call("load_contents", {std::move(value)}, types_->any()); }

  // JavaScript the lowering writes itself (pickValue, linkMerge): `self` is `of`.
  ir::Expr builtin_js(const std::string& code, ir::Expr of) {
    ir::Expr e;
    e.kind = ir::Expr::Kind::Js;
    e.type = types_->any();
    e.name = code;
    e.value = json::object();
    e.value["fn"] = true;
    e.fields.emplace_back("self", std::move(of));
    return e;
  }

  void expected(const YNode& n, const std::string& field, const std::string& what) {
    diags_.report(DiagId::CwlExpected, n.span, field, what, n.what());
  }

  std::optional<std::string> str(const YNode* n, const std::string& field) {
    if (!n) return std::nullopt;
    if (!n->is_string()) {
      expected(*n, field, "a string");
      return std::nullopt;
    }
    return n->s;
  }

  // A CWL string that may hold expressions.
  std::optional<ir::Expr> expr(const YNode& n, const JsScope& scope, const std::string& field, bool strip = true) {
    if (!n.is_string()) return json_expr(resolve_files(n.to_json(), *current_base_), *types_);
    std::string error;
    auto e = string_expr(n.s, scope, *types_, loc(n.span), &error, strip);
    if (!e) {
      diags_.report(DiagId::CwlInvalid, n.span, fmt::format("in `{}`: {}", field, error));
      return std::nullopt;
    }
    if (!scope.javascript && has_js_code(*e)) {
      diags_
          .report(
              DiagId::CwlInvalid, n.span,
              fmt::format("`{}` holds JavaScript, but the process does not have InlineJavascriptRequirement", field))
          .with_help(
              "add `requirements: [{class: InlineJavascriptRequirement}]`, or use only parameter references "
              "such as $(inputs.x.basename)");
      return std::nullopt;
    }
    return e;
  }

  bool has_js_code(const ir::Expr& e) {
    if (e.kind == ir::Expr::Kind::Js) {
      return e.value.value("fn", false) || !ir::parse_param_ref(e.name);
    }
    for (const ir::Expr& a : e.args) {
      if (has_js_code(a)) return true;
    }
    return false;
  }

  // An outputBinding's glob: a pattern, an expression, or a list of them.
  std::vector<ir::Expr> globs(const YNode* g, const JsScope& scope) {
    std::vector<ir::Expr> out;
    if (g)
      each_of(*g, [&](const YNode& item) {
        if (auto x = expr(item, scope, "glob")) out.push_back(std::move(*x));
      });
    return out;
  }

  // Where CWL takes one item or a list of them: `take` each.
  static void each_of(const YNode& n, const std::function<void(const YNode&)>& take) {
    if (!n.is_seq()) return take(n);
    for (const YNode& item : n.seq) take(item);
  }

  // File and Directory objects in a default or literal, resolved against the document's folder.
  // (and remembered: the run may publish a file the document names).
  json resolve_files(json j, const std::string& base) {
    json out = resolve_file_locations(std::move(j), base);
    std::function<void(const json&)> note = [&](const json& v) {
      if (v.is_array()) {
        for (const json& x : v) note(x);
      } else if (v.is_object()) {
        if (v.contains("path") && v["path"].is_string()) named_files_.insert(v["path"].get<std::string>());
        for (const auto& [k, x] : v.items()) note(x);
      }
    };
    note(out);
    return out;
  }

  // ---- requirements ------------------------------------------------------------

  std::map<std::string, const YNode*> req_map(const YNode* list, bool requirements) {
    std::map<std::string, const YNode*> out;
    std::vector<Entry> es = entries(list, nullptr, keep_);
    for (const Entry& e : es) {
      std::string cls = e.node->is_map() ? class_of(*e.node) : "";
      if (cls.empty()) cls = e.id;
      if (cls.empty()) continue;
      if (requirements && !kSupportedRequirements.count(cls)) {
        diags_.report(DiagId::CwlUnsupported, e.where, fmt::format("the requirement `{}`", cls))
            .with_help(
                "flowc runs the requirements of CWL v1.2 itself; move it to `hints` if the process can run without it");
        continue;
      }
      out[cls] = e.node;
    }
    return out;
  }

  Reqs with_own(const Reqs& inherited, const YNode& process) {
    Reqs r;
    if (options_.job_requirements) r.req_levels.push_back(req_map(options_.job_requirements, true));
    r.req_levels.push_back(req_map(process.get("requirements"), true));
    for (const auto& l : inherited.req_levels) r.req_levels.push_back(l);
    r.hint_levels.push_back(req_map(process.get("hints"), false));
    for (const auto& l : inherited.hint_levels) r.hint_levels.push_back(l);
    return r;
  }

  JsScope js_scope(const Reqs& reqs) {
    JsScope s;
    const YNode* inline_js = reqs.find("InlineJavascriptRequirement");
    s.javascript = inline_js != nullptr;
    if (inline_js) {
      if (const YNode* lib = inline_js->get("expressionLib"); lib && lib->is_seq() && !lib->seq.empty()) {
        std::vector<std::string> code;
        for (const YNode& item : lib->seq) {
          if (item.is_string()) code.push_back(item.s);
        }
        auto it = std::find(program_.js_libs.begin(), program_.js_libs.end(), code);
        if (it == program_.js_libs.end()) {
          program_.js_libs.push_back(code);
          it = program_.js_libs.end() - 1;
        }
        s.lib = static_cast<int>(it - program_.js_libs.begin());
      }
    }
    return s;
  }

  // Schema definitions in force (SchemaDefRequirement), by short name.
  void collect_schema_defs(const Reqs& reqs) {
    for (auto levels : {&reqs.req_levels, &reqs.hint_levels}) {
      for (const auto& level : *levels) {
        auto it = level.find("SchemaDefRequirement");
        if (it == level.end()) continue;
        const YNode* types = it->second->get("types");
        if (!types || !types->is_seq()) continue;
        for (const YNode& t : types->seq) add_schema_def(t);
      }
    }
  }
  void add_schema_def(const YNode& t) {
    if (t.is_seq()) {
      for (const YNode& x : t.seq) add_schema_def(x);
      return;
    }
    const YNode* name = t.get("name");
    if (name && name->is_string()) schema_defs_[shortname(name->s)] = &t;
  }

  // ---- types -----------------------------------------------------------------------

  std::optional<ir::ToolType> tool_type(const YNode& n, int depth = 0) {
    if (depth > 32) {
      diags_.report(DiagId::CwlInvalid, n.span, "this type refers to itself without end");
      return std::nullopt;
    }
    ir::ToolType t;
    if (n.is_string()) {
      std::string s = n.s;
      if (s.size() > 1 && s.back() == '?') {
        YNode inner = YNode::string(s.substr(0, s.size() - 1), n.span);
        auto in = tool_type(inner, depth + 1);
        if (!in) return std::nullopt;
        t.kind = ir::ToolType::Kind::Union;
        ir::ToolType null_t;
        null_t.kind = ir::ToolType::Kind::Null;
        t.members.push_back(null_t);
        t.members.push_back(std::move(*in));
        return t;
      }
      if (s.size() > 2 && s.substr(s.size() - 2) == "[]") {
        YNode inner = YNode::string(s.substr(0, s.size() - 2), n.span);
        auto in = tool_type(inner, depth + 1);
        if (!in) return std::nullopt;
        t.kind = ir::ToolType::Kind::Array;
        t.members.push_back(std::move(*in));
        return t;
      }
      static const std::map<std::string, ir::ToolType::Kind> names = {{"null", ir::ToolType::Kind::Null},
                                                                      {"boolean", ir::ToolType::Kind::Bool},
                                                                      {"int", ir::ToolType::Kind::Int},
                                                                      {"long", ir::ToolType::Kind::Long},
                                                                      {"float", ir::ToolType::Kind::Float},
                                                                      {"double", ir::ToolType::Kind::Double},
                                                                      {"string", ir::ToolType::Kind::String},
                                                                      {"File", ir::ToolType::Kind::File},
                                                                      {"Directory", ir::ToolType::Kind::Directory},
                                                                      {"Any", ir::ToolType::Kind::Any},
                                                                      {"stdout", ir::ToolType::Kind::File},
                                                                      {"stderr", ir::ToolType::Kind::File},
                                                                      {"stdin", ir::ToolType::Kind::File}};
      std::string plain = s;
      if (plain.rfind("https://w3id.org/cwl/salad#", 0) == 0 ||
          plain.rfind("http://www.w3.org/2001/XMLSchema#", 0) == 0) {
        plain = shortname(plain);
      }
      if (auto it = names.find(plain); it != names.end()) {
        t.kind = it->second;
        return t;
      }
      auto def = schema_defs_.find(shortname(s));
      if (def != schema_defs_.end()) return tool_type(*def->second, depth + 1);
      diags_.report(DiagId::CwlUnknownReference, n.span, s, "a type")
          .with_help(
              "the types are null, boolean, int, long, float, double, string, File, Directory, Any, "
              "and those a SchemaDefRequirement names");
      return std::nullopt;
    }
    if (n.is_seq()) {
      t.kind = ir::ToolType::Kind::Union;
      for (const YNode& m : n.seq) {
        auto in = tool_type(m, depth + 1);
        if (!in) return std::nullopt;
        if (in->kind == ir::ToolType::Kind::Union && !in->binding) {
          for (auto& x : in->members) t.members.push_back(std::move(x));
        } else {
          t.members.push_back(std::move(*in));
        }
      }
      return t;
    }
    if (!n.is_map()) {
      diags_.report(DiagId::CwlExpected, n.span, "type", "a type name, a list of types or a map", n.what());
      return std::nullopt;
    }
    const YNode* type = n.get("type");
    if (!type) {
      diags_.report(DiagId::CwlMissingField, n.span, "this type", "type")
          .with_help("a type written as a map says its kind: `type: array`, `record` or `enum`");
      return std::nullopt;
    }
    std::string kind = type->is_string() ? shortname(type->s) : "";
    if (kind == "array") {
      t.kind = ir::ToolType::Kind::Array;
      const YNode* items = n.get("items");
      if (!items) {
        diags_.report(DiagId::CwlMissingField, n.span, "an array type", "items");
        return std::nullopt;
      }
      auto in = tool_type(*items, depth + 1);
      if (!in) return std::nullopt;
      t.members.push_back(std::move(*in));
    } else if (kind == "enum") {
      t.kind = ir::ToolType::Kind::Enum;
      if (const YNode* name = n.get("name"); name && name->is_string()) t.name = shortname(name->s);
      const YNode* symbols = n.get("symbols");
      if (!symbols || !symbols->is_seq()) {
        diags_.report(DiagId::CwlMissingField, n.span, "an enum type", "symbols");
        return std::nullopt;
      }
      for (const YNode& s : symbols->seq) {
        if (s.is_string()) t.symbols.push_back(shortname(s.s));
      }
    } else if (kind == "record") {
      t.kind = ir::ToolType::Kind::Record;
      if (const YNode* name = n.get("name"); name && name->is_string()) t.name = shortname(name->s);
      for (const Entry& f : entries(n.get("fields"), "type", keep_)) {
        ir::ToolField field;
        field.name = f.id;
        if (const YNode* nm = f.node->get("name"); nm && nm->is_string()) field.name = shortname(nm->s);
        const YNode* ft = f.node->get("type");
        if (!ft) {
          diags_.report(DiagId::CwlMissingField, f.where, fmt::format("field `{}`", field.name), "type");
          return std::nullopt;
        }
        auto in = tool_type(*ft, depth + 1);
        if (!in) return std::nullopt;
        field.type = std::move(*in);
        if (const YNode* b = f.node->get("inputBinding")) field.binding = binding(*b, tool_scope_);
        field.secondary_files = secondary_files(f.node->get("secondaryFiles"), tool_scope_);
        if (const YNode* lc = f.node->get("loadContents"); lc && lc->kind == YNode::Kind::Bool)
          field.load_contents = lc->b;
        if (const YNode* fmt_node = f.node->get("format")) field.format = format_expr(*fmt_node, tool_scope_);
        if (const YNode* ob = f.node->get("outputBinding")) {
          field.glob = globs(ob->get("glob"), tool_scope_);
          if (const YNode* lc = ob->get("loadContents"); lc && lc->kind == YNode::Kind::Bool)
            field.load_contents = lc->b;
          if (const YNode* oe = ob->get("outputEval")) field.output_eval = expr(*oe, tool_scope_, "outputEval");
        }
        t.fields.push_back(std::move(field));
      }
    } else {
      auto in = tool_type(*type, depth + 1);
      if (!in) return std::nullopt;
      t = std::move(*in);
    }
    if (const YNode* b = n.get("inputBinding")) t.binding = binding(*b, tool_scope_);
    return t;
  }

  static json type_json(const ir::ToolType& t) {
    using K = ir::ToolType::Kind;
    switch (t.kind) {
      case K::Null: return "null";
      case K::Bool: return "boolean";
      case K::Int: return "int";
      case K::Long: return "long";
      case K::Float: return "float";
      case K::Double: return "double";
      case K::String: return "string";
      case K::File: return "File";
      case K::Directory: return "Directory";
      case K::Any: return "Any";
      case K::Enum: return {{"type", "enum"}, {"symbols", t.symbols}};
      case K::Array: return {{"type", "array"}, {"items", type_json(t.members.at(0))}};
      case K::Record: {
        json fields = json::array();
        for (const auto& f : t.fields) {
          json fj = {{"name", f.name}, {"type", type_json(f.type)}};
          json patterns = json::array();
          for (const auto& sf : f.secondary_files) {
            if (sf.pattern && sf.pattern->kind == ir::Expr::Kind::Literal && sf.pattern->value.is_string()) {
              bool required =
                  !(sf.required && sf.required->kind == ir::Expr::Kind::Literal && sf.required->value == false);
              patterns.push_back({{"pattern", sf.pattern->value}, {"required", required}});
            }
          }
          if (!patterns.empty()) fj["secondaryFiles"] = patterns;
          fields.push_back(std::move(fj));
        }
        return {{"type", "record"}, {"fields", fields}};
      }
      case K::Union: {
        json a = json::array();
        for (const auto& m : t.members) a.push_back(type_json(m));
        return a;
      }
    }
    return "Any";
  }

  std::optional<ir::ToolBinding> binding(const YNode& n, const JsScope& scope) {
    ir::ToolBinding b;
    if (!n.is_map()) {
      expected(n, "inputBinding", "a map");
      return std::nullopt;
    }
    if (const YNode* p = n.get("position")) {
      if (p->kind == YNode::Kind::Int) {
        b.position = ir::Expr::literal(p->i, types_->int_());
      } else if (p->is_string()) {
        b.position = expr(*p, scope, "position");
      } else {
        expected(*p, "position", "an integer or an expression");
      }
    }
    if (const YNode* p = n.get("prefix"); p && p->is_string()) b.prefix = p->s;
    if (const YNode* s = n.get("separate"); s && s->kind == YNode::Kind::Bool) b.separate = s->b;
    if (const YNode* s = n.get("itemSeparator"); s && s->is_string()) b.item_separator = s->s;
    if (const YNode* v = n.get("valueFrom")) b.value_from = expr(*v, scope, "valueFrom");
    if (const YNode* s = n.get("shellQuote"); s && s->kind == YNode::Kind::Bool) b.shell_quote = s->b;
    return b;
  }

  // secondaryFiles: a pattern, a {pattern, required} map, or a list of them.
  std::vector<ir::ToolSecondaryFile> secondary_files(const YNode* n, const JsScope& scope) {
    std::vector<ir::ToolSecondaryFile> out;
    if (n)
      each_of(*n, [&](const YNode& item) {
        if (auto s = secondary_file(item, scope)) out.push_back(std::move(*s));
      });
    return out;
  }

  std::optional<ir::ToolSecondaryFile> secondary_file(const YNode& n, const JsScope& scope) {
    ir::ToolSecondaryFile s;
    if (n.is_string()) {
      std::string pattern = n.s;
      if (!has_expression(pattern) && !pattern.empty() && pattern.back() == '?') {
        pattern.pop_back();
        s.required = ir::Expr::literal(false, types_->bool_());
      }
      s.pattern = expr(YNode::string(pattern, n.span), scope, "secondaryFiles");
    } else if (n.is_map()) {
      if (!needs_version(n.span, "secondaryFiles written as {pattern, required}", "v1.1")) return std::nullopt;
      if (const YNode* p = n.get("pattern")) s.pattern = expr(*p, scope, "secondaryFiles.pattern");
      if (const YNode* r = n.get("required")) s.required = expr(*r, scope, "secondaryFiles.required");
    } else {
      expected(n, "secondaryFiles", "a pattern, a map or a list of them");
      return std::nullopt;
    }
    return s;
  }

  // ---- processes -------------------------------------------------------------------

  std::string lower_process(const ProcessDoc& doc, const Reqs& inherited, const std::string& hint_name) {
    const YNode& n = *doc.node;
    if (!n.is_map()) {
      diags_.report(DiagId::CwlExpected, n.span, "the process", "a map (a CWL document)", n.what());
      return "";
    }
    std::string cls = class_of(n);
    const std::string* saved_base = current_base_;
    current_base_ = &doc.base_dir;
    const auto* saved_ns = namespaces_;
    namespaces_ = &doc.namespaces;
    std::string saved_version = version_;
    version_ = version_of(doc);
    std::string id;
    if (cls == "CommandLineTool") {
      id = lower_tool(doc, inherited, hint_name);
    } else if (cls == "ExpressionTool") {
      id = lower_expression_tool(doc, inherited, hint_name);
    } else if (cls == "Workflow") {
      id = lower_workflow(doc, inherited, hint_name);
    } else if (cls == "Operation") {
      diags_.report(DiagId::CwlUnsupported, n.get("class")->span,
                    "an `Operation` (an abstract process, which cannot run)");
    } else if (cls.empty()) {
      diags_.report(DiagId::CwlMissingField, n.span, "this document", "class")
          .with_help("a CWL process says what it is: `class: CommandLineTool`, `ExpressionTool` or `Workflow`");
    } else {
      diags_.report(DiagId::CwlUnknownClass, n.get("class")->span, cls)
          .with_help("a CWL process is a CommandLineTool, an ExpressionTool or a Workflow");
    }
    current_base_ = saved_base;
    namespaces_ = saved_ns;
    version_ = saved_version;
    return id;
  }

  // The document's cwlVersion (its own, or its file's): v1.0, v1.1, v1.2.
  std::string version_of(const ProcessDoc& doc) {
    const YNode* v = doc.node->get("cwlVersion");
    if (!v) {
      const YNode* root = loader_.load_file(doc.file, Span{});
      if (root && root->is_map()) v = root->get("cwlVersion");
    }
    return v && v->is_string() ? v->s : "v1.2";
  }
  // A feature newer than the document's cwlVersion is an error, as CWL's
  // schema for that version says (a v1.0 document cannot use v1.2's `when`).
  bool needs_version(Span at, const std::string& feature, const char* since) {
    auto rank = [](const std::string& v) { return v.rfind("v1.0", 0) == 0 ? 0 : v.rfind("v1.1", 0) == 0 ? 1 : 2; };
    if (rank(version_) >= rank(since)) return true;
    diags_
        .report(DiagId::CwlInvalid, at,
                fmt::format("{} needs cwlVersion {} or later, and this document is {}", feature, since, version_))
        .with_help(fmt::format(
            "change the document's cwlVersion to {} (cwl-upgrader does it), or leave the feature out", since));
    return false;
  }

  // A format IRI with its namespace prefix expanded (`edam:format_2330`).
  std::optional<ir::Expr> format_expr(const YNode& n, const JsScope& scope) {
    if (n.is_string() && !has_expression(n.s) && namespaces_) {
      size_t colon = n.s.find(':');
      if (colon != std::string::npos) {
        auto it = namespaces_->find(n.s.substr(0, colon));
        if (it != namespaces_->end()) return ir::Expr::literal(it->second + n.s.substr(colon + 1), types_->str());
      }
    }
    return expr(n, scope, "format");
  }

  std::string process_name(const YNode& n, const std::string& fallback) {
    if (const YNode* id = n.get("id"); id && id->is_string() && !shortname(id->s).empty()) return shortname(id->s);
    return fallback;
  }

  // Ports of a process (its inputs, as IR ports with defaults), and the
  // entry's CWL signature when this is the top process.
  struct InputInfo {
    Entry entry;
    ir::ToolType type;
    std::optional<json> default_value;
  };

  std::vector<InputInfo> read_inputs(const YNode& n, bool top) {
    std::vector<InputInfo> out;
    const YNode* inputs = n.get("inputs");
    if (!inputs) {
      diags_.report(DiagId::CwlMissingField, n.span, "this process", "inputs")
          .with_help("write `inputs: []` for a process without inputs");
      return out;
    }
    for (const Entry& e : entries(inputs, "type", keep_)) {
      InputInfo info{e, {}, std::nullopt};
      if (e.id.empty()) {
        diags_.report(DiagId::CwlMissingField, e.where, "this input", "id");
        continue;
      }
      const YNode* t = e.node->get("type");
      if (!t) {
        diags_.report(DiagId::CwlMissingField, e.where, fmt::format("input `{}`", e.id), "type");
        continue;
      }
      auto type = tool_type(*t);
      if (!type) continue;
      info.type = std::move(*type);
      if (const YNode* d = e.node->get("default")) info.default_value = resolve_files(d->to_json(), *current_base_);
      if (top) {
        json sig = {{"id", e.id}, {"type", type_json(info.type)}};
        if (info.default_value) sig["default"] = *info.default_value;
        if (const YNode* lc = e.node->get("loadContents"); lc && lc->kind == YNode::Kind::Bool && lc->b)
          sig["loadContents"] = true;
        if (const YNode* ib = e.node->get("inputBinding"); ib && ib->is_map()) {
          if (const YNode* lc = ib->get("loadContents"); lc && lc->kind == YNode::Kind::Bool && lc->b)
            sig["loadContents"] = true;
        }
        if (const YNode* ll = e.node->get("loadListing"); ll && ll->is_string()) sig["loadListing"] = ll->s;
        if (const YNode* f = e.node->get("format")) sig["format"] = f->to_json();
        if (const YNode* sf = e.node->get("secondaryFiles")) sig["secondaryFiles"] = sf->to_json();
        if (const YNode* f = e.node->get("format"); f && f->is_string()) sig["format"] = f->s;
        entry_inputs_.push_back(sig);
      }
      out.push_back(std::move(info));
    }
    return out;
  }

  ir::Port input_port(const InputInfo& info) {
    ir::Port p;
    p.name = info.entry.id;
    p.type = types_->any();
    p.loc = loc(info.entry.where);
    if (info.default_value) p.default_value = json_expr(*info.default_value, *types_);
    else p.default_value = null_lit();  // CWL: an input not given is null
    return p;
  }

  void note_outputs(const std::vector<Entry>& outs, bool top, const std::vector<ir::ToolType>& types) {
    if (!top) return;
    for (size_t i = 0; i < outs.size(); ++i) {
      entry_outputs_.push_back({{"id", outs[i].id}, {"type", i < types.size() ? type_json(types[i]) : json("Any")}});
    }
  }

  // ---- CommandLineTool ---------------------------------------------------------------

  std::string lower_tool(const ProcessDoc& doc, const Reqs& inherited, const std::string& hint_name) {
    const YNode& n = *doc.node;
    bool top = depth_ == 0;
    ++depth_;
    Reqs reqs = with_own(inherited, n);
    collect_schema_defs(reqs);
    JsScope scope = js_scope(reqs);
    scope.inputs = var("$inputs");
    scope.self = var("$self");
    scope.runtime = var("$runtime");
    tool_scope_ = scope;

    ir::Op op;
    op.name = process_name(n, hint_name);
    op.id = unique(op.name);
    op.loc = loc(n.span);
    if (const YNode* d = n.get("doc"); d && d->is_string()) op.doc = d->s;
    ir::Tool tool;

    const YNode* file_root = loader_.load_file(doc.file, Span{});
    bool has_ontology = file_root && file_root->is_map() && file_root->has("$schemas");
    for (const InputInfo& info : read_inputs(n, top)) {
      op.inputs.push_back(input_port(info));
      ir::ToolPort tp;
      tp.name = info.entry.id;
      tp.type = info.type;
      const YNode& e = *info.entry.node;
      if (const YNode* b = e.get("inputBinding")) {
        tp.binding = binding(*b, scope);
        if (const YNode* lc = b->get("loadContents"); lc && lc->kind == YNode::Kind::Bool) tp.load_contents = lc->b;
      }
      if (const YNode* lc = e.get("loadContents"); lc && lc->kind == YNode::Kind::Bool) tp.load_contents = lc->b;
      if (const YNode* ll = e.get("loadListing"); ll && ll->is_string()) tp.load_listing = ll->s;
      tp.secondary_files = secondary_files(e.get("secondaryFiles"), scope);
      // An input's format is checked against the file's (equal IRIs); flowc
      // reads no ontology, so a document naming one ($schemas: subclasses)
      // is not checked.
      if (const YNode* f = e.get("format"); f && !has_ontology) tp.format = format_expr(*f, scope);
      if (const YNode* t = e.get("type"); t && t->is_string() && t->s == "stdin") {
        tool.stdin_path =
            string_expr(fmt::format("$(inputs['{}'].path)", tp.name), scope, *types_, loc(t->span), &ignored_);
      }
      tool.inputs.push_back(std::move(tp));
    }

    std::vector<Entry> outs = entries(n.get("outputs"), "type", keep_);
    if (!n.get("outputs")) {
      diags_.report(DiagId::CwlMissingField, n.span, "this tool", "outputs").with_help("write `outputs: []` for none");
    }
    std::vector<ir::ToolType> out_types;
    for (const Entry& e : outs) {
      ir::Port p;
      p.name = e.id;
      p.type = types_->any();
      p.loc = loc(e.where);
      op.outputs.push_back(p);
      ir::ToolPort tp;
      tp.name = e.id;
      const YNode* t = e.node->get("type");
      if (!t) {
        diags_.report(DiagId::CwlMissingField, e.where, fmt::format("output `{}`", e.id), "type");
        continue;
      }
      if (auto type = tool_type(*t)) tp.type = std::move(*type);
      if (t->is_string() && (t->s == "stdout" || t->s == "stderr")) tp.stream = t->s;
      if (const YNode* ob = e.node->get("outputBinding")) {
        tp.glob = globs(ob->get("glob"), scope);
        if (const YNode* lc = ob->get("loadContents"); lc && lc->kind == YNode::Kind::Bool) tp.load_contents = lc->b;
        if (const YNode* ll = ob->get("loadListing"); ll && ll->is_string()) tp.load_listing = ll->s;
        if (const YNode* oe = ob->get("outputEval")) tp.output_eval = expr(*oe, scope, "outputEval");
      }
      if (const YNode* lc = e.node->get("loadContents"); lc && lc->kind == YNode::Kind::Bool) tp.load_contents = lc->b;
      if (const YNode* ll = e.node->get("loadListing"); ll && ll->is_string()) tp.load_listing = ll->s;
      tp.secondary_files = secondary_files(e.node->get("secondaryFiles"), scope);
      if (const YNode* f = e.node->get("format")) tp.format = format_expr(*f, scope);
      out_types.push_back(tp.type);
      tool.outputs.push_back(std::move(tp));
    }
    note_outputs(outs, top, out_types);

    if (const YNode* bc = n.get("baseCommand")) {
      if (bc->is_string()) tool.base_command.push_back(bc->s);
      else if (bc->is_seq()) {
        for (const YNode& w : bc->seq) {
          if (w.is_string()) tool.base_command.push_back(w.s);
          else expected(w, "baseCommand", "a string");
        }
      } else {
        expected(*bc, "baseCommand", "a string or a list of strings");
      }
    }
    if (const YNode* args = n.get("arguments")) {
      if (!args->is_seq()) expected(*args, "arguments", "a list");
      else {
        for (const YNode& a : args->seq) {
          ir::ToolArgument arg;
          if (a.is_map()) {
            if (auto b = binding(a, scope)) arg.binding = std::move(*b);
          } else {
            arg.binding.value_from = expr(a, scope, "arguments");
          }
          tool.arguments.push_back(std::move(arg));
        }
      }
    }
    for (const char* stream : {"stdin", "stdout", "stderr"}) {
      if (const YNode* s = n.get(stream)) {
        auto e = expr(*s, scope, stream);
        if (!e) continue;
        if (std::string(stream) == "stdin") tool.stdin_path = std::move(e);
        else if (std::string(stream) == "stdout") tool.stdout_name = std::move(e);
        else tool.stderr_name = std::move(e);
      }
    }
    for (const ir::ToolPort& p : tool.outputs) {
      if (p.stream == "stdout" && !tool.stdout_name) {
        tool.stdout_name = ir::Expr::literal(fmt::format("{}.stdout", p.name), types_->str());
      }
      if (p.stream == "stderr" && !tool.stderr_name) {
        tool.stderr_name = ir::Expr::literal(fmt::format("{}.stderr", p.name), types_->str());
      }
    }
    for (ir::ToolPort& p : tool.outputs) {
      if (p.stream == "stdout") p.glob = {*tool.stdout_name};
      if (p.stream == "stderr") p.glob = {*tool.stderr_name};
    }
    auto codes = [&](const char* key, std::vector<int64_t>& into) {
      if (const YNode* c = n.get(key); c && c->is_seq()) {
        for (const YNode& x : c->seq) {
          if (x.kind == YNode::Kind::Int) into.push_back(x.i);
        }
      }
    };
    codes("successCodes", tool.success_codes);
    codes("temporaryFailCodes", tool.temporary_fail_codes);
    codes("permanentFailCodes", tool.permanent_fail_codes);

    // Requirements.
    tool.shell = reqs.req("ShellCommandRequirement") != nullptr;
    if (const YNode* iwd = reqs.find("InitialWorkDirRequirement")) {
      if (const YNode* listing = iwd->get("listing")) {
        if (listing->is_string()) {
          ir::ToolWorkdirEntry entry;
          entry.entry = expr(*listing, scope, "listing");
          tool.workdir.push_back(std::move(entry));
        } else if (listing->is_seq()) {
          for (const YNode& item : listing->seq) {
            ir::ToolWorkdirEntry entry;
            if (item.is_map() && (item.has("entry") || item.has("entryname"))) {
              if (const YNode* en = item.get("entryname")) entry.entryname = expr(*en, scope, "entryname");
              // CWL: a Dirent's entry keeps its whitespace ("$(x)\n" is text).
              if (const YNode* e = item.get("entry")) entry.entry = expr(*e, scope, "entry", /*strip=*/false);
              if (const YNode* w = item.get("writable"); w && w->kind == YNode::Kind::Bool) entry.writable = w->b;
            } else {
              entry.entry = expr(item, scope, "listing");
            }
            tool.workdir.push_back(std::move(entry));
          }
        }
      }
    }
    if (const YNode* env = reqs.find("EnvVarRequirement")) {
      for (const Entry& e : entries(env->get("envDef"), "envValue", keep_)) {
        std::string name = e.id;
        if (const YNode* en = e.node->get("envName"); en && en->is_string()) name = en->s;
        const YNode* value = e.node->get("envValue");
        if (!value) continue;
        if (auto x = expr(*value, scope, "envValue")) op.env.emplace_back(name, std::move(*x));
      }
    }
    if (const YNode* rr = reqs.find("ResourceRequirement")) {
      auto amount = [&](const char* min, const char* max) -> std::optional<ir::Expr> {
        const YNode* m = rr->get(min);
        if (!m) m = rr->get(max);
        if (!m) return std::nullopt;
        if (m->kind == YNode::Kind::Float && !needs_version(m->span, fmt::format("a fractional `{}`", min), "v1.2")) {
          return std::nullopt;
        }
        return expr(*m, scope, min);
      };
      if (auto c = amount("coresMin", "coresMax")) op.cpus = std::move(c);
      if (auto m = amount("ramMin", "ramMax")) op.mem = std::move(m);  // MiB: the runtime multiplies (tool ops)
      tool.outdir_min = amount("outdirMin", "outdirMax");
      tool.tmpdir_min = amount("tmpdirMin", "tmpdirMax");
    }
    if (const YNode* tl = reqs.find("ToolTimeLimit")) {
      if (const YNode* t = tl->get("timelimit")) {
        if (auto x = expr(*t, scope, "timelimit")) {
          if (x->kind == ir::Expr::Kind::Literal && x->value.is_number() && x->value.get<double>() < 0) {
            diags_.report(DiagId::CwlInvalid, t->span, "ToolTimeLimit's timelimit cannot be negative")
                .with_help("give the most seconds the tool may run, or 0 for no limit");
          } else if (!(x->kind == ir::Expr::Kind::Literal && x->value.is_number() && x->value.get<double>() == 0)) {
            op.timeout = std::move(x);
          }
        }
      }
    }
    if (const YNode* wr = reqs.find("WorkReuse")) {
      if (const YNode* e = wr->get("enableReuse"); e && e->kind == YNode::Kind::Bool) op.cache = e->b;
    }
    if (const YNode* na = reqs.find("NetworkAccess")) {
      if (const YNode* e = na->get("networkAccess"); e && e->kind == YNode::Kind::Bool) op.network = e->b;
    }
    if (const YNode* ip = reqs.find("InplaceUpdateRequirement")) {
      if (const YNode* e = ip->get("inplaceUpdate"); e && e->kind == YNode::Kind::Bool) tool.inplace_update = e->b;
    }
    if (const YNode* ll = reqs.find("LoadListingRequirement")) {
      if (const YNode* e = ll->get("loadListing"); e && e->is_string()) tool.load_listing = e->s;
    }
    if (const YNode* docker = options_.containers ? reqs.req("DockerRequirement") : nullptr) {
      const YNode* image = docker->get("dockerPull");
      if (!image) image = docker->get("dockerImageId");
      if (image && image->is_string()) op.image = image->s;
    }
    tool.discover_secondary_files = top;
    op.tool = std::move(tool);
    std::string id = op.id;
    program_.ops.push_back(std::move(op));
    --depth_;
    return id;
  }

  // ---- ExpressionTool -------------------------------------------------------------------

  std::string lower_expression_tool(const ProcessDoc& doc, const Reqs& inherited, const std::string& hint_name) {
    const YNode& n = *doc.node;
    bool top = depth_ == 0;
    ++depth_;
    Reqs reqs = with_own(inherited, n);
    collect_schema_defs(reqs);
    JsScope scope = js_scope(reqs);
    tool_scope_ = scope;
    ir::Workflow wf;
    wf.name = process_name(n, hint_name);
    wf.id = unique(wf.name);
    wf.loc = loc(n.span);
    std::vector<std::pair<std::string, ir::Expr>> fields;
    for (const InputInfo& info : read_inputs(n, top)) {
      wf.inputs.push_back(input_port(info));
      ir::Expr value = var(info.entry.id);
      bool load = false;
      if (const YNode* lc = info.entry.node->get("loadContents"); lc && lc->kind == YNode::Kind::Bool) load = lc->b;
      if (const YNode* b = info.entry.node->get("inputBinding"); b && b->is_map()) {
        if (const YNode* lc = b->get("loadContents"); lc && lc->kind == YNode::Kind::Bool) load = load || lc->b;
      }
      if (load) value = load_contents(std::move(value));
      fields.emplace_back(info.entry.id, std::move(value));
    }
    scope.inputs = record(std::move(fields));
    const YNode* expression = n.get("expression");
    if (!expression) {
      diags_.report(DiagId::CwlMissingField, n.span, "this ExpressionTool", "expression");
      --depth_;
      return "";
    }
    auto value = expr(*expression, scope, "expression");
    if (!value) {
      --depth_;
      return "";
    }
    ir::Node let;
    let.name = "result";
    let.loc = loc(expression->span);
    for (const ir::Port& p : wf.inputs) let.deps.push_back(p.name);
    let.type = types_->any();
    let.body = ir::ValueNode{std::move(*value)};
    wf.body.push_back(std::move(let));
    std::vector<Entry> outs = entries(n.get("outputs"), "type", keep_);
    std::vector<ir::ToolType> out_types;
    for (const Entry& e : outs) {
      ir::Port p;
      p.name = e.id;
      p.type = types_->any();
      p.loc = loc(e.where);
      p.value = output_field(var("result"), e.id);
      wf.outputs.push_back(std::move(p));
      if (const YNode* t = e.node->get("type")) {
        if (auto tt = tool_type(*t)) out_types.push_back(std::move(*tt));
      }
    }
    note_outputs(outs, top, out_types);
    std::string id = wf.id;
    program_.workflows.push_back(std::move(wf));
    --depth_;
    return id;
  }

  // `of[name]`, null when `of` is null or lacks it (a parameter reference).
  ir::Expr output_field(ir::Expr of, const std::string& name) {
    ir::Expr e;
    e.kind = ir::Expr::Kind::Js;
    e.type = types_->any();
    std::string quoted;
    for (char c : name) quoted += c == '\'' ? std::string("\\'") : std::string(1, c);
    e.name = name.find('\'') == std::string::npos ? fmt::format("self['{}']", name) : fmt::format("self[\"{}\"]", name);
    e.value = json::object();
    e.fields.emplace_back("self", std::move(of));
    return e;
  }

  // ---- Workflow -------------------------------------------------------------------------

  struct StepIn {
    std::string id;
    std::vector<std::string> sources;
    Span where;
    std::optional<json> default_value;
    const YNode* value_from = nullptr;
    std::string link_merge;  // merge_nested (default for several sources), merge_flattened
    std::string pick_value;
    bool load_contents = false;
  };
  struct Step {
    std::string id;
    Span where;
    const YNode* node = nullptr;
    std::vector<StepIn> in;
    std::vector<std::string> out;
    std::vector<std::string> scatter;
    std::string scatter_method;
    const YNode* when = nullptr;
    std::string callee;
    bool callee_is_workflow = false;
    std::set<std::string> deps;  // steps it reads from
  };

  std::vector<std::string> sources_of(const YNode* s) { return source_list(s); }

  // A source reference (`inp`, `#main/inp`, `step/out`, `#main/step/out`) as
  // (step, port): step empty for a workflow input.
  std::pair<std::string, std::string> split_source(const std::string& source, const std::set<std::string>& step_ids) {
    std::string s = source;
    if (size_t hash = s.find('#'); hash != std::string::npos) s = s.substr(hash + 1);
    // Strip the workflow's own id prefix (`main/step/out`).
    std::vector<std::string> parts;
    size_t start = 0;
    while (true) {
      size_t slash = s.find('/', start);
      parts.push_back(s.substr(start, slash == std::string::npos ? std::string::npos : slash - start));
      if (slash == std::string::npos) break;
      start = slash + 1;
    }
    if (parts.size() >= 2 && step_ids.count(parts[parts.size() - 2])) return {parts[parts.size() - 2], parts.back()};
    return {"", parts.back()};
  }

  std::string lower_workflow(const ProcessDoc& doc, const Reqs& inherited, const std::string& hint_name) {
    const YNode& n = *doc.node;
    bool top = depth_ == 0;
    ++depth_;
    Reqs reqs = with_own(inherited, n);
    collect_schema_defs(reqs);
    JsScope scope = js_scope(reqs);
    ir::Workflow wf;
    wf.name = process_name(n, hint_name);
    wf.id = unique(wf.name);
    wf.loc = loc(n.span);
    std::set<std::string> input_names;
    auto saved_loaded = loaded_inputs_;
    loaded_inputs_.clear();
    for (const InputInfo& info : read_inputs(n, top)) {
      wf.inputs.push_back(input_port(info));
      input_names.insert(info.entry.id);
      bool load = false;
      if (const YNode* lc = info.entry.node->get("loadContents"); lc && lc->kind == YNode::Kind::Bool) load = lc->b;
      if (const YNode* b = info.entry.node->get("inputBinding"); b && b->is_map()) {
        if (const YNode* lc = b->get("loadContents"); lc && lc->kind == YNode::Kind::Bool) load = load || lc->b;
      }
      if (load) loaded_inputs_.insert(info.entry.id);
    }
    std::vector<Entry> outs = entries(n.get("outputs"), "type", keep_);
    std::vector<ir::ToolType> out_types;
    for (const Entry& e : outs) {
      if (const YNode* t = e.node->get("type")) {
        if (auto tt = tool_type(*t)) out_types.push_back(std::move(*tt));
      }
    }
    note_outputs(outs, top, out_types);

    // Steps.
    std::vector<Step> steps;
    std::set<std::string> step_ids;
    const YNode* steps_node = n.get("steps");
    if (!steps_node) {
      diags_.report(DiagId::CwlMissingField, n.span, "this workflow", "steps");
      --depth_;
      return "";
    }
    std::vector<Entry> step_entries = entries(steps_node, nullptr, keep_);
    for (const Entry& e : step_entries) step_ids.insert(e.id);
    for (const Entry& e : step_entries) {
      Step step;
      step.id = e.id;
      step.where = e.where;
      step.node = e.node;
      for (const Entry& in : entries(e.node->get("in"), "source", keep_)) {
        StepIn si;
        si.id = in.id;
        si.where = in.where;
        si.sources = sources_of(in.node->get("source"));
        if (const YNode* d = in.node->get("default")) si.default_value = resolve_files(d->to_json(), doc.base_dir);
        si.value_from = in.node->get("valueFrom");
        if (const YNode* lm = in.node->get("linkMerge"); lm && lm->is_string()) si.link_merge = lm->s;
        if (const YNode* pv = in.node->get("pickValue"); pv && pv->is_string()) si.pick_value = pv->s;
        if (const YNode* lc = in.node->get("loadContents"); lc && lc->kind == YNode::Kind::Bool)
          si.load_contents = lc->b;
        for (const std::string& src : si.sources) {
          auto [from, port] = split_source(src, step_ids);
          if (!from.empty()) step.deps.insert(from);
          else if (!input_names.count(port)) {
            diags_.report(DiagId::CwlUnknownReference, in.where, src, "a workflow input or a step output")
                .with_help("a source is an input of the workflow (`name`) or a step's output (`step/output`)");
          }
        }
        step.in.push_back(std::move(si));
      }
      if (const YNode* o = e.node->get("out")) {
        for (const Entry& x : entries(o, nullptr, keep_)) step.out.push_back(x.id);
      }
      if (const YNode* sc = e.node->get("scatter")) {
        for (const std::string& s : sources_of(sc)) step.scatter.push_back(shortname(s));
      }
      if (const YNode* sm = e.node->get("scatterMethod"); sm && sm->is_string()) step.scatter_method = sm->s;
      step.when = e.node->get("when");
      if (step.when && !needs_version(step.when->span, "a step's `when`", "v1.2")) continue;
      // The process it runs, with the step's requirements over the workflow's.
      Reqs step_reqs;
      step_reqs.req_levels.push_back(req_map(e.node->get("requirements"), true));
      for (const auto& l : reqs.req_levels) step_reqs.req_levels.push_back(l);
      step_reqs.hint_levels.push_back(req_map(e.node->get("hints"), false));
      for (const auto& l : reqs.hint_levels) step_reqs.hint_levels.push_back(l);
      const YNode* run = e.node->get("run");
      if (!run) {
        diags_.report(DiagId::CwlMissingField, e.where, fmt::format("step `{}`", e.id), "run");
        continue;
      }
      std::optional<ProcessDoc> callee = step_process(loader_, *run, doc);
      if (!run->is_string() && !run->is_map()) expected(*run, "run", "a file name or a process");
      if (!callee) continue;
      auto saved_defs = schema_defs_;
      std::string id = lower_process(*callee, step_reqs, e.id);
      schema_defs_ = saved_defs;
      current_base_ = &doc.base_dir;
      if (id.empty()) continue;
      step.callee = id;
      step.callee_is_workflow = program_.find_workflow(id) != nullptr;
      steps.push_back(std::move(step));
    }
    if (diags_.has_errors()) {
      --depth_;
      return "";
    }

    // In dependency order.
    std::vector<const Step*> order;
    std::set<std::string> placed;
    std::map<std::string, const Step*> by_id;
    for (const Step& s : steps) by_id[s.id] = &s;
    std::function<bool(const Step&, std::set<std::string>&)> place = [&](const Step& s,
                                                                         std::set<std::string>& visiting) {
      if (placed.count(s.id)) return true;
      if (!visiting.insert(s.id).second) {
        diags_.report(DiagId::CwlInvalid, s.where,
                      fmt::format("step `{}` depends on itself (a cycle of sources)", s.id));
        return false;
      }
      for (const std::string& d : s.deps) {
        auto it = by_id.find(d);
        if (it != by_id.end() && !place(*it->second, visiting)) return false;
      }
      placed.insert(s.id);
      order.push_back(&s);
      return true;
    };
    for (const Step& s : steps) {
      std::set<std::string> visiting;
      if (!place(s, visiting)) break;
    }

    for (const Step* s : order) emit_step(wf, *s, scope, step_ids);

    // Outputs.
    for (const Entry& e : outs) {
      ir::Port p;
      p.name = e.id;
      p.type = types_->any();
      p.loc = loc(e.where);
      std::vector<std::string> sources = sources_of(e.node->get("outputSource"));
      std::string link_merge, pick_value;
      if (const YNode* lm = e.node->get("linkMerge"); lm && lm->is_string()) link_merge = lm->s;
      if (const YNode* pv = e.node->get("pickValue"); pv && pv->is_string()) pick_value = pv->s;
      bool many = e.node->get("outputSource") && e.node->get("outputSource")->is_seq();
      if (pick_value == "all_non_null") {
        // Its value is a list: the output's type must allow one.
        const YNode* t = e.node->get("type");
        auto type = t ? tool_type(*t) : std::nullopt;
        auto allows_list = [](const ir::ToolType& x) {
          if (x.kind == ir::ToolType::Kind::Array || x.kind == ir::ToolType::Kind::Any) return true;
          return x.kind == ir::ToolType::Kind::Union &&
                 std::any_of(x.members.begin(), x.members.end(), [](const ir::ToolType& m) {
                   return m.kind == ir::ToolType::Kind::Array || m.kind == ir::ToolType::Kind::Any;
                 });
        };
        if (type && !allows_list(*type)) {
          diags_
              .report(
                  DiagId::CwlInvalid, e.where,
                  fmt::format("output `{}` picks `all_non_null`, which gives a list, but its type is not one", e.id))
              .with_help("give the output an array type (`string[]`), or pick `first_non_null` or `the_only_non_null`");
        }
      }
      p.value = merged(sources, many, link_merge, pick_value, step_ids, e.where);
      wf.outputs.push_back(std::move(p));
    }
    std::string id = wf.id;
    program_.workflows.push_back(std::move(wf));
    loaded_inputs_ = saved_loaded;
    --depth_;
    return id;
  }

  ir::Expr source_expr(const std::string& source, const std::set<std::string>& step_ids) {
    auto [step, port] = split_source(source, step_ids);
    if (step.empty()) return loaded_inputs_.count(port) ? load_contents(var(port)) : var(port);
    return output_field(var(step), port);
  }

  // The value of one or more sources, merged and picked as CWL says.
  ir::Expr merged(const std::vector<std::string>& sources, bool many, const std::string& link_merge,
                  const std::string& pick_value, const std::set<std::string>& step_ids, Span where) {
    ir::Expr value = null_lit();
    if (sources.size() == 1 && !many) {
      value = source_expr(sources[0], step_ids);
    } else if (!sources.empty() || many) {
      std::vector<ir::Expr> items;
      for (const std::string& s : sources) items.push_back(source_expr(s, step_ids));
      value = list(std::move(items));
      if (link_merge == "merge_flattened") {
        value = builtin_js(
            "var out = []; for (var i = 0; i < self.length; i++) { if (Array.isArray(self[i])) "
            "{ out = out.concat(self[i]); } else { out.push(self[i]); } } return out;",
            std::move(value));
      }
    }
    if (pick_value == "first_non_null") {
      value = builtin_js(
          "for (var i = 0; i < self.length; i++) { if (self[i] !== null) return self[i]; } "
          "throw 'pickValue first_non_null: every value is null';",
          std::move(value));
    } else if (pick_value == "the_only_non_null") {
      value = builtin_js(
          "var v = self.filter(function (x) { return x !== null; }); if (v.length !== 1) throw "
          "'pickValue the_only_non_null: ' + v.length + ' values are not null, not exactly one'; "
          "return v[0];",
          std::move(value));
    } else if (pick_value == "all_non_null") {
      value = builtin_js("return self.filter(function (x) { return x !== null; });", std::move(value));
    } else if (!pick_value.empty()) {
      diags_.report(DiagId::CwlInvalid, where, fmt::format("unknown pickValue `{}`", pick_value))
          .with_help("it is first_non_null, the_only_non_null or all_non_null");
    }
    return value;
  }

  void emit_step(ir::Workflow& wf, const Step& s, const JsScope& wf_scope, const std::set<std::string>& step_ids) {
    const ir::Workflow* callee_wf = program_.find_workflow(s.callee);
    const ir::Op* callee_op = program_.find_op(s.callee);
    const std::vector<ir::Port>& callee_inputs = callee_wf ? callee_wf->inputs : callee_op->inputs;
    std::vector<ir::Port> callee_outputs = callee_wf ? callee_wf->outputs : callee_op->outputs;
    ir::SourceLoc where = loc(s.where);
    auto deps_of = [&](const ir::Expr& e) {
      std::set<std::string> out;
      std::function<void(const ir::Expr&)> walk = [&](const ir::Expr& x) {
        if (x.kind == ir::Expr::Kind::Var) out.insert(x.name);
        for (const auto& a : x.args) walk(a);
        for (const auto& [k, f] : x.fields) walk(f);
      };
      walk(e);
      return std::vector<std::string>(out.begin(), out.end());
    };
    auto value_node = [&](const std::string& name, ir::Expr value) {
      ir::Node node;
      node.name = name;
      node.loc = where;
      node.type = types_->any();
      node.deps = deps_of(value);
      node.body = ir::ValueNode{std::move(value)};
      return node;
    };

    // 1. The step's inputs from their sources, with defaults.
    std::string in_name = s.id + "$in";
    std::vector<std::pair<std::string, ir::Expr>> fields;
    for (const StepIn& in : s.in) {
      ir::Expr v = merged(in.sources, in.sources.size() > 1, in.link_merge, in.pick_value, step_ids, in.where);
      if (in.sources.size() == 1 && !in.link_merge.empty() && in.link_merge == "merge_nested") v = list({std::move(v)});
      if (in.default_value) v = binary("??", std::move(v), json_expr(*in.default_value, *types_));
      if (in.load_contents) v = load_contents(std::move(v));
      fields.emplace_back(in.id, std::move(v));
    }
    wf.body.push_back(value_node(in_name, record(std::move(fields))));

    // 2. Scatter: the item's inputs.
    std::vector<ir::Node>* body = &wf.body;
    std::vector<std::vector<ir::Node>*> scatter_bodies;
    std::string item_name = in_name;
    std::vector<ir::Node*> scatter_nodes;
    if (!s.scatter.empty()) {
      std::string method = s.scatter_method.empty() ? "dotproduct" : s.scatter_method;
      if (method == "dotproduct" || s.scatter.size() == 1) {
        ir::Node f;
        f.name = s.id + "$for";
        f.loc = where;
        f.deps = {in_name};
        ir::ScatterNode sc;
        sc.var = s.id + "$i";
        sc.collection = call("range", {call("len", {member(var(in_name), s.scatter[0])}, types_->int_())},
                             types_->list(types_->int_()));
        f.body = std::move(sc);
        body->push_back(std::move(f));
        scatter_nodes.push_back(&body->back());
        body = &body->back().as<ir::ScatterNode>()->body;
        std::vector<std::pair<std::string, ir::Expr>> item;
        for (const StepIn& in : s.in) {
          ir::Expr v = member(var(in_name), in.id);
          if (std::find(s.scatter.begin(), s.scatter.end(), in.id) != s.scatter.end()) {
            ir::Expr ix;
            ix.kind = ir::Expr::Kind::Index;
            ix.type = types_->any();
            ix.args.push_back(std::move(v));
            ix.args.push_back(ir::Expr::var(s.id + "$i", types_->int_()));
            v = std::move(ix);
          }
          item.emplace_back(in.id, std::move(v));
        }
        item_name = s.id + "$item";
        body->push_back(value_node(item_name, record(std::move(item))));
      } else if (method == "nested_crossproduct" || method == "flat_crossproduct") {
        for (size_t k = 0; k < s.scatter.size(); ++k) {
          ir::Node f;
          f.name = fmt::format("{}$for{}", s.id, k);
          f.loc = where;
          ir::ScatterNode sc;
          sc.var = fmt::format("{}$v{}", s.id, k);
          sc.collection = member(var(in_name), s.scatter[k]);
          f.deps = {in_name};
          f.body = std::move(sc);
          body->push_back(std::move(f));
          scatter_nodes.push_back(&body->back());
          body = &body->back().as<ir::ScatterNode>()->body;
        }
        std::vector<std::pair<std::string, ir::Expr>> item;
        for (const StepIn& in : s.in) {
          auto it = std::find(s.scatter.begin(), s.scatter.end(), in.id);
          if (it != s.scatter.end()) item.emplace_back(in.id, var(fmt::format("{}$v{}", s.id, it - s.scatter.begin())));
          else item.emplace_back(in.id, member(var(in_name), in.id));
        }
        item_name = s.id + "$item";
        body->push_back(value_node(item_name, record(std::move(item))));
      } else {
        diags_.report(DiagId::CwlInvalid, s.where, fmt::format("unknown scatterMethod `{}`", method))
            .with_help("it is dotproduct, nested_crossproduct or flat_crossproduct");
        return;
      }
    }

    // 3. valueFrom: each input's value, with `self` its source value and
    // `inputs` all the step's source values.
    bool any_value_from = std::any_of(s.in.begin(), s.in.end(), [](const StepIn& in) { return in.value_from; });
    std::string args_name = item_name;
    if (any_value_from) {
      std::vector<std::pair<std::string, ir::Expr>> fields2;
      for (const StepIn& in : s.in) {
        ir::Expr v = member(var(item_name), in.id);
        if (in.value_from) {
          JsScope sc = wf_scope;
          sc.inputs = var(item_name);
          sc.self = member(var(item_name), in.id);
          if (auto e = expr(*in.value_from, sc, "valueFrom")) v = std::move(*e);
        }
        fields2.emplace_back(in.id, std::move(v));
      }
      args_name = s.id + "$args";
      body->push_back(value_node(args_name, record(std::move(fields2))));
    }

    // 4. The call, under `when`.
    ir::Node call_node;
    std::string call_name = s.scatter.size() > 1 && s.scatter_method == "flat_crossproduct" ? s.id + "$nested" : s.id;
    call_node.name = call_name;
    call_node.loc = where;
    ir::CallNode c;
    c.callee = s.callee;
    c.callee_is_workflow = s.callee_is_workflow;
    for (const ir::Port& p : callee_inputs) {
      bool given = std::any_of(s.in.begin(), s.in.end(), [&](const StepIn& in) { return in.id == p.name; });
      if (!given) continue;
      ir::Expr arg = member(var(args_name), p.name);
      // CWL: a null given to an input with a default is the default.
      bool has_default =
          p.default_value && !(p.default_value->kind == ir::Expr::Kind::Literal && p.default_value->value.is_null());
      if (has_default) arg = binary("??", std::move(arg), *p.default_value);
      c.args.emplace_back(p.name, std::move(arg));
    }
    call_node.deps = {args_name};
    call_node.type = outputs_record(callee_outputs);
    call_node.body = std::move(c);
    if (s.when) {
      JsScope sc = wf_scope;
      sc.inputs = var(args_name);
      auto cond = expr(*s.when, sc, "when");
      if (!cond) return;
      // CWL: a `when` that is not a boolean is an error, not false.
      cond = builtin_js(
          "if (typeof self !== 'boolean') throw 'when must give true or false, not ' + "
          "JSON.stringify(self); return self;",
          std::move(*cond));
      ir::Node branch;
      branch.name = s.id + "$if";
      branch.loc = where;
      branch.deps = {args_name};
      ir::BranchNode b;
      ir::BranchArm arm;
      arm.condition = std::move(*cond);
      arm.body.push_back(std::move(call_node));
      b.arms.push_back(std::move(arm));
      // Not optional: a skipped step's outputs are a record of nulls.
      branch.exports.push_back({call_name, outputs_record(callee_outputs)});
      branch.body = std::move(b);
      body->push_back(std::move(branch));
    } else {
      body->push_back(std::move(call_node));
    }

    // Exports of the scatters: the call's outputs, each a list (of lists
    // when nested; every field is `any`, so one record type serves all levels).
    for (auto it = scatter_nodes.rbegin(); it != scatter_nodes.rend(); ++it) {
      (*it)->exports.push_back({call_name, outputs_record(callee_outputs)});
    }
    if (call_name != s.id) {
      // flat_crossproduct: the nested lists, flattened.
      std::vector<std::pair<std::string, ir::Expr>> flat;
      for (const ir::Port& p : callee_outputs) {
        ir::Expr v = output_field(var(call_name), p.name);
        for (size_t k = 1; k < s.scatter.size(); ++k) {
          v = builtin_js("var out = []; for (var i = 0; i < self.length; i++) out = out.concat(self[i]); return out;",
                         std::move(v));
        }
        flat.emplace_back(p.name, std::move(v));
      }
      wf.body.push_back(value_node(s.id, record(std::move(flat))));
    }
  }

  DocumentLoader& loader_;
  Diagnostics& diags_;
  LowerOptions options_;
  const std::map<std::string, std::string>* namespaces_ = nullptr;
  ir::Program program_;
  ir::TypeTable* types_ = nullptr;
  std::set<std::string> ids_;
  std::map<FileId, int> file_index_;
  std::map<std::string, const YNode*> schema_defs_;
  std::vector<std::unique_ptr<YNode>> keep_;
  const std::string* current_base_ = nullptr;
  JsScope tool_scope_;
  json entry_inputs_ = json::array(), entry_outputs_ = json::array();
  int depth_ = 0;
  std::set<std::string> loaded_inputs_;  // the workflow's inputs with loadContents
  std::string ignored_;
  std::string version_ = "v1.2";       // of the process being lowered
  std::set<std::string> named_files_;  // files and folders the documents name
};

}  // namespace

std::optional<Lowered> lower_cwl(DocumentLoader& loader, const std::string& reference, LowerOptions options) {
  return Lowerer(loader, options).run(reference);
}

}  // namespace flowc::cwl
