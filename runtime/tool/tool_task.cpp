// Tool ops: staging, the command line, and collecting outputs (tool_task.h).
// The command line follows CWL v1.2's rules (CommandLineBinding): bindings
// sorted by [position, name-or-index, ...], numbers before names; a list
// becomes one word per item, or one joined word with itemSeparator; a record
// its fields' bindings; `true` its prefix; null nothing.
#include "runtime/tool/tool_task.h"

#include <fcntl.h>
#include <glob.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <functional>
#include <sstream>

#include <fmt/format.h>

#include "ir/uri.h"
#include "runtime/command/render.h"
#include "runtime/eval/js/js_engine.h"
#include "runtime/value/file_object.h"

namespace flowc::runtime::tool {

namespace fs = std::filesystem;
using K = ir::ToolType::Kind;

std::string shortname_of(const Value& v);

namespace {

constexpr size_t kContentsLimit = 64 * 1024;

struct Failure {
  std::string message;
};

// Names bound for a tool's expressions.
class ToolScope : public Scope {
 public:
  ToolScope(const Value& inputs, const Value& self, const Value& runtime)
      : inputs_(inputs), self_(self), runtime_(runtime) {}
  const Value* find(std::string_view name) const override {
    if (name == "$inputs") return &inputs_;
    if (name == "$self") return &self_;
    if (name == "$runtime") return &runtime_;
    auto it = inputs_.find(std::string(name));
    return it == inputs_.end() ? nullptr : &*it;
  }

 private:
  const Value& inputs_;
  const Value& self_;
  const Value& runtime_;
};

struct Context {
  const ir::Program& program;
  Evaluator evaluator;
  Value inputs, runtime;

