// Type interning, printing, assignability.
#include "ir/types.h"

#include <algorithm>

#include <fmt/format.h>

namespace flowc::ir {

bool Type::is_scalar() const {
  switch (kind_) {
    case TypeKind::Int:
    case TypeKind::Float:
    case TypeKind::Bool:
    case TypeKind::Str:
    case TypeKind::File:
    case TypeKind::Dir:
    case TypeKind::Size:
    case TypeKind::Duration: return true;
    default: return false;
  }
}

bool Type::holds_paths() const {
  switch (kind_) {
    case TypeKind::File:
    case TypeKind::Dir:
    case TypeKind::Any: return true;
    case TypeKind::List:
    case TypeKind::Optional:
    case TypeKind::Map: return elem_->holds_paths();
    case TypeKind::Record:
      return std::any_of(fields_.begin(), fields_.end(), [](const Field& f) { return f.type->holds_paths(); });
    default: return false;
  }
}

bool Type::holds_stream() const {
  switch (kind_) {
    case TypeKind::Stream: return true;
    case TypeKind::List:
    case TypeKind::Optional:
    case TypeKind::Map: return elem_->holds_stream();
    case TypeKind::Record:
      return std::any_of(fields_.begin(), fields_.end(), [](const Field& f) { return f.type->holds_stream(); });
    default: return false;
  }
}

const Type* Type::field(std::string_view name) const {
  for (const Field& f : fields_) {
    if (f.name == name) return f.type;
  }
  return nullptr;
}

TypeTable::TypeTable() {
  auto prim = [&](TypeKind kind, const char* name) {
    Type t;
    t.kind_ = kind;
    t.text_ = name;
    return intern(std::move(t));
  };
  error_ = prim(TypeKind::Error, "<error>");
  none_ = prim(TypeKind::None, "none");
  int_t_ = prim(TypeKind::Int, "int");
  float_t_ = prim(TypeKind::Float, "float");
  bool_t_ = prim(TypeKind::Bool, "bool");
  str_t_ = prim(TypeKind::Str, "str");
  file_t_ = prim(TypeKind::File, "file");
  dir_t_ = prim(TypeKind::Dir, "dir");
  size_t_ = prim(TypeKind::Size, "size");
  duration_t_ = prim(TypeKind::Duration, "duration");
  bytes_t_ = prim(TypeKind::Bytes, "bytes");
  any_t_ = prim(TypeKind::Any, "any");
}

const Type* TypeTable::primitive(std::string_view name) const {
  if (name == "int") return int_t_;
  if (name == "float") return float_t_;
  if (name == "bool") return bool_t_;
  if (name == "str") return str_t_;
  if (name == "file") return file_t_;
  if (name == "dir") return dir_t_;
  if (name == "size") return size_t_;
  if (name == "duration") return duration_t_;
  if (name == "bytes") return bytes_t_;
  return nullptr;
}

const Type* TypeTable::intern(Type t) {
  auto it = interned_.find(t.text_);
  if (it != interned_.end()) return it->second.get();
  std::string key = t.text_;
  uint32_t deepest = 0;
  if (t.elem_) deepest = t.elem_->depth_;
  if (t.key_) deepest = std::max(deepest, t.key_->depth_);
  for (const Field& f : t.fields_) deepest = std::max(deepest, f.type->depth_);
  t.depth_ = deepest + 1;
  auto owned = std::make_unique<Type>(std::move(t));
  const Type* ptr = owned.get();
  interned_.emplace(std::move(key), std::move(owned));
  return ptr;
}

const Type* TypeTable::list(const Type* elem) {
  Type t;
  t.kind_ = TypeKind::List;
  t.elem_ = elem;
  t.text_ = fmt::format("list[{}]", elem->str());
  return intern(std::move(t));
}

const Type* TypeTable::map(const Type* value) {
  Type t;
  t.kind_ = TypeKind::Map;
  t.key_ = str_t_;
  t.elem_ = value;
  t.text_ = fmt::format("map[str, {}]", value->str());
  return intern(std::move(t));
}

const Type* TypeTable::optional(const Type* elem) {
  if (elem->is_optional() || elem->is_error() || elem->is(TypeKind::None) || elem->is(TypeKind::Any)) return elem;
  Type t;
  t.kind_ = TypeKind::Optional;
  t.elem_ = elem;
  t.text_ = elem->str() + "?";
  return intern(std::move(t));
}

const Type* TypeTable::stream(const Type* elem) {
  Type t;
  t.kind_ = TypeKind::Stream;
  t.elem_ = elem;
  t.text_ = fmt::format("stream[{}]", elem->str());
  return intern(std::move(t));
}

const Type* TypeTable::record(std::vector<Field> fields) {
  std::sort(fields.begin(), fields.end(), [](const Field& a, const Field& b) { return a.name < b.name; });
  Type t;
  t.kind_ = TypeKind::Record;
  std::string text = "{";
  for (size_t i = 0; i < fields.size(); ++i) {
    text += fmt::format("{}{}: {}", i ? ", " : "", fields[i].name, fields[i].type->str());
  }
  text += "}";
  t.text_ = std::move(text);
  t.fields_ = std::move(fields);
  return intern(std::move(t));
}

const Type* TypeTable::file_with(std::vector<Companion> companions) {
  if (companions.empty()) return file_t_;
  std::sort(companions.begin(), companions.end(),
            [](const Companion& a, const Companion& b) { return a.pattern < b.pattern; });
  Type t;
  t.kind_ = TypeKind::File;
  std::string text = "file with [";
  for (size_t i = 0; i < companions.size(); ++i) {
    text += i ? ", \"" : "\"";
    for (char c : companions[i].pattern) {
      if (c == '"' || c == '\\') text += '\\';
      text += c;
    }
    text += companions[i].required ? "\"" : "\"?";
  }
  t.text_ = text + "]";
  t.companions_ = std::move(companions);
  return intern(std::move(t));
}

std::string companion_name(std::string_view file_name, std::string_view pattern) {
  std::string name(file_name);
  size_t carets = 0;
  while (carets < pattern.size() && pattern[carets] == '^') ++carets;
  for (size_t k = 0; k < carets; ++k) {
    // CWL: remove the last extension, if there is one (a leading dot is not one).
    size_t dot = name.rfind('.');
    if (dot != std::string::npos && dot > 0) name.erase(dot);
  }
  return name + std::string(pattern.substr(carets));
}

std::string companion_pattern_problem(std::string_view pattern) {
  size_t carets = pattern.find_first_not_of('^');
  if (carets == std::string_view::npos) return "it names no file: a pattern is a suffix after any `^`";
  if (pattern.find('/') != std::string_view::npos) return "a companion lies beside its file, so its pattern has no `/`";
  for (char c : pattern) {
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) return "it holds a control character";
  }
  return {};
}

