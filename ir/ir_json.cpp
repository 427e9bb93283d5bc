// IR ⇄ JSON. The writer's layout is documented in docs/ir.md; the reader
// checks every field it uses and reports the JSON path of the first problem,
// so a hand-edited or truncated IR file is an error, never a crash.
#include "ir/ir_json.h"

#include <algorithm>
#include <fstream>
#include <set>
#include <sstream>

#include <fmt/format.h>

#include "ir/json_parse.h"
#include "ir/regular_file.h"
#include "ir/tool_json.h"
#include "ir/type_parser.h"

namespace flowc::ir {

// Ordered: the writer's key order is the document's, and a record's fields
// keep the order they were written in through a round trip.
using json = nlohmann::ordered_json;

// ---- writing ----------------------------------------------------------------

json loc_to_json(const SourceLoc& loc) {
  if (!loc.known()) return nullptr;
  return json::array({loc.file, loc.line, loc.column, loc.end_line, loc.end_column});
}

json expr_to_json(const Expr& e, const TypeTable& types) {
  json j;
  auto all = [&](const std::vector<Expr>& list) {
    json a = json::array();
    for (const Expr& x : list) a.push_back(expr_to_json(x, types));
    return a;
  };
  switch (e.kind) {
    case Expr::Kind::Literal: j["lit"] = e.value; break;
    case Expr::Kind::Var: j["var"] = e.name; break;
    case Expr::Kind::Member:
      j["get"] = e.name;
      j["of"] = expr_to_json(e.args.at(0), types);
      break;
    case Expr::Kind::Index: j["index"] = all(e.args); break;
    case Expr::Kind::Unary:
      j["unary"] = e.name;
      j["arg"] = expr_to_json(e.args.at(0), types);
      break;
    case Expr::Kind::Binary:
      j["binary"] = e.name;
      j["args"] = all(e.args);
      break;
    case Expr::Kind::List: j["list"] = all(e.args); break;
    case Expr::Kind::Record: {
      json fields = json::object();
      for (const auto& [name, value] : e.fields) fields[name] = expr_to_json(value, types);
      j["record"] = std::move(fields);
      break;
    }
    case Expr::Kind::Map: {
      json entries = json::array();
      for (size_t i = 0; i + 1 < e.args.size(); i += 2) {
        entries.push_back(json::array({expr_to_json(e.args[i], types), expr_to_json(e.args[i + 1], types)}));
      }
      j["map"] = std::move(entries);
      break;
    }
    case Expr::Kind::Call:
      j["call"] = e.name;
      j["args"] = all(e.args);
      break;
    case Expr::Kind::Format: j["format"] = all(e.args); break;
    case Expr::Kind::Js: {
      j["js"] = e.name;
      if (e.value.is_object() && e.value.value("fn", false)) j["fn"] = true;
      if (e.value.is_object() && e.value.contains("lib")) j["lib"] = e.value["lib"];
      if (e.value.is_object() && e.value.value("refs_only", false)) j["refs_only"] = true;
      json with = json::object();
      for (const auto& [name, value] : e.fields) with[name] = expr_to_json(value, types);
      if (!with.empty()) j["with"] = std::move(with);
      break;
    }
  }
  j["t"] = types.display(e.type);
  if (e.loc.known()) j["loc"] = loc_to_json(e.loc);
  return j;
}

namespace {

json port_to_json(const Port& p, const TypeTable& types) {
  json j = {{"name", p.name}, {"type", types.display(p.type)}, {"loc", loc_to_json(p.loc)}};
  if (p.default_value) j["default"] = expr_to_json(*p.default_value, types);
  if (p.path) j["path"] = expr_to_json(*p.path, types);
  if (p.value) j["value"] = expr_to_json(*p.value, types);
  return j;
}

json ports_to_json(const std::vector<Port>& ports, const TypeTable& types) {
  json a = json::array();
  for (const Port& p : ports) a.push_back(port_to_json(p, types));
  return a;
}

json named_exprs(const std::vector<std::pair<std::string, Expr>>& list, const TypeTable& types) {
  json o = json::object();
  for (const auto& [name, value] : list) o[name] = expr_to_json(value, types);
  return o;
}

}  // namespace

json op_to_json(const Op& op, const TypeTable& types) {
  json command = json::array();
  for (const CommandPart& part : op.command) {
    if (part.expr) {
      json j = {{"expr", expr_to_json(*part.expr, types)}, {"quote", to_string(part.quoting)}};
      if (part.backticks) j["backticks"] = part.backticks;
      if (part.comment) j["comment"] = true;
      if (!part.heredoc_end.empty()) {
        j["heredoc"] = {{"end", part.heredoc_end}, {"strip_tabs", part.heredoc_strip_tabs}};
      }
      j["loc"] = loc_to_json(part.loc);
      command.push_back(std::move(j));
    } else {
      command.push_back({{"text", part.text}});
    }
  }
  json j = {{"id", op.id},
            {"name", op.name},
            {"loc", loc_to_json(op.loc)},
            {"inputs", ports_to_json(op.inputs, types)},
            {"outputs", ports_to_json(op.outputs, types)},
            {"command", std::move(command)},
            {"cache", op.cache},
            {"network", op.network}};
  if (!op.doc.empty()) j["doc"] = op.doc;
  if (op.image) j["image"] = *op.image;
  if (op.executor) j["executor"] = *op.executor;
  if (op.native_streams) j["streams"] = "native";
  if (op.shell != Shell::Default) j["shell"] = to_string(op.shell);
  json resources = json::object();
  if (op.cpus) resources["cpus"] = expr_to_json(*op.cpus, types);
  if (op.mem) resources["mem"] = expr_to_json(*op.mem, types);
  if (op.gpus) resources["gpus"] = expr_to_json(*op.gpus, types);
  if (op.time) resources["time"] = expr_to_json(*op.time, types);
  if (!resources.empty()) j["resources"] = std::move(resources);
  if (op.mpi_ranks) j["mpi"] = {{"ranks", expr_to_json(*op.mpi_ranks, types)}};
  if (op.timeout) j["timeout"] = expr_to_json(*op.timeout, types);
  if (op.retry.attempts > 1) {
    j["retry"] = {
        {"attempts", op.retry.attempts}, {"exit_codes", op.retry.exit_codes}, {"on_timeout", op.retry.on_timeout}};
  }
  if (!op.env.empty()) j["env"] = named_exprs(op.env, types);
  if (op.tool) j["tool"] = tool_to_json(*op.tool, types);
  return j;
}

namespace {

json nodes_to_json(const std::vector<Node>& nodes, const TypeTable& types);

json node_to_json(const Node& n, const TypeTable& types) {
  json j;
  if (const auto* call = n.as<CallNode>()) {
    j["call"] = call->callee;
    j["kind"] = call->callee_is_workflow ? "workflow" : "op";
    j["name"] = n.name;
    j["args"] = named_exprs(call->args, types);
    json options = json::object();
    if (call->optional) options["optional"] = true;
    if (call->replicas) options["replicas"] = expr_to_json(*call->replicas, types);
    if (call->group) options["group"] = expr_to_json(*call->group, types);
    if (!call->after.empty()) options["after"] = call->after;
    if (!options.empty()) j["options"] = std::move(options);
  } else if (const auto* value = n.as<ValueNode>()) {
    j["let"] = n.name;
    j["value"] = expr_to_json(value->value, types);
  } else if (const auto* scatter = n.as<ScatterNode>()) {
    j["for"] = scatter->var;
    j["name"] = n.name;
    j["in"] = expr_to_json(scatter->collection, types);
    json options = json::object();
    if (scatter->min_success) options["min_success"] = expr_to_json(*scatter->min_success, types);
    if (scatter->min_success_ratio) options["min_success_ratio"] = expr_to_json(*scatter->min_success_ratio, types);
    if (!options.empty()) j["options"] = std::move(options);
    j["body"] = nodes_to_json(scatter->body, types);
  } else if (const auto* branch = n.as<BranchNode>()) {
    j["if"] = n.name;
    json arms = json::array();
    for (const BranchArm& arm : branch->arms) {
      arms.push_back({{"cond", arm.condition ? expr_to_json(*arm.condition, types) : json(nullptr)},
                      {"body", nodes_to_json(arm.body, types)}});
    }
    j["arms"] = std::move(arms);
  }
  if (n.type) j["t"] = types.display(n.type);
  if (!n.exports.empty()) {
    json exports = json::object();
    for (const Export& e : n.exports) exports[e.name] = types.display(e.type);
    j["exports"] = std::move(exports);
  }
  j["deps"] = n.deps;
  j["loc"] = loc_to_json(n.loc);
  return j;
}

json nodes_to_json(const std::vector<Node>& nodes, const TypeTable& types) {
  json a = json::array();
  for (const Node& n : nodes) a.push_back(node_to_json(n, types));
  return a;
}

}  // namespace

json to_json(const Program& program) {
  const TypeTable& types = *program.types;
  json type_aliases = json::object();
  for (const auto& [name, type] : types.aliases()) type_aliases[name] = type->str();
  json ops = json::array();
  for (const Op& op : program.ops) ops.push_back(op_to_json(op, types));
  json workflows = json::array();
  for (const Workflow& wf : program.workflows) {
    json w = {{"id", wf.id},
              {"name", wf.name},
              {"loc", loc_to_json(wf.loc)},
              {"inputs", ports_to_json(wf.inputs, types)},
              {"outputs", ports_to_json(wf.outputs, types)},
              {"body", nodes_to_json(wf.body, types)}};
    if (!wf.doc.empty()) w["doc"] = wf.doc;
    workflows.push_back(std::move(w));
  }
  json doc = {{"flowc_ir", program.version},      {"compiler", program.compiler},     {"entry", program.entry},
              {"files", program.files},           {"types", std::move(type_aliases)}, {"ops", std::move(ops)},
              {"workflows", std::move(workflows)}};
  if (!program.js_libs.empty()) doc["js_libs"] = program.js_libs;
  return doc;
}

// ---- reading ----------------------------------------------------------------

namespace {

struct ReadError {
  std::string message;
};

class Reader {
 public:
  explicit Reader(Program& program) : program_(program), types_(*program.types) {}