  Value eval(const ir::Expr& e, const Value& self, const char* what) {
    ToolScope scope(inputs, self, runtime);
    auto v = evaluator.eval(e, scope);
    if (auto* f = std::get_if<EvalFailure>(&v)) {
      std::string where = f->loc.known() ? program.where(f->loc) + ": " : "";
      throw Failure{fmt::format("{}{}: {}", where, what, f->message)};
    }
    return std::move(std::get<Value>(v));
  }
};

std::string read_head(const std::string& path, size_t limit, bool* too_big) {
  std::ifstream in(path, std::ios::binary);
  std::string out(limit + 1, '\0');
  in.read(out.data(), static_cast<std::streamsize>(limit + 1));
  out.resize(static_cast<size_t>(in.gcount()));
  *too_big = out.size() > limit;
  if (*too_big) out.resize(limit);
  return out;
}

// ---- does a value fit a type (to pick a union's member) --------------------------------

bool fits(const Value& v, const ir::ToolType& t) {
  switch (t.kind) {
    case K::Null: return v.is_null();
    case K::Bool: return v.is_boolean();
    case K::Int:
    case K::Long: return v.is_number_integer();
    case K::Float:
    case K::Double: return v.is_number();
    case K::String: return v.is_string();
    case K::File: return is_file_object(v) && !is_directory_object(v);
    case K::Directory: return is_directory_object(v);
    case K::Any: return !v.is_null();
    case K::Enum:
      return v.is_string() && std::find(t.symbols.begin(), t.symbols.end(), shortname_of(v)) != t.symbols.end();
    case K::Array:
      if (!v.is_array()) return false;
      for (const Value& item : v) {
        if (!fits(item, t.members.at(0))) return false;
      }
      return true;
    case K::Record:
      if (!v.is_object() || is_file_object(v)) return false;
      for (const ir::ToolField& f : t.fields) {
        if (!fits(v.value(f.name, Value()), f.type)) return false;
      }
      return true;
    case K::Union:
      return std::any_of(t.members.begin(), t.members.end(), [&](const ir::ToolType& m) { return fits(v, m); });
  }
  return false;
}

// ---- the command line ---------------------------------------------------------------

using KeyPart = std::variant<int64_t, std::string>;

struct Bound {
  std::vector<KeyPart> key;
  Value datum;
  bool has_datum = true;
  ir::ToolBinding binding;
};

bool key_less(const std::vector<KeyPart>& a, const std::vector<KeyPart>& b) {
  for (size_t i = 0; i < a.size() && i < b.size(); ++i) {
    if (a[i].index() != b[i].index()) return a[i].index() < b[i].index();  // numbers first
    if (a[i] != b[i]) return a[i] < b[i];
  }
  return a.size() < b.size();
}

std::optional<KeyPart> position_of(Context& ctx, const ir::ToolBinding& b, const Value& self) {
  if (!b.position) return std::nullopt;  // no element in the key (as cwltool): after those with a position
  Value p = ctx.eval(*b.position, self, "inputBinding.position");
  if (p.is_number_integer()) return p.get<int64_t>();
  if (p.is_number()) return static_cast<int64_t>(p.get<double>());
  if (p.is_null()) return std::nullopt;
  throw Failure{fmt::format("inputBinding.position must be an integer, not {}", describe(p))};
}

// CWL's bind_input, step by step as CWL v1.2 (and cwltool) do it. A level
// is a type with the binding attached there; its key is the enclosing
// level's key + [position] + the name or index that leads to it.
struct Level {
  const ir::ToolBinding* binding = nullptr;       // null: this level binds nothing itself
  std::optional<std::vector<KeyPart>> fixed_key;  // an item's copy of its array's binding
};

const ir::ToolBinding kEmptyBinding{};

bool is_compound(const ir::ToolType& t) {
  return t.kind == K::Array || t.kind == K::Record || t.kind == K::Enum || t.binding.has_value();
}

std::vector<Bound> bind_schema(Context& ctx, const ir::ToolType& t, Level level, const Value& datum,
                               const std::vector<KeyPart>& lead, const std::vector<KeyPart>& tail, int depth);

std::optional<Bound> own_binding(Context& ctx, const Level& level, const Value& datum, const std::vector<KeyPart>& lead,
                                 const std::vector<KeyPart>& tail) {
  if (!level.binding) return std::nullopt;
  Bound b;
  b.key = lead;
  if (level.fixed_key) {
    b.key.insert(b.key.end(), level.fixed_key->begin(), level.fixed_key->end());
  } else if (auto p = position_of(ctx, *level.binding, datum)) {
    b.key.push_back(*p);
  }
  b.key.insert(b.key.end(), tail.begin(), tail.end());
  b.datum = datum;
  b.binding = *level.binding;
  return b;
}

void prefix_keys(const std::optional<Bound>& own, std::vector<Bound>& inner) {
  if (!own) return;
  for (Bound& b : inner) {
    std::vector<KeyPart> key = own->key;
    key.insert(key.end(), b.key.begin(), b.key.end());
    b.key = std::move(key);
  }
}

// The level of a type written as a map (array, record, enum): `level` is
// the map's own inputBinding.
std::vector<Bound> bind_mapping(Context& ctx, const ir::ToolType& t, Level level, const Value& datum,
                                const std::vector<KeyPart>& lead, const std::vector<KeyPart>& tail, int depth) {
  std::optional<Bound> own = own_binding(ctx, level, datum, lead, tail);
  std::vector<Bound> inner;
  if (t.kind == K::Record && datum.is_object()) {
    for (const ir::ToolField& f : t.fields) {
      auto it = datum.find(f.name);
      if (it == datum.end() || it->is_null()) continue;
      Level fl{f.binding ? &*f.binding : nullptr, std::nullopt};
      auto sub = bind_schema(ctx, f.type, fl, *it, lead, {f.name}, depth + 1);
      for (auto& b : sub) inner.push_back(std::move(b));
    }
  } else if (t.kind == K::Array && datum.is_array()) {
    for (size_t n = 0; n < datum.size(); ++n) {
      Level item;
      if (own) {
        item.binding = level.binding;
        item.fixed_key = own->key;  // the copy's position is the array level's whole key
      }
      auto sub = bind_schema(ctx, t.members.at(0), item, datum[n], {static_cast<int64_t>(n)}, tail, depth + 1);
      for (auto& b : sub) inner.push_back(std::move(b));
    }
    own.reset();
  }
  prefix_keys(own, inner);
  if (own) inner.push_back(std::move(*own));
  return inner;
}

std::vector<Bound> bind_schema(Context& ctx, const ir::ToolType& t, Level level, const Value& datum,
                               const std::vector<KeyPart>& lead, const std::vector<KeyPart>& tail, int depth) {
  if (depth > 64) throw Failure{"the input is nested too deeply to bind"};
  bool value_from = level.binding && level.binding->value_from;
  if (t.kind == K::Union) {
    const ir::ToolType* chosen = nullptr;
    for (const ir::ToolType& m : t.members) {
      if (fits(datum, m)) {
        chosen = &m;
        break;
      }
    }
    if (!chosen) throw Failure{fmt::format("the value {} fits none of the types the input may have", describe(datum))};
    if (!value_from) return bind_schema(ctx, *chosen, level, datum, lead, tail, depth + 1);
    bind_schema(ctx, *chosen, level, datum, lead, tail, depth + 1);  // checks it; valueFrom makes the words
    std::vector<Bound> out;
    if (auto own = own_binding(ctx, level, datum, lead, tail)) out.push_back(std::move(*own));
    return out;
  }
  std::optional<Bound> own = own_binding(ctx, level, datum, lead, tail);
  std::vector<Bound> inner;
  if (is_compound(t)) {
    Level inner_level{t.binding ? &*t.binding : nullptr, std::nullopt};
    if (level.binding && !t.binding && t.kind == K::Array && !level.binding->item_separator) {
      inner_level.binding = &kEmptyBinding;
    }
    auto sub = bind_mapping(ctx, t, inner_level, datum, lead, tail, depth + 1);
    if (!value_from) inner = std::move(sub);
  } else if (t.kind == K::Any && datum.is_array()) {
    // Any holding a list binds as a list of Any: each item with this level's binding.
    ir::ToolType list;
    list.kind = K::Array;
    list.members.push_back(ir::ToolType{});
    auto sub = bind_mapping(ctx, list, level, datum, lead, tail, depth + 1);
    if (!value_from) inner = std::move(sub);
    own.reset();
  }
  prefix_keys(own, inner);
  if (own) inner.push_back(std::move(*own));
  return inner;
}

std::string word(const Value& v) {
  if (v.is_string()) return v.get<std::string>();
  if (is_file_object(v)) {
    std::string p = path_of(v);
    if (p.empty()) throw Failure{"a file without a path cannot be put on the command line"};
    return p;
  }
  if (v.is_boolean()) return v.get<bool>() ? "True" : "False";
  if (v.is_number_float()) return js::number_text(v.get<double>());
  if (v.is_null()) return "None";
  return v.dump();
}

// CWL's generate_arg: the words of one binding.
std::vector<std::string> words_of(Context& ctx, const Bound& b) {
  Value value = b.datum;
  if (b.binding.value_from) value = ctx.eval(*b.binding.value_from, b.has_datum ? b.datum : Value(), "valueFrom");
  const auto& prefix = b.binding.prefix;
  bool sep = b.binding.separate;
  std::vector<Value> argl;
  if (value.is_array()) {
    if (b.binding.item_separator && !value.empty()) {
      std::string joined;
      for (size_t i = 0; i < value.size(); ++i) joined += (i ? *b.binding.item_separator : "") + word(value[i]);
      argl.push_back(joined);
    } else if (b.binding.value_from) {
      std::vector<std::string> out;
      if (prefix) out.push_back(*prefix);
      for (const Value& v : value) out.push_back(word(v));
      return out;
    } else if (prefix && !value.empty()) {
      return {*prefix};
    } else {
      return {};
    }
  } else if (is_file_object(value)) {
    argl.push_back(value);
  } else if (value.is_object()) {
    if (prefix) return {*prefix};
    return {};
  } else if (value.is_boolean() && value.get<bool>() && prefix) {
    return {*prefix};
  } else if (value.is_null() || value.is_boolean()) {
    return {};
  } else {
    argl.push_back(value);
  }
  std::vector<std::string> out;
  for (const Value& v : argl) {
    if (sep) {
      if (prefix) out.push_back(*prefix);
      out.push_back(word(v));
    } else {
      out.push_back((prefix ? *prefix : "") + word(v));
    }
  }
  return out;
}

std::string quote(const std::string& s) {
  if (!s.empty() && std::all_of(s.begin(), s.end(), [](char c) {
        return std::isalnum(static_cast<unsigned char>(c)) || std::strchr("@%+=:,./-_", c);
      })) {
    return s;
  }
  std::string out = "'";
  for (char c : s) {
    if (c == '\'') out += "'\\''";
    else out += c;
  }
  return out + "'";
}

// ---- staging ---------------------------------------------------------------------------

struct Stager {
  fs::path inputs_dir;
  std::vector<std::pair<std::string, std::string>>& links;
  std::vector<std::string>& reads;
  bool copy_writable = false;
  size_t next = 0;