const Type* TypeTable::var(const std::string& name) {
  Type t;
  t.kind_ = TypeKind::Var;
  t.var_ = name;
  t.text_ = "'" + name;  // cannot collide with a real type's text
  return intern(std::move(t));
}

void TypeTable::set_alias(const Type* record, const std::string& name) {
  alias_types_.emplace(name, record);
  if (record->is(TypeKind::Record)) alias_of_.emplace(record, name);
}

std::string TypeTable::display(const Type* t) const {
  if (auto it = alias_of_.find(t); it != alias_of_.end()) return it->second;
  switch (t->kind()) {
    case TypeKind::List: return fmt::format("list[{}]", display(t->elem()));
    case TypeKind::Map: return fmt::format("map[str, {}]", display(t->elem()));
    case TypeKind::Optional: return display(t->elem()) + "?";
    case TypeKind::Stream: return fmt::format("stream[{}]", display(t->elem()));
    case TypeKind::Var: return t->var_name();
    case TypeKind::Record: {
      std::string text = "{";
      for (size_t i = 0; i < t->fields().size(); ++i) {
        text += fmt::format("{}{}: {}", i ? ", " : "", t->fields()[i].name, display(t->fields()[i].type));
      }
      return text + "}";
    }
    default: return t->str();
  }
}

bool is_assignable(const Type* from, const Type* to) {
  if (from == to || from->is_error() || to->is_error()) return true;
  if (from->is(TypeKind::Any) || to->is(TypeKind::Any)) return true;  // checked when the value is known
  switch (to->kind()) {
    case TypeKind::Float: return from->is(TypeKind::Int);
    case TypeKind::File:
      if (!from->is(TypeKind::File)) return false;
      for (const Companion& need : to->companions()) {
        if (!need.required) continue;
        bool has = std::any_of(from->companions().begin(), from->companions().end(),
                               [&](const Companion& c) { return c.pattern == need.pattern && c.required; });
        if (!has) return false;
      }
      return true;
    case TypeKind::Optional:
      if (from->is(TypeKind::None)) return true;
      return is_assignable(from->non_optional(), to->elem());
    case TypeKind::List:
    case TypeKind::Map: return from->kind() == to->kind() && is_assignable(from->elem(), to->elem());
    case TypeKind::Record: {
      if (!from->is(TypeKind::Record) || from->fields().size() != to->fields().size()) return false;
      for (size_t i = 0; i < to->fields().size(); ++i) {
        const Field& f = from->fields()[i];
        const Field& t = to->fields()[i];
        if (f.name != t.name || !is_assignable(f.type, t.type)) return false;
      }
      return true;
    }
    default: return false;  // scalars and streams: only the identical type
  }
}

const Type* common_type(TypeTable& types, const Type* a, const Type* b) {
  if (a == b) return a;
  if (a->is_error()) return b;
  if (b->is_error()) return a;
  if (a->is(TypeKind::Any)) return a;
  if (b->is(TypeKind::Any)) return b;
  if (a->is(TypeKind::None)) return types.optional(b);
  if (b->is(TypeKind::None)) return types.optional(a);
  if (a->is_optional() || b->is_optional()) {
    const Type* inner = common_type(types, a->non_optional(), b->non_optional());
    return inner ? types.optional(inner) : nullptr;
  }
  if (is_assignable(a, b)) return b;
  if (is_assignable(b, a)) return a;
  if (a->kind() == b->kind() && (a->is(TypeKind::List) || a->is(TypeKind::Map))) {
    const Type* inner = common_type(types, a->elem(), b->elem());
    if (!inner) return nullptr;
    return a->is(TypeKind::List) ? types.list(inner) : types.map(inner);
  }
  return nullptr;
}

}  // namespace flowc::ir