  void read(const json& doc) {
    if (!doc.is_object()) fail("", "an IR document must be a JSON object");
    if (!doc.contains("flowc_ir")) fail("", "not a flowc IR document (no \"flowc_ir\" version field)");
    const json& version = doc["flowc_ir"];
    if (!version.is_number_integer()) fail("/flowc_ir", "the version must be an integer");
    int64_t v = version.is_number_unsigned() && version.get<uint64_t>() > uint64_t{INT64_MAX} ? INT64_MAX
                                                                                              : version.get<int64_t>();
    if (v > kIrVersion) {
      fail("/flowc_ir", fmt::format("this IR is version {}, newer than this flowc understands (version {}); "
                                    "upgrade flowc, or rebuild the IR from its .flow file with this flowc",
                                    v, kIrVersion));
    }
    if (v < 1) fail("/flowc_ir", fmt::format("unknown IR version {}", v));
    program_.version = static_cast<int>(v);
    program_.compiler = opt_str(doc, "compiler", "", "");
    program_.entry = str(doc, "entry", "");
    for (const json& f : array(doc, "files", "")) {
      if (!f.is_string()) fail("/files", "file names must be strings");
      program_.files.push_back(f.get<std::string>());
    }
    read_aliases(doc);
    if (doc.contains("js_libs")) {
      const json& libs = doc["js_libs"];
      if (!libs.is_array()) fail("/js_libs", "expected an array of libraries (arrays of code)");
      for (size_t i = 0; i < libs.size(); ++i) {
        std::vector<std::string> lib;
        if (!libs[i].is_array()) fail(fmt::format("/js_libs/{}", i), "expected an array of code");
        for (const json& code : libs[i]) {
          if (!code.is_string()) fail(fmt::format("/js_libs/{}", i), "code must be a string");
          lib.push_back(code.get<std::string>());
        }
        program_.js_libs.push_back(std::move(lib));
      }
    }
    const json& ops = array(doc, "ops", "");
    for (size_t i = 0; i < ops.size(); ++i) program_.ops.push_back(read_op(ops[i], fmt::format("/ops/{}", i)));
    const json& wfs = array(doc, "workflows", "");
    for (size_t i = 0; i < wfs.size(); ++i) {
      program_.workflows.push_back(read_workflow(wfs[i], fmt::format("/workflows/{}", i)));
    }
    check_unique_ids();
    for (size_t i = 0; i < program_.workflows.size(); ++i)
      check_workflow(program_.workflows[i], fmt::format("/workflows/{}", i));
    for (size_t i = 0; i < program_.ops.size(); ++i) check_op(program_.ops[i], fmt::format("/ops/{}", i));
    if (!program_.entry.empty() && !program_.find_workflow(program_.entry)) {
      fail("/entry", fmt::format("entry workflow `{}` is not in the document", program_.entry));
    }
    program_.version = kIrVersion;  // an older document was read into this version's model
  }