  fs::path fresh_dir() {
    fs::path d = inputs_dir / std::to_string(next++);
    fs::create_directories(d);
    return d;
  }

  void link(const std::string& target, const fs::path& at) {
    std::error_code ec;
    fs::create_symlink(target, at, ec);
    if (ec) throw Failure{fmt::format("cannot stage `{}` as `{}`: {}", target, at.string(), ec.message())};
    links.emplace_back(at.string(), target);
    reads.push_back(target);
  }

  // One file object (and its secondary files) into `dir`.
  Value stage_object(const Value& v, const fs::path& dir) {
    Value out = v;
    std::string path = path_of(v);
    bool is_dir = is_directory_object(v);
    std::string base = v.value("basename", path.empty() ? std::string() : fs::path(path).filename().string());
    if (!path.empty()) {
      if (!fs::exists(path))
        throw Failure{fmt::format("input {} `{}` does not exist", is_dir ? "folder" : "file", path)};
      if (base.empty()) base = fs::path(path).filename().string();
      fs::path at = dir / base;
      link(fs::absolute(path).string(), at);
      out["path"] = at.string();
    } else if (is_dir) {
      if (base.empty()) base = "dir" + std::to_string(next);
      fs::path at = dir / base;
      fs::create_directories(at);
      Value listing = Value::array();
      if (auto it = v.find("listing"); it != v.end() && it->is_array()) {
        for (const Value& item : *it) listing.push_back(stage_object(item, at));
      }
      out["listing"] = listing;
      out["path"] = at.string();
    } else if (v.contains("contents")) {
      if (base.empty()) base = "file" + std::to_string(next);
      fs::path at = dir / base;
      std::ofstream f(at, std::ios::binary);
      f << v["contents"].get<std::string>();
      out["path"] = at.string();
    } else {
      throw Failure{fmt::format("a {} without a path or contents: {}", is_dir ? "folder" : "file", describe(v))};
    }
    out["basename"] = base;
    out.erase("location");
    if (auto it = v.find("secondaryFiles"); it != v.end() && it->is_array()) {
      Value sec = Value::array();
      for (const Value& s : *it) sec.push_back(stage_object(s, dir));
      out["secondaryFiles"] = sec;
    }
    return out;
  }