 private:
  [[noreturn]] void fail(const std::string& path, const std::string& message) {
    throw ReadError{path.empty() ? message : fmt::format("at {}: {}", path, message)};
  }

  const json& member(const json& obj, const char* key, const std::string& path) {
    if (!obj.is_object()) fail(path, "expected a JSON object");
    auto it = obj.find(key);
    if (it == obj.end()) fail(path, fmt::format("missing \"{}\"", key));
    return *it;
  }
  const json& array(const json& obj, const char* key, const std::string& path) {
    const json& a = member(obj, key, path);
    if (!a.is_array()) fail(path + "/" + key, "expected an array");
    return a;
  }
  std::string str(const json& obj, const char* key, const std::string& path) {
    const json& s = member(obj, key, path);
    if (!s.is_string()) fail(path + "/" + key, "expected a string");
    return s.get<std::string>();
  }
  // Optional fields: absent is the default; present, they must have their type.
  const json* optional_member(const json& obj, const char* key, const std::string& path) {
    if (!obj.is_object()) fail(path, "expected a JSON object");
    auto it = obj.find(key);
    return it == obj.end() ? nullptr : &*it;
  }
  std::string opt_str(const json& obj, const char* key, const std::string& fallback, const std::string& path) {
    const json* s = optional_member(obj, key, path);
    if (!s) return fallback;
    if (!s->is_string()) fail(path + "/" + key, "expected a string");
    return s->get<std::string>();
  }
  bool opt_bool(const json& obj, const char* key, bool fallback, const std::string& path) {
    const json* b = optional_member(obj, key, path);
    if (!b) return fallback;
    if (!b->is_boolean()) fail(path + "/" + key, "expected true or false");
    return b->get<bool>();
  }
  int64_t opt_int(const json& obj, const char* key, int64_t fallback, int64_t min, int64_t max,
                  const std::string& path) {
    const json* i = optional_member(obj, key, path);
    if (!i) return fallback;
    if (!i->is_number_integer() || (i->is_number_unsigned() && i->get<uint64_t>() > static_cast<uint64_t>(max)) ||
        (!i->is_number_unsigned() && (i->get<int64_t>() < min || i->get<int64_t>() > max))) {
      fail(path + "/" + key, fmt::format("expected an integer from {} to {}", min, max));
    }
    return i->get<int64_t>();
  }
  // An array's item that must be a 64-bit integer.
  int64_t int_item(const json& array, size_t k, const std::string& path) {
    const json& i = array[k];
    if (!i.is_number_integer() || (i.is_number_unsigned() && i.get<uint64_t>() > uint64_t{INT64_MAX})) {
      fail(fmt::format("{}/{}", path, k), "expected a 64-bit integer");
    }
    return i.get<int64_t>();
  }
  const json& object(const json& obj, const char* key, const std::string& path) {
    const json& o = member(obj, key, path);
    if (!o.is_object()) fail(path + "/" + key, "expected an object");
    return o;
  }

  const Type* type(const json& text, const std::string& path) {
    if (!text.is_string()) fail(path, "a type must be a string");
    std::string error;
    const Type* t = parse_type(text.get<std::string>(), types_, resolver(), &error);
    if (!t) fail(path, error);
    // Record names used inside records can make a type deeper than its text.
    if (t->depth() > kMaxTypeDepth) fail(path, fmt::format("type is nested more than {} levels deep", kMaxTypeDepth));
    return t;
  }
  TypeNameResolver resolver() {
    return [this](std::string_view name) -> const Type* {
      auto it = types_.aliases().find(std::string(name));
      return it == types_.aliases().end() ? nullptr : it->second;
    };
  }

  void read_aliases(const json& doc) {
    if (!doc.contains("types")) return;
    const json& aliases = doc["types"];
    if (!aliases.is_object()) fail("/types", "expected an object of type names");
    for (auto it = aliases.begin(); it != aliases.end(); ++it) {
      const Type* t = type(it.value(), "/types/" + it.key());
      types_.set_alias(t, it.key());
    }
  }

  SourceLoc loc(const json& obj, const std::string& path) {
    SourceLoc l;
    if (!obj.is_object() || !obj.contains("loc") || obj["loc"].is_null()) return l;
    const json& a = obj["loc"];
    if (!a.is_array() || a.size() != 5) fail(path + "/loc", "a location is [file, line, column, end_line, end_column]");
    for (const json& x : a) {
      if (!x.is_number_integer() || (!x.is_number_unsigned() && x.get<int64_t>() < 0) ||
          x.get<uint64_t>() > UINT32_MAX) {
        fail(path + "/loc", "location numbers must be integers from 0 to 4294967295");
      }
    }
    if (a[0].get<uint64_t>() >= program_.files.size()) fail(path + "/loc", "file index out of range");
    l.file = a[0].get<int>();
    l.line = a[1].get<uint32_t>();
    l.column = a[2].get<uint32_t>();
    l.end_line = a[3].get<uint32_t>();
    l.end_column = a[4].get<uint32_t>();
    return l;
  }