  Value stage(const Value& v) {
    if (v.is_array()) {
      Value out = Value::array();
      for (const Value& item : v) out.push_back(stage(item));
      return out;
    }
    if (!v.is_object()) return v;
    if (is_file_object(v)) return stage_object(v, fresh_dir());
    Value out = Value::object();
    for (const auto& [k, item] : v.items()) out[k] = stage(item);
    return out;
  }
};

// The secondary files one pattern asks of `file` (a detailed file object
// with a path). A plain pattern (`.bai`, `^.bai`) is a companion: the file
// beside it named as ir::companion_name says. An expression gives a file
// name relative to the file's folder, a file object (which may name it
// differently: `basename`), or a list of them (CWL v1.2,
// SecondaryFileSchema).
std::vector<Value> secondary_wanted(Context& ctx, const Value& detailed, const ir::ToolSecondaryFile& s) {
  std::vector<Value> out;
  if (!s.pattern) return out;
  std::string path = path_of(detailed);
  fs::path dir = fs::path(path).parent_path();
  bool plain = s.pattern->kind == ir::Expr::Kind::Literal;
  std::function<void(const Value&)> add = [&](const Value& x) {
    if (x.is_null()) return;
    if (x.is_array()) {
      for (const Value& y : x) add(y);
      return;
    }
    if (x.is_string()) {
      std::string name = x.get<std::string>();
      if (name.empty()) return;
      if (plain) name = ir::companion_name(fs::path(path).filename().string(), name);
      fs::path p = fs::path(name).is_absolute() ? fs::path(name) : dir / name;
      out.push_back(Value{{"class", fs::is_directory(p) ? "Directory" : "File"},
                          {"path", p.lexically_normal().string()},
                          {"basename", p.filename().string()}});
      return;
    }
    if (!is_file_object(x)) {
      throw Failure{fmt::format("a secondaryFiles expression gave {}, not a file name, a file or a list of them",
                                describe(x, 80))};
    }
    Value f = x;
    std::string where = f.contains("path") && f["path"].is_string()           ? f["path"].get<std::string>()
                        : f.contains("location") && f["location"].is_string() ? f["location"].get<std::string>()
                                                                              : "";
    if (where.rfind("file://", 0) == 0) where = ir::path_from_uri(where);
    if (!where.empty()) {
      fs::path p(where);
      if (p.is_relative()) p = dir / p;
      f["path"] = p.lexically_normal().string();
      f.erase("location");
      if (!f.contains("basename")) f["basename"] = p.filename().string();
    }
    out.push_back(std::move(f));
  };
  add(ctx.eval(*s.pattern, detailed, "secondaryFiles"));
  return out;
}

bool secondary_required(Context& ctx, const Value& detailed, const ir::ToolSecondaryFile& s, bool by_default) {
  if (!s.required) return by_default;
  Value r = ctx.eval(*s.required, detailed, "secondaryFiles.required");
  return r.is_boolean() ? r.get<bool>() : by_default;
}

std::string name_of(const Value& f) { return f.value("basename", fs::path(path_of(f)).filename().string()); }

// An input file that says its format must have one the input accepts
// (equal IRIs: flowc reads no ontology, so the front end leaves out the
// formats of a document that names one); the fields of records are
// checked by their own.
void check_format(Context& ctx, const Value& x, const ir::ToolType& t, const std::optional<ir::Expr>& format,
                  const std::string& name) {
  if (x.is_null()) return;
  if (t.kind == K::Union) {
    for (const ir::ToolType& m : t.members) {
      if (fits(x, m)) return check_format(ctx, x, m, format, name);
    }
    return;
  }
  if (x.is_array()) {
    for (const Value& item : x) check_format(ctx, item, t.kind == K::Array ? t.members.at(0) : t, format, name);
    return;
  }
  if (is_file_object(x)) {
    if (!format || !x.contains("format") || !x["format"].is_string()) return;
    Value allowed = ctx.eval(*format, with_file_details(x), "format");
    std::vector<std::string> accepted;
    for (const Value& f : allowed.is_array() ? allowed : Value::array({allowed})) {
      if (f.is_string()) accepted.push_back(f.get<std::string>());
    }
    std::string has = x["format"].get<std::string>();
    if (accepted.empty() || std::find(accepted.begin(), accepted.end(), has) != accepted.end()) return;
    throw Failure{fmt::format("input `{}`: the file `{}` has the format `{}`, and the input accepts only {}", name,
                              x.value("basename", fs::path(path_of(x)).filename().string()), has,
                              Value(accepted).dump())};
  }
  if (x.is_object() && t.kind == K::Record) {
    for (const ir::ToolField& f : t.fields) {
      if (auto it = x.find(f.name); it != x.end()) check_format(ctx, *it, f.type, f.format, name + "." + f.name);
    }
  }
}

// Secondary files of `file` found next to it by `patterns`, when not given.
Value with_secondary(Context& ctx, Value file, const std::vector<ir::ToolSecondaryFile>& patterns, bool for_input) {
  if (patterns.empty() || !is_file_object(file) || is_directory_object(file)) return file;
  std::string path = path_of(file);
  if (path.empty()) return file;
  Value have = file.value("secondaryFiles", Value::array());
  Value detailed = with_file_details(file);
  for (const ir::ToolSecondaryFile& s : patterns) {
    bool required = secondary_required(ctx, detailed, s, for_input);
    for (Value w : secondary_wanted(ctx, detailed, s)) {
      std::string wp = path_of(w);
      std::string name = name_of(w);
      bool present = std::any_of(have.begin(), have.end(), [&](const Value& h) { return name_of(h) == name; });
      if (present) continue;
      if (!wp.empty() && fs::exists(wp)) {
        if (!w.contains("basename")) w["basename"] = fs::path(wp).filename().string();
        have.push_back(w);
      } else if (required) {
        throw Failure{fmt::format("the secondary file `{}` of `{}` does not exist", wp.empty() ? name : wp, path)};
      }
    }
  }
  file["secondaryFiles"] = have;
  return file;
}

void load_contents(Value& file) {
  std::string path = path_of(file);
  if (path.empty() || file.contains("contents")) return;
  bool too_big = false;
  file["contents"] = read_head(path, kContentsLimit, &too_big);
  if (too_big) throw Failure{fmt::format("loadContents: `{}` is larger than 64 KiB", path)};
}

Value listing_of(const std::string& dir, bool deep) {
  Value out = Value::array();
  std::error_code ec;
  std::vector<fs::directory_entry> items;
  for (const auto& e : fs::directory_iterator(dir, ec)) items.push_back(e);
  std::sort(items.begin(), items.end(), [](const auto& a, const auto& b) { return a.path() < b.path(); });
  for (const auto& e : items) {
    bool is_dir = e.is_directory(ec);
    Value item = {{"class", is_dir ? "Directory" : "File"},
                  {"path", e.path().string()},
                  {"basename", e.path().filename().string()}};
    if (is_dir && deep) item["listing"] = listing_of(e.path().string(), true);
    out.push_back(std::move(item));
  }
  return out;
}

void apply_listing(Value& v, const std::string& how) {
  if (how.empty() || how == "no_listing") return;
  if (v.is_array()) {
    for (Value& item : v) apply_listing(item, how);
    return;
  }
  if (!is_directory_object(v) || v.contains("listing")) return;
  std::string p = path_of(v);
  if (!p.empty()) v["listing"] = listing_of(p, how == "deep_listing");
}

Value file_value(const std::string& path) {
  bool dir = fs::is_directory(path);
  return Value{{"class", dir ? "Directory" : "File"}, {"path", path}, {"basename", fs::path(path).filename().string()}};
}

// Entries of InitialWorkDirRequirement, put into the output folder, by CWL
// v1.2's rules (as cwltool applies them): a Dirent's entry that gives text is
// a file of that text, one that gives a file or folder is that file or
// folder (under the entryname, if any), a list of files is each of them, and
// any other value is written as JSON; a listing item gives files, folders or
// Dirent objects; null is nothing. Names stay inside the output folder.
// Returns the inputs' files placed there as (staged path, path in the output
// folder): the command sees them there (`inputs.x.path` follows).
std::vector<std::pair<std::string, std::string>> write_workdir(Context& ctx, const ir::Tool& tool,
                                                               const fs::path& outdir, Stager& stager) {
  struct Item {
    Value object;                     // a File or Directory object (perhaps a literal)
    std::optional<std::string> name;  // the entryname
    bool writable = false;
  };
  std::vector<Item> items;
  auto all_files = [](const Value& v) {
    return v.is_array() && !v.empty() &&
           std::all_of(v.begin(), v.end(), [](const Value& x) { return is_file_object(x); });
  };
  auto dirent = [&](const Value& entry, const std::optional<std::string>& name, bool writable) {
    if (entry.is_null()) return;
    if (all_files(entry)) {
      if (name) throw Failure{fmt::format("the entryname `{}` cannot name a list of {} files", *name, entry.size())};
      for (const Value& x : entry) items.push_back({x, std::nullopt, writable});
      return;
    }
    if (is_file_object(entry)) {
      items.push_back({entry, name, writable});
      return;
    }
    if (!name) {
      throw Failure{fmt::format("the InitialWorkDirRequirement entry {} needs an entryname (the file it is written to)",
                                describe(entry, 80))};
    }
    std::string text = entry.is_string() ? entry.get<std::string>() : js::json_text(entry);
    items.push_back({Value{{"class", "File"}, {"contents", text}}, name, writable});
  };
  auto listing_item = [&](const Value& v, bool writable) {
    auto one = [&](const Value& x) {
      if (x.is_null()) return;
      if (x.is_object() && x.contains("entry")) {
        std::optional<std::string> name;
        if (auto it = x.find("entryname"); it != x.end() && it->is_string()) name = it->get<std::string>();
        dirent(x["entry"], name, x.value("writable", writable));
      } else if (is_file_object(x)) {
        items.push_back({x, std::nullopt, writable});
      } else {
        throw Failure{
            fmt::format("an InitialWorkDirRequirement listing item must be a file, a folder or a Dirent "
                        "({{entry, entryname}}), not {}",
                        describe(x, 80))};
      }
    };
    if (v.is_null() || (v.is_boolean() && !v.get<bool>())) return;
    if (!v.is_array()) return one(v);
    for (const Value& x : v) {
      if (x.is_array()) {
        for (const Value& y : x) one(y);
      } else {
        one(x);
      }
    }
  };
  for (const ir::ToolWorkdirEntry& e : tool.workdir) {
    Value entry = e.entry ? ctx.eval(*e.entry, Value(), "InitialWorkDirRequirement entry") : Value();
    // With an entryname it is a Dirent; without, what it gives is placed as
    // it is (files, folders, Dirent objects; a Dirent without entryname
    // means the same).
    if (!e.entryname) {
      listing_item(entry, e.writable);
      continue;
    }
    Value n = ctx.eval(*e.entryname, Value(), "entryname");
    if (!n.is_string()) throw Failure{fmt::format("entryname must give a string, not {}", describe(n, 80))};
    dirent(entry, n.get<std::string>(), e.writable);
  }

  std::vector<std::pair<std::string, std::string>> moved;
  for (Item& item : items) {
    std::string src = path_of(item.object);
    std::string base = item.name ? *item.name : item.object.value("basename", fs::path(src).filename().string());
    fs::path rel = fs::path(base).lexically_normal();
    if (rel.is_absolute()) {
      throw Failure{
          fmt::format("the InitialWorkDirRequirement entryname `{}` is an absolute path: only a container "
                      "could have a file there, and flowc does not mount one; use a name relative to the "
                      "output folder",
                      base)};
    }
    if (rel.empty() || *rel.begin() == ".." || rel == ".") {
      throw Failure{fmt::format("the InitialWorkDirRequirement entryname `{}` is outside the output folder", base)};
    }
    fs::path at = outdir / rel;
    fs::create_directories(at.parent_path());
    std::error_code ec;
    if (src.empty()) {
      Value literal = item.object;
      literal["basename"] = at.filename().string();
      literal.erase("secondaryFiles");
      stager.stage_object(literal, at.parent_path());
    } else {
      fs::path real = fs::weakly_canonical(src, ec);
      // A writable entry is a copy, unless InplaceUpdateRequirement says the
      // tool changes the input itself; a folder is copied (a link to it would
      // let the tool write into the input).
      bool copy = (item.writable && !tool.inplace_update) || (is_directory_object(item.object) && !item.writable);
      if (copy) {
        fs::copy(real, at, fs::copy_options::recursive | fs::copy_options::overwrite_existing, ec);
      } else {
        fs::create_symlink(real, at, ec);
        stager.reads.push_back(real.string());
      }
      if (ec)
        throw Failure{fmt::format("cannot put `{}` into the work dir as `{}`: {}", src, at.string(), ec.message())};
      moved.emplace_back(src, at.string());
    }
    // Its secondary files beside it, as CWL stages them.
    if (auto sec = item.object.find("secondaryFiles"); sec != item.object.end() && sec->is_array()) {
      for (const Value& sf : *sec) {
        std::string sp = path_of(sf);
        if (sp.empty()) continue;
        fs::path sat = at.parent_path() / sf.value("basename", fs::path(sp).filename().string());
        if (fs::exists(fs::symlink_status(sat, ec))) continue;
        fs::path sreal = fs::weakly_canonical(sp, ec);
        fs::create_symlink(sreal, sat, ec);
        stager.reads.push_back(sreal.string());
        if (ec)
          throw Failure{fmt::format("cannot put `{}` into the work dir as `{}`: {}", sp, sat.string(), ec.message())};
        moved.emplace_back(sp, sat.string());
      }
    }
  }
  return moved;
}

}  // namespace

std::string shortname_of(const Value& v) {
  std::string s = v.get<std::string>();
  size_t cut = s.find_last_of("#/");
  return cut == std::string::npos ? s : s.substr(cut + 1);
}

std::string outdir_of(const std::string& work_dir) { return (fs::path(work_dir) / "out").string(); }

std::variant<Staged, std::string> prepare(const ir::Program& program, const ir::Op& op, const Value& inputs,
                                          const std::string& work_dir, int cpus, int64_t mem_bytes) {
  const ir::Tool& tool = *op.tool;
  fs::path work(work_dir), outdir = work / "out", tmpdir = work / "tmp";
  Staged s;
  try {
    fs::create_directories(outdir);
    fs::create_directories(tmpdir);
    EvalOptions options;
    options.base_dir = outdir.string();
    options.scratch_dir = (work / ".values").string();
    Context ctx{program, Evaluator(program, options), Value::object(), Value::object()};
    ctx.runtime = {{"outdir", outdir.string()},        {"tmpdir", tmpdir.string()}, {"cores", cpus},
                   {"ram", mem_bytes / (1024 * 1024)}, {"outdirSize", 1024},        {"tmpdirSize", 1024}};
    Stager stager{work / "inputs", s.links, s.input_paths};
    for (size_t i = 0; i < op.inputs.size(); ++i) {
      const ir::Port& port = op.inputs[i];
      Value v = inputs.value(port.name, Value());
      v = stager.stage(v);
      const ir::ToolPort* tp = i < tool.inputs.size() ? &tool.inputs[i] : nullptr;
      if (tp) {
        auto each_file = [&](auto&& self, Value& x) -> void {
          if (x.is_array()) {
            for (Value& item : x) self(self, item);
          } else if (is_file_object(x)) {
            if (tp->load_contents && !is_directory_object(x)) load_contents(x);
            apply_listing(x, tp->load_listing.empty() ? tool.load_listing : tp->load_listing);
          }
        };
        each_file(each_file, v);
      }
      ctx.inputs[port.name] = std::move(v);
    }
    // runtime.outdirSize and tmpdirSize (MiB, a fraction rounded up, as CWL
    // v1.2 says): what the tool asked for, or 1024.
    for (auto [e, key] : {std::pair{&tool.outdir_min, "outdirSize"}, std::pair{&tool.tmpdir_min, "tmpdirSize"}}) {
      if (!*e) continue;
      Value v = ctx.eval(**e, Value(), key);
      if (v.is_number()) ctx.runtime[key] = static_cast<int64_t>(std::ceil(v.get<double>()));
    }
    // Secondary files found beside the staged inputs (their links), as the
    // port and the fields of its records ask.
    std::function<void(Value&, const ir::ToolType&, const std::vector<ir::ToolSecondaryFile>&)> add_secondary =
        [&](Value& x, const ir::ToolType& t, const std::vector<ir::ToolSecondaryFile>& patterns) {
          if (x.is_null()) return;
          if (t.kind == K::Union) {
            for (const ir::ToolType& m : t.members) {
              if (fits(x, m)) return add_secondary(x, m, patterns);
            }
            return;
          }
          if (x.is_array()) {
            const ir::ToolType& items = t.kind == K::Array ? t.members.at(0) : t;
            for (Value& item : x) add_secondary(item, items, patterns);
            return;
          }
          if (is_file_object(x)) {
            if (patterns.empty() || is_directory_object(x)) return;
            if (!tool.discover_secondary_files) {
              // A step's file carries its secondary files: check the required ones are there.
              Value detailed = with_file_details(x);
              const Value have = x.value("secondaryFiles", Value::array());
              for (const ir::ToolSecondaryFile& sf : patterns) {
                if (!secondary_required(ctx, detailed, sf, true)) continue;
                for (const Value& w : secondary_wanted(ctx, detailed, sf)) {
                  std::string name = name_of(w);
                  bool present =
                      std::any_of(have.begin(), have.end(), [&](const Value& h) { return name_of(h) == name; });
                  if (!present) {
                    throw Failure{fmt::format("input file `{}` lacks its secondary file `{}`",
                                              detailed.value("basename", ""), name)};
                  }
                }
              }
              return;
            }
            // Look beside the original file, then stage what was found.
            std::string staged = path_of(x);
            std::error_code ec;
            std::string original = fs::read_symlink(staged, ec).string();
            if (ec) original = staged;
            Value probe = x;
            probe["path"] = original;
            probe = with_secondary(ctx, probe, patterns, true);
            Value sec = Value::array();
            for (const Value& sf : probe.value("secondaryFiles", Value::array())) {
              std::string sp = path_of(sf);
              fs::path at = fs::path(staged).parent_path() / name_of(sf);
              if (!fs::exists(fs::symlink_status(at, ec)) && !sp.empty() && sp != at.string()) stager.link(sp, at);
              Value staged_sf = sf;
              staged_sf["path"] = at.string();
              staged_sf["basename"] = at.filename().string();
              sec.push_back(staged_sf);
            }
            x["secondaryFiles"] = sec;
            return;
          }
          if (x.is_object() && t.kind == K::Record) {
            for (const ir::ToolField& f : t.fields) {
              auto it = x.find(f.name);
              if (it != x.end()) add_secondary(*it, f.type, f.secondary_files);
            }
          }
        };
    for (size_t i = 0; i < op.inputs.size() && i < tool.inputs.size(); ++i) {
      add_secondary(ctx.inputs[op.inputs[i].name], tool.inputs[i].type, tool.inputs[i].secondary_files);
    }
    for (size_t i = 0; i < op.inputs.size() && i < tool.inputs.size(); ++i) {
      check_format(ctx, ctx.inputs[op.inputs[i].name], tool.inputs[i].type, tool.inputs[i].format, op.inputs[i].name);
    }
    auto moved = write_workdir(ctx, tool, outdir, stager);
    if (!moved.empty()) {
      ctx.inputs = map_object_paths(ctx.inputs, [&](const std::string& p) {
        for (const auto& [from, to] : moved) {
          if (p == from) return to;
        }
        return p;
      });
    }

    // The command line.
    std::vector<Bound> bound;
    for (size_t i = 0; i < tool.arguments.size(); ++i) {
      Bound b;
      b.binding = tool.arguments[i].binding;
      b.key = {position_of(ctx, b.binding, Value()).value_or(int64_t{0}), static_cast<int64_t>(i)};
      b.has_datum = false;
      bound.push_back(std::move(b));
    }
    for (size_t i = 0; i < op.inputs.size() && i < tool.inputs.size(); ++i) {
      const ir::ToolPort& tp = tool.inputs[i];
      const Value& v = ctx.inputs[op.inputs[i].name];
      if (v.is_null()) continue;
      Level level{tp.binding ? &*tp.binding : nullptr, std::nullopt};
      for (auto& b : bind_schema(ctx, tp.type, level, v, {}, {op.inputs[i].name}, 0)) bound.push_back(std::move(b));
    }
    std::stable_sort(bound.begin(), bound.end(), [](const Bound& a, const Bound& b) { return key_less(a.key, b.key); });
    std::vector<std::pair<std::string, bool>> words;  // text, quote it
    for (const std::string& w : tool.base_command) words.emplace_back(w, true);
    for (const Bound& b : bound) {
      for (std::string& w : words_of(ctx, b)) words.emplace_back(std::move(w), !tool.shell || b.binding.shell_quote);
    }
    if (words.empty()) throw Failure{"the tool has no command (no baseCommand and no arguments)"};

    std::string script = "cd " + quote(outdir.string()) + "\n";
    auto redirect = [&](const std::optional<ir::Expr>& e, const char* what, const char* op_text) {
      if (!e) return;
      Value name = ctx.eval(*e, Value(), what);
      if (name.is_null()) return;
      std::string n = name.is_string() ? name.get<std::string>() : path_of(name);
      if (std::string(what) != "stdin" &&
          (n.empty() || n.find("..") != std::string::npos || fs::path(n).is_absolute())) {
        throw Failure{fmt::format("{} must be a file name in the output folder, not `{}`", what, n)};
      }
      script += fmt::format("exec {}{}\n", op_text, quote(n));
    };
    redirect(tool.stdin_path, "stdin", "<");
    redirect(tool.stdout_name, "stdout", ">");
    redirect(tool.stderr_name, "stderr", "2>");
    std::string line;
    for (const auto& [w, q] : words) line += (line.empty() ? "" : " ") + (q ? quote(w) : w);
    script += line + "\n";
    s.script = std::move(script);

    s.env.emplace_back("HOME", outdir.string());
    s.env.emplace_back("TMPDIR", tmpdir.string());
    for (const auto& [name, e] : op.env) {
      Value v = ctx.eval(e, Value(), "EnvVarRequirement");
      s.env.emplace_back(name, v.is_string() ? v.get<std::string>() : v.dump());
    }
    s.inputs = std::move(ctx.inputs);
    s.runtime = std::move(ctx.runtime);
  } catch (const Failure& f) {
    return f.message;
  } catch (const std::exception& e) {
    return std::string(e.what());
  }
  return s;
}

bool succeeded(const ir::Op& op, int exit_code) {
  const auto& codes = op.tool->success_codes;
  if (codes.empty()) return exit_code == 0;
  return std::find(codes.begin(), codes.end(), exit_code) != codes.end();
}

bool temporary_failure(const ir::Op& op, int exit_code) {
  const auto& codes = op.tool->temporary_fail_codes;
  return std::find(codes.begin(), codes.end(), exit_code) != codes.end();
}

namespace {

std::vector<std::string> glob_in(const fs::path& outdir, const std::string& pattern) {
  std::vector<std::string> out;
  std::string p = pattern;
  if (p == "." || p == "./") return {outdir.string()};
  fs::path full = fs::path(p).is_absolute() ? fs::path(p) : outdir / p;
  glob_t g{};
  if (::glob(full.c_str(), 0, nullptr, &g) == 0) {
    for (size_t i = 0; i < g.gl_pathc; ++i) out.push_back(fs::path(g.gl_pathv[i]).lexically_normal().string());
  }
  globfree(&g);
  std::sort(out.begin(), out.end());
  return out;
}

bool type_wants_list(const ir::ToolType& t) {
  if (t.kind == K::Array) return true;
  if (t.kind == K::Union) {
    return std::any_of(t.members.begin(), t.members.end(), [](const ir::ToolType& m) { return m.kind == K::Array; });
  }
  return false;
}
bool type_allows_null(const ir::ToolType& t) {
  if (t.kind == K::Null || t.kind == K::Any) return true;
  if (t.kind == K::Union) {
    return std::any_of(t.members.begin(), t.members.end(), [](const ir::ToolType& m) { return m.kind == K::Null; });
  }
  return false;
}

bool within(const fs::path& p, const fs::path& root) {
  auto [a, b] = std::mismatch(root.begin(), root.end(), p.begin(), p.end());
  return a == root.end();
}

// A found output that is a link must lead into the work dir or to what the
// task reads (its inputs, what InitialWorkDirRequirement put there).
void check_link(const std::string& path, const std::string& work_dir, const Value& reads, const std::string& name) {
  std::error_code ec;
  if (!fs::is_symlink(fs::symlink_status(path, ec))) return;
  fs::path real = fs::weakly_canonical(path, ec);
  if (within(real, fs::weakly_canonical(work_dir, ec))) return;
  for (const Value& r : reads) {
    if (r.is_string() && within(real, fs::weakly_canonical(r.get<std::string>(), ec))) return;
  }
  throw Failure{
      fmt::format("output `{}`: `{}` is a link to `{}`, outside the work dir and the task's inputs; flowc "
                  "does not take it as an output (write the file itself into the output folder)",
                  name, fs::path(path).filename().string(), real.string())};
}

// Paths in cwl.output.json, relative to the output folder, made absolute.
Value resolve_output_paths(Value v, const fs::path& outdir) {
  if (v.is_array()) {
    for (Value& item : v) item = resolve_output_paths(item, outdir);
    return v;
  }
  if (!v.is_object()) return v;
  if (is_file_object(v)) {
    std::string where = v.contains("path") && v["path"].is_string()           ? v["path"].get<std::string>()
                        : v.contains("location") && v["location"].is_string() ? v["location"].get<std::string>()
                                                                              : "";
    if (!where.empty()) {
      if (where.rfind("file://", 0) == 0) where = ir::path_from_uri(where);
      fs::path p(where);
      if (p.is_relative()) p = outdir / p;
      v["path"] = p.lexically_normal().string();
      v.erase("location");
      if (!v.contains("basename")) v["basename"] = p.filename().string();
    }
    for (const char* key : {"secondaryFiles", "listing"}) {
      if (v.contains(key)) v[key] = resolve_output_paths(v[key], outdir);
    }
    return v;
  }
  for (auto& [k, item] : v.items()) item = resolve_output_paths(item, outdir);
  return v;
}

}  // namespace

std::variant<Collected, std::string> collect(const ir::Program& program, const ir::Op& op, const Value& staged_inputs,
                                             const Value& runtime, const Value& reads, const std::string& work_dir,
                                             int exit_code) {
  const ir::Tool& tool = *op.tool;
  fs::path outdir = outdir_of(work_dir);
  Collected c;
  c.outputs = Value::object();
  try {
    EvalOptions options;
    options.base_dir = outdir.string();
    options.scratch_dir = (fs::path(work_dir) / ".values").string();
    Context ctx{program, Evaluator(program, options), staged_inputs, runtime};
    ctx.runtime["exitCode"] = exit_code;
    fs::path json_file = outdir / "cwl.output.json";
    if (fs::exists(json_file)) {
      std::ifstream in(json_file);
      std::stringstream text;
      text << in.rdbuf();
      Value j = Value::parse(text.str(), nullptr, false);
      if (j.is_discarded() || !j.is_object()) throw Failure{"cwl.output.json is not a JSON object"};
      j = resolve_output_paths(j, outdir);
      for (const ir::Port& port : op.outputs) c.outputs[port.name] = j.value(port.name, Value());
    } else {
      // How one output (or one field of an output record) is found.
      struct Binding {
        const std::vector<ir::Expr>& glob;
        bool load_contents;
        const std::string& load_listing;
        const std::optional<ir::Expr>& output_eval;
        const std::vector<ir::ToolSecondaryFile>& secondary_files;
        const std::optional<ir::Expr>& format;
        const ir::ToolType& type;
      };
      std::function<Value(const Binding&, const std::string&)> collect_one = [&](const Binding& b,
                                                                                 const std::string& name) -> Value {
        // A record whose fields say how each is found.
        if (b.glob.empty() && !b.output_eval && b.type.kind == K::Record &&
            std::any_of(b.type.fields.begin(), b.type.fields.end(),
                        [](const ir::ToolField& f) { return !f.glob.empty() || f.output_eval; })) {
          Value record = Value::object();
          for (const ir::ToolField& f : b.type.fields) {
            record[f.name] = collect_one(
                Binding{f.glob, f.load_contents, f.load_listing, f.output_eval, f.secondary_files, f.format, f.type},
                name + "." + f.name);
          }
          return record;
        }
        Value found = Value::array();
        bool globbed = !b.glob.empty();
        for (const ir::Expr& g : b.glob) {
          Value patterns = ctx.eval(g, Value(), "glob");
          std::vector<std::string> list;
          if (patterns.is_string()) list.push_back(patterns.get<std::string>());
          else if (patterns.is_array()) {
            for (const Value& p : patterns) {
              if (p.is_string()) list.push_back(p.get<std::string>());
              else if (is_file_object(p)) list.push_back(path_of(p));
            }
          }
          for (const std::string& pattern : list) {
            for (const std::string& path : glob_in(outdir, pattern)) {
              check_link(path, work_dir, reads, name);
              Value f = file_value(path);
              if (b.load_contents && !is_directory_object(f)) load_contents(f);
              found.push_back(std::move(f));
            }
          }
        }
        for (Value& f : found) apply_listing(f, b.load_listing.empty() ? tool.load_listing : b.load_listing);
        Value value;
        if (b.output_eval) {
          value = ctx.eval(*b.output_eval, globbed ? found : Value(), "outputEval");
        } else if (!globbed) {
          value = nullptr;
        } else if (type_wants_list(b.type)) {
          value = found;
        } else if (found.empty()) {
          value = nullptr;
        } else if (found.size() == 1 || b.type.kind == K::File || b.type.kind == K::Directory ||
                   b.type.kind == K::Union) {
          value = found[0];
        } else {
          value = found;
        }
        // Secondary files and format of what was found.
        auto decorate = [&](auto&& self, Value& x) -> void {
          if (x.is_array()) {
            for (Value& item : x) self(self, item);
            return;
          }
          if (!is_file_object(x)) return;
          if (!path_of(x).empty() && fs::path(path_of(x)).is_relative()) x["path"] = (outdir / path_of(x)).string();
          if (!b.secondary_files.empty()) x = with_secondary(ctx, x, b.secondary_files, false);
          if (b.format) {
            Value fmt_v = ctx.eval(*b.format, with_file_details(x), "format");
            if (fmt_v.is_string()) x["format"] = fmt_v;
          }
        };
        decorate(decorate, value);
        if (value.is_null() && !type_allows_null(b.type)) {
          throw Failure{fmt::format("output `{}` was not found (glob found nothing) and it is not optional", name)};
        }
        if (!fits(value, b.type)) {
          throw Failure{fmt::format("output `{}` is {}, which its type does not allow", name, describe(value, 80))};
        }
        return value;
      };
      for (size_t i = 0; i < op.outputs.size(); ++i) {
        const ir::Port& port = op.outputs[i];
        const ir::ToolPort* tp = i < tool.outputs.size() ? &tool.outputs[i] : nullptr;
        if (!tp) {
          c.outputs[port.name] = nullptr;
          continue;
        }
        c.outputs[port.name] = collect_one(Binding{tp->glob, tp->load_contents, tp->load_listing, tp->output_eval,
                                                   tp->secondary_files, tp->format, tp->type},
                                           port.name);
      }
    }
    // An output file object whose basename is not its file's name (an
    // expression named it so): a hard link of that name beside it in the
    // work dir, so it is published under the name CWL gives it.
    std::function<void(Value&)> by_basename = [&](Value& v) {
      if (v.is_array()) {
        for (Value& item : v) by_basename(item);
        return;
      }
      if (!v.is_object()) return;
      if (!is_file_object(v)) {
        for (auto& [k, item] : v.items()) by_basename(item);
        return;
      }
      if (auto it = v.find("secondaryFiles"); it != v.end()) by_basename(*it);
      std::string path = path_of(v);
      auto base = v.find("basename");
      if (path.empty() || is_directory_object(v) || base == v.end() || !base->is_string()) return;
      std::string name = base->get<std::string>();
      fs::path p(path);
      std::error_code ec;
      if (name.empty() || name == p.filename().string() || name.find('/') != std::string::npos ||
          !within(fs::weakly_canonical(p, ec), fs::weakly_canonical(work_dir, ec))) {
        return;
      }
      fs::path renamed = p.parent_path() / name;
      if (!fs::exists(fs::symlink_status(renamed, ec))) fs::create_hard_link(p, renamed, ec);
      if (!ec) v["path"] = renamed.string();
    };
    for (const ir::Port& port : op.outputs) by_basename(c.outputs[port.name]);
    // Every file among the outputs must be inside the work dir or an input.
    for (const ir::Port& port : op.outputs) {
      c.outputs[port.name] = map_object_paths(c.outputs[port.name], [&](const std::string& p) {
        fs::path path(p);
        if (path.is_relative()) path = outdir / path;
        c.files.push_back(path.lexically_normal().string());
        return path.lexically_normal().string();
      });
    }
  } catch (const Failure& f) {
    return f.message;
  } catch (const std::exception& e) {
    return std::string(e.what());
  }
  return c;
}

}  // namespace flowc::runtime::tool