  Expr expr(const json& j, const std::string& path, int depth = 0) {
    if (depth > 512) fail(path, "expression nested too deeply");
    if (!j.is_object()) fail(path, "an expression must be a JSON object");
    Expr e;
    e.type = type(member(j, "t", path), path + "/t");
    e.loc = loc(j, path);
    auto list = [&](const json& a, const std::string& p) {
      if (!a.is_array()) fail(p, "expected an array of expressions");
      std::vector<Expr> out;
      for (size_t i = 0; i < a.size(); ++i) out.push_back(expr(a[i], fmt::format("{}/{}", p, i), depth + 1));
      return out;
    };
    if (j.contains("lit")) {
      e.kind = Expr::Kind::Literal;
      e.value = j["lit"];
      if (e.value.is_object() || e.value.is_array())
        fail(path + "/lit", "a literal must be a number, string, bool or null");
    } else if (j.contains("var")) {
      e.kind = Expr::Kind::Var;
      e.name = str(j, "var", path);
    } else if (j.contains("get")) {
      e.kind = Expr::Kind::Member;
      e.name = str(j, "get", path);
      e.args.push_back(expr(member(j, "of", path), path + "/of", depth + 1));
    } else if (j.contains("index")) {
      e.kind = Expr::Kind::Index;
      e.args = list(j["index"], path + "/index");
      if (e.args.size() != 2) fail(path + "/index", "an index has two expressions");
    } else if (j.contains("unary")) {
      e.kind = Expr::Kind::Unary;
      e.name = str(j, "unary", path);
      if (e.name != "-" && e.name != "!") fail(path + "/unary", fmt::format("unknown operator `{}`", e.name));
      e.args.push_back(expr(member(j, "arg", path), path + "/arg", depth + 1));
    } else if (j.contains("binary")) {
      static const std::set<std::string> ops = {"||", "&&", "==", "!=", "<", "<=", ">",
                                                ">=", "??", "+",  "-",  "*", "/",  "%"};
      e.kind = Expr::Kind::Binary;
      e.name = str(j, "binary", path);
      if (!ops.count(e.name)) fail(path + "/binary", fmt::format("unknown operator `{}`", e.name));
      e.args = list(member(j, "args", path), path + "/args");
      if (e.args.size() != 2) fail(path + "/args", "a binary operator has two operands");
    } else if (j.contains("list")) {
      e.kind = Expr::Kind::List;
      e.args = list(j["list"], path + "/list");
    } else if (j.contains("record")) {
      e.kind = Expr::Kind::Record;
      const json& fields = j["record"];
      if (!fields.is_object()) fail(path + "/record", "expected an object of fields");
      for (auto it = fields.begin(); it != fields.end(); ++it) {
        e.fields.emplace_back(it.key(), expr(it.value(), path + "/record/" + it.key(), depth + 1));
      }
    } else if (j.contains("map")) {
      e.kind = Expr::Kind::Map;
      const json& entries = j["map"];
      if (!entries.is_array()) fail(path + "/map", "expected an array of [key, value] pairs");
      for (size_t i = 0; i < entries.size(); ++i) {
        std::string p = fmt::format("{}/map/{}", path, i);
        if (!entries[i].is_array() || entries[i].size() != 2) fail(p, "expected a [key, value] pair");
        e.args.push_back(expr(entries[i][0], p + "/0", depth + 1));
        e.args.push_back(expr(entries[i][1], p + "/1", depth + 1));
      }
    } else if (j.contains("call")) {
      e.kind = Expr::Kind::Call;
      e.name = str(j, "call", path);
      e.args = list(member(j, "args", path), path + "/args");
    } else if (j.contains("format")) {
      e.kind = Expr::Kind::Format;
      e.args = list(j["format"], path + "/format");
    } else if (j.contains("js")) {
      e.kind = Expr::Kind::Js;
      e.name = str(j, "js", path);
      e.value = json::object();
      if (j.value("fn", false)) e.value["fn"] = true;
      if (j.value("refs_only", false)) e.value["refs_only"] = true;
      if (j.contains("lib")) {
        const json& lib = j["lib"];
        if (!lib.is_number_integer() || lib.get<int64_t>() < 0 ||
            static_cast<size_t>(lib.get<int64_t>()) >= program_.js_libs.size()) {
          fail(path + "/lib", "not the index of a library in js_libs");
        }
        e.value["lib"] = lib;
      }
      if (j.contains("with")) {
        const json& with = j["with"];
        if (!with.is_object()) fail(path + "/with", "expected an object of `inputs`, `self`, `runtime`");
        for (auto it = with.begin(); it != with.end(); ++it) {
          if (it.key() != "inputs" && it.key() != "self" && it.key() != "runtime") {
            fail(path + "/with/" + it.key(), "a js expression binds only `inputs`, `self` and `runtime`");
          }
          e.fields.emplace_back(it.key(), expr(it.value(), path + "/with/" + it.key(), depth + 1));
        }
      }
    } else {
      fail(path, "unknown kind of expression");
    }
    return e;
  }

  std::optional<Expr> opt_expr(const json& obj, const char* key, const std::string& path) {
    if (!obj.contains(key) || obj[key].is_null()) return std::nullopt;
    return expr(obj[key], path + "/" + key);
  }

  std::vector<Port> ports(const json& obj, const char* key, const std::string& path) {
    std::vector<Port> out;
    const json& a = array(obj, key, path);
    for (size_t i = 0; i < a.size(); ++i) {
      std::string p = fmt::format("{}/{}/{}", path, key, i);
      Port port;
      port.name = str(a[i], "name", p);
      port.type = type(member(a[i], "type", p), p + "/type");
      port.loc = loc(a[i], p);
      port.default_value = opt_expr(a[i], "default", p);
      port.path = opt_expr(a[i], "path", p);
      port.value = opt_expr(a[i], "value", p);
      for (const Port& other : out) {
        if (other.name == port.name) fail(p, fmt::format("port `{}` appears twice", port.name));
      }
      out.push_back(std::move(port));
    }
    return out;
  }

  std::vector<std::pair<std::string, Expr>> named(const json& obj, const char* key, const std::string& path) {
    std::vector<std::pair<std::string, Expr>> out;
    if (!obj.contains(key)) return out;
    const json& o = obj[key];
    if (!o.is_object()) fail(path + "/" + key, "expected an object");
    for (auto it = o.begin(); it != o.end(); ++it) {
      out.emplace_back(it.key(), expr(it.value(), fmt::format("{}/{}/{}", path, key, it.key())));
    }
    return out;
  }

  // What ops and workflows both have: names, place, doc and ports.
  template <typename OpOrWorkflow>
  void read_signature(OpOrWorkflow& out, const json& j, const std::string& path) {
    out.id = str(j, "id", path);
    out.name = str(j, "name", path);
    out.loc = loc(j, path);
    out.doc = opt_str(j, "doc", "", path);
    out.inputs = ports(j, "inputs", path);
    out.outputs = ports(j, "outputs", path);
  }

  Op read_op(const json& j, const std::string& path) {
    Op op;
    read_signature(op, j, path);
    const json& command = array(j, "command", path);
    for (size_t i = 0; i < command.size(); ++i) {
      std::string p = fmt::format("{}/command/{}", path, i);
      CommandPart part;
      if (command[i].is_object() && command[i].contains("text")) {
        part.text = str(command[i], "text", p);
      } else {
        part.expr = expr(member(command[i], "expr", p), p + "/expr");
        std::string q = str(command[i], "quote", p);
        if (q == "bare") part.quoting = Quoting::Bare;
        else if (q == "double") part.quoting = Quoting::Double;
        else if (q == "single") part.quoting = Quoting::Single;
        else if (q == "heredoc") part.quoting = Quoting::Heredoc;
        else if (q == "literal") part.quoting = Quoting::Literal;
        else if (q == "arithmetic") part.quoting = Quoting::Arithmetic;
        else if (q == "parameter") part.quoting = Quoting::Parameter;
        else fail(p + "/quote", fmt::format("unknown quoting `{}`", q));
        part.backticks = static_cast<int>(opt_int(command[i], "backticks", 0, 0, 255, p));
        part.comment = opt_bool(command[i], "comment", false, p);
        if (command[i].contains("heredoc")) {
          part.heredoc_end = str(command[i]["heredoc"], "end", p + "/heredoc");
          part.heredoc_strip_tabs = opt_bool(command[i]["heredoc"], "strip_tabs", false, p + "/heredoc");
        }
        part.loc = loc(command[i], p);
      }
      op.command.push_back(std::move(part));
    }
    if (j.contains("image")) op.image = str(j, "image", path);
    if (j.contains("executor")) op.executor = str(j, "executor", path);
    op.cache = opt_bool(j, "cache", true, path);
    op.network = opt_bool(j, "network", false, path);
    std::string streams = opt_str(j, "streams", "stdio", path);
    if (streams != "stdio" && streams != "native") fail(path + "/streams", "expected \"stdio\" or \"native\"");
    op.native_streams = streams == "native";
    if (j.contains("shell")) {
      std::string shell = str(j, "shell", path);
      if (shell == "bash") op.shell = Shell::Bash;
      else if (shell == "sh") op.shell = Shell::Sh;
      else fail(path + "/shell", fmt::format("unknown shell `{}`; the shells are \"bash\" and \"sh\"", shell));
    }
    if (j.contains("resources")) {
      const json& r = j["resources"];
      std::string p = path + "/resources";
      if (!r.is_object()) fail(p, "expected an object");
      op.cpus = opt_expr(r, "cpus", p);
      op.mem = opt_expr(r, "mem", p);
      op.gpus = opt_expr(r, "gpus", p);
      op.time = opt_expr(r, "time", p);
    }
    if (j.contains("mpi")) op.mpi_ranks = opt_expr(object(j, "mpi", path), "ranks", path + "/mpi");
    op.timeout = opt_expr(j, "timeout", path);
    if (j.contains("retry")) {
      const json& r = j["retry"];
      std::string p = path + "/retry";
      member(r, "attempts", p);
      int64_t attempts = opt_int(r, "attempts", 0, 0, INT64_MAX - 1, p);
      // Version 1 counted the retries after the first try; 2 counts every try.
      op.retry.attempts = std::max<int64_t>(1, attempts + (program_.version < 2 ? 1 : 0));
      if (r.contains("exit_codes")) {
        const json& codes = array(r, "exit_codes", p);
        for (size_t k = 0; k < codes.size(); ++k) {
          op.retry.exit_codes.push_back(int_item(codes, k, p + "/exit_codes"));
        }
      }
      op.retry.on_timeout = opt_bool(r, "on_timeout", false, p);
    }
    op.env = named(j, "env", path);
    if (j.contains("tool")) {
      ToolJsonReader reader{[this](const json& x, const std::string& p) { return expr(x, p); },
                            [this](const std::string& p, const std::string& m) { fail(p, m); }};
      op.tool = reader.read(j["tool"], path + "/tool");
    }
    return op;
  }

  std::vector<Node> nodes(const json& j, const char* key, const std::string& path) {
    std::vector<Node> out;
    const json& a = array(j, key, path);
    for (size_t i = 0; i < a.size(); ++i) out.push_back(node(a[i], fmt::format("{}/{}/{}", path, key, i)));
    return out;
  }

  Node node(const json& j, const std::string& path) {
    if (!j.is_object()) fail(path, "a node must be a JSON object");
    Node n;
    n.loc = loc(j, path);
    if (j.contains("t")) n.type = type(j["t"], path + "/t");
    for (const json& d : array(j, "deps", path)) {
      if (!d.is_string()) fail(path + "/deps", "dependencies are names");
      n.deps.push_back(d.get<std::string>());
    }
    if (j.contains("exports")) {
      const json& e = j["exports"];
      if (!e.is_object()) fail(path + "/exports", "expected an object");
      for (auto it = e.begin(); it != e.end(); ++it) {
        n.exports.push_back(Export{it.key(), type(it.value(), path + "/exports/" + it.key())});
      }
    }
    if (j.contains("call")) {
      CallNode call;
      call.callee = str(j, "call", path);
      std::string kind = str(j, "kind", path);
      if (kind != "op" && kind != "workflow") fail(path + "/kind", "expected \"op\" or \"workflow\"");
      call.callee_is_workflow = kind == "workflow";
      n.name = str(j, "name", path);
      call.args = named(j, "args", path);
      if (j.contains("options")) {
        const json& o = object(j, "options", path);
        call.optional = opt_bool(o, "optional", false, path + "/options");
        call.replicas = opt_expr(o, "replicas", path + "/options");
        call.group = opt_expr(o, "group", path + "/options");
        static const json kNone = json::array();
        for (const json& a : o.contains("after") ? array(o, "after", path + "/options") : kNone) {
          // The plan waits on `deps`: a name there is what makes the call wait.
          if (!a.is_string()) fail(path + "/options/after", "`after` lists names of calls");
          std::string name = a.get<std::string>();
          if (std::find(n.deps.begin(), n.deps.end(), name) == n.deps.end()) {
            fail(path + "/options/after", fmt::format("`{}` is not among the call's `deps`", name));
          }
          call.after.push_back(std::move(name));
        }
      }
      n.body = std::move(call);
    } else if (j.contains("let")) {
      n.name = str(j, "let", path);
      n.body = ValueNode{expr(member(j, "value", path), path + "/value")};
    } else if (j.contains("for")) {
      ScatterNode scatter;
      scatter.var = str(j, "for", path);
      n.name = str(j, "name", path);
      scatter.collection = expr(member(j, "in", path), path + "/in");
      if (j.contains("options")) {
        const json& o = object(j, "options", path);
        scatter.min_success = opt_expr(o, "min_success", path + "/options");
        scatter.min_success_ratio = opt_expr(o, "min_success_ratio", path + "/options");
      }
      scatter.body = nodes(j, "body", path);
      n.body = std::move(scatter);
    } else if (j.contains("if")) {
      BranchNode branch;
      n.name = str(j, "if", path);
      const json& arms = array(j, "arms", path);
      for (size_t i = 0; i < arms.size(); ++i) {
        std::string p = fmt::format("{}/arms/{}", path, i);
        BranchArm arm;
        arm.condition = opt_expr(arms[i], "cond", p);
        arm.body = nodes(arms[i], "body", p);
        branch.arms.push_back(std::move(arm));
      }
      n.body = std::move(branch);
    } else {
      fail(path, "unknown kind of node (expected call, let, for or if)");
    }
    return n;
  }

  Workflow read_workflow(const json& j, const std::string& path) {
    Workflow wf;
    read_signature(wf, j, path);
    wf.body = nodes(j, "body", path);
    return wf;
  }

  void check_unique_ids() {
    std::set<std::string> ids;
    for (size_t i = 0; i < program_.ops.size(); ++i) {
      if (!ids.insert(program_.ops[i].id).second) fail(fmt::format("/ops/{}/id", i), "this id is used twice");
    }
    for (size_t i = 0; i < program_.workflows.size(); ++i) {
      if (!ids.insert(program_.workflows[i].id).second)
        fail(fmt::format("/workflows/{}/id", i), "this id is used twice");
    }
  }

  // Every name an expression reads must be in scope.
  void check_vars(const Expr& e, const std::set<std::string>& scope, const std::string& path) {
    if (e.kind == Expr::Kind::Var && !scope.count(e.name)) fail(path, fmt::format("`{}` is not defined here", e.name));
    for (const Expr& a : e.args) check_vars(a, scope, path);
    for (const auto& [name, f] : e.fields) check_vars(f, scope, path);
  }

  void check_op(const Op& op, const std::string& path) {
    std::set<std::string> scope;
    for (const Port& p : op.inputs) scope.insert(p.name);
    for (const Port& p : op.outputs) {
      if (scope.count(p.name)) fail(path, fmt::format("`{}` is both an input and an output", p.name));
    }
    std::set<std::string> inputs = scope;
    for (const Port& p : op.inputs) {
      if (p.default_value) check_vars(*p.default_value, inputs, path + "/inputs");
    }
    for (const Port& p : op.outputs) {
      if (p.path) check_vars(*p.path, inputs, path + "/outputs");
      scope.insert(p.name);
    }
    for (const CommandPart& part : op.command) {
      if (part.expr) check_vars(*part.expr, scope, path + "/command");
    }
  }

  void check_call(const CallNode& call, const std::set<std::string>& scope, const std::string& path) {
    const std::vector<Port>* inputs = nullptr;
    if (call.callee_is_workflow) {
      const Workflow* wf = program_.find_workflow(call.callee);
      if (!wf) fail(path, fmt::format("calls workflow `{}`, which is not in the document", call.callee));
      inputs = &wf->inputs;
    } else {
      const Op* op = program_.find_op(call.callee);
      if (!op) fail(path, fmt::format("calls op `{}`, which is not in the document", call.callee));
      inputs = &op->inputs;
    }
    for (const auto& arg : call.args) {
      const std::string& name = arg.first;  // not a structured binding: clang 14 cannot capture those
      const Expr& value = arg.second;
      bool known = std::any_of(inputs->begin(), inputs->end(), [&](const Port& p) { return p.name == name; });
      if (!known) fail(path + "/args", fmt::format("`{}` has no input `{}`", call.callee, name));
      check_vars(value, scope, path + "/args/" + name);
    }
    for (const Port& p : *inputs) {
      bool given = std::any_of(call.args.begin(), call.args.end(), [&](const auto& a) { return a.first == p.name; });
      if (!given && !p.default_value && !p.type->is_optional()) {
        fail(path + "/args", fmt::format("input `{}` of `{}` is not given", p.name, call.callee));
      }
    }
  }

  void check_nodes(const std::vector<Node>& body, std::set<std::string>& scope, const std::string& path) {
    for (size_t i = 0; i < body.size(); ++i) {
      const Node& n = body[i];
      std::string p = fmt::format("{}/{}", path, i);
      if (const auto* call = n.as<CallNode>()) {
        check_call(*call, scope, p);
        scope.insert(n.name);
      } else if (const auto* value = n.as<ValueNode>()) {
        check_vars(value->value, scope, p + "/value");
        scope.insert(n.name);
      } else if (const auto* scatter = n.as<ScatterNode>()) {
        check_vars(scatter->collection, scope, p + "/in");
        std::set<std::string> inner = scope;
        inner.insert(scatter->var);
        check_nodes(scatter->body, inner, p + "/body");
        for (const Export& e : n.exports) scope.insert(e.name);
      } else if (const auto* branch = n.as<BranchNode>()) {
        for (size_t a = 0; a < branch->arms.size(); ++a) {
          if (branch->arms[a].condition)
            check_vars(*branch->arms[a].condition, scope, fmt::format("{}/arms/{}/cond", p, a));
          std::set<std::string> inner = scope;
          check_nodes(branch->arms[a].body, inner, fmt::format("{}/arms/{}/body", p, a));
        }
        for (const Export& e : n.exports) scope.insert(e.name);
      }
    }
  }

  void check_workflow(const Workflow& wf, const std::string& path) {
    std::set<std::string> scope;
    for (const Port& p : wf.inputs) {
      if (p.default_value) check_vars(*p.default_value, scope, path + "/inputs");
      scope.insert(p.name);
    }
    check_nodes(wf.body, scope, path + "/body");
    for (const Port& p : wf.outputs) {
      if (!p.value) fail(path + "/outputs", fmt::format("output `{}` has no value", p.name));
      check_vars(*p.value, scope, path + "/outputs");
    }
  }

  Program& program_;
  TypeTable& types_;
};

}  // namespace

std::optional<Program> from_json(const json& doc, std::string* error) {
  Program program;
  program.types = std::make_shared<TypeTable>();
  try {
    Reader(program).read(doc);
  } catch (const ReadError& e) {
    if (error) *error = e.message;
    return std::nullopt;
  } catch (const std::exception& e) {
    // Every field is checked before it is used, so this is a reader bug; the
    // document is still refused, not trusted (tests/fuzz/fuzz_ir.cpp hunts these).
    if (error) *error = "malformed IR: " + json_exception_text(e);
    return std::nullopt;
  }
  return program;
}

std::optional<Program> load_ir_file(const std::string& path, std::string* error) {
  FileText text = read_regular_file(path, kMaxIrFileBytes);
  if (auto* problem = std::get_if<FileProblem>(&text)) {
    if (error) {
      *error = problem->kind == FileProblem::Kind::NotRegular || problem->kind == FileProblem::Kind::Directory
                   ? fmt::format("cannot read `{}`: it is {}, not a regular file", path, problem->message)
               : problem->kind == FileProblem::Kind::TooLarge
                   ? fmt::format("cannot read `{}`: it is {}; an IR file may be at most {}", path, problem->message,
                                 size_text(kMaxIrFileBytes))
                   : fmt::format("cannot read `{}`: {}", path, problem->message);
    }
    return std::nullopt;
  }
  std::string problem;
  std::optional<json> doc = parse_ordered_json(std::get<std::string>(text), &problem);
  if (!doc) {
    if (error) *error = fmt::format("`{}` is not valid JSON: {}", path, problem);
    return std::nullopt;
  }
  std::string inner;
  auto program = from_json(*doc, &inner);
  if (!program && error) *error = fmt::format("`{}`: {}", path, inner);
  return program;
}

}  // namespace flowc::ir
