// Builtin signatures and type-variable matching.
#include "ir/builtins.h"

#include <map>
#include <stdexcept>

#include "ir/type_parser.h"

namespace flowc::ir {
namespace {

struct Entry {
  const char* name;
  const char* signature;
  const char* description;
};

constexpr Entry kEntries[] = {
#define BUILTIN(name, signature, description) {#name, signature, description},
#include "ir/builtins.def"
#undef BUILTIN
};

using Bindings = std::map<std::string, const Type*>;

bool unify(const Type* pattern, const Type* actual, Bindings& bound, TypeTable& types) {
  if (actual->is_error()) return true;
  switch (pattern->kind()) {
    case TypeKind::Var: {
      auto it = bound.find(pattern->var_name());
      if (it == bound.end()) {
        if (actual->is(TypeKind::None)) return true;  // learns nothing
        bound.emplace(pattern->var_name(), actual);
        return true;
      }
      if (is_assignable(actual, it->second)) return true;
      // contains([1, 2], 2.5): T widens to what both fit (float), which the
      // earlier arguments still fit.
      if (const Type* wider = common_type(types, it->second, actual); wider && is_assignable(it->second, wider)) {
        it->second = wider;
        return true;
      }
      return false;
    }
    case TypeKind::List:
    case TypeKind::Map:
    case TypeKind::Stream:
      return actual->kind() == pattern->kind() && unify(pattern->elem(), actual->elem(), bound, types);
    case TypeKind::Optional:
      if (actual->is(TypeKind::None)) return true;
      return unify(pattern->elem(), actual->non_optional(), bound, types);
    case TypeKind::Record: {
      if (!actual->is(TypeKind::Record) || actual->fields().size() != pattern->fields().size()) return false;
      for (size_t i = 0; i < pattern->fields().size(); ++i) {
        if (pattern->fields()[i].name != actual->fields()[i].name) return false;
        if (!unify(pattern->fields()[i].type, actual->fields()[i].type, bound, types)) return false;
      }
      return true;
    }
    default: return is_assignable(actual, pattern);
  }
}

const Type* substitute(const Type* t, const Bindings& bound, TypeTable& types) {
  switch (t->kind()) {
    case TypeKind::Var: {
      auto it = bound.find(t->var_name());
      return it == bound.end() ? types.error() : it->second;
    }
    case TypeKind::List: return types.list(substitute(t->elem(), bound, types));
    case TypeKind::Map: return types.map(substitute(t->elem(), bound, types));
    case TypeKind::Optional: return types.optional(substitute(t->elem(), bound, types));
    case TypeKind::Stream: return types.stream(substitute(t->elem(), bound, types));
    case TypeKind::Record: {
      std::vector<Field> fields;
      for (const Field& f : t->fields()) fields.push_back({f.name, substitute(f.type, bound, types)});
      return types.record(std::move(fields));
    }
    default: return t;
  }
}

// "(list[T], T) -> bool" → parameter types and result type.
Signature parse_signature(const std::string& text, TypeTable& types) {
  auto resolve = [&](std::string_view name) -> const Type* {
    if (name.size() == 1 && std::isupper(static_cast<unsigned char>(name[0]))) return types.var(std::string(name));
    return nullptr;
  };
  Signature sig;
  sig.text = text;
  size_t close = text.rfind(") -> ");
  if (text.empty() || text[0] != '(' || close == std::string::npos) {
    throw std::logic_error("malformed builtin signature: " + text);
  }
  std::string params = text.substr(1, close - 1);
  // Split at top-level commas.
  int depth = 0;
  size_t start = 0;
  auto add = [&](size_t end) {
    std::string piece = params.substr(start, end - start);
    if (piece.find_first_not_of(' ') == std::string::npos) return;
    std::string error;
    const Type* t = parse_type(piece, types, resolve, &error);
    if (!t) throw std::logic_error("builtin signature " + text + ": " + error);
    sig.params.push_back(t);
  };
  for (size_t i = 0; i < params.size(); ++i) {
    char c = params[i];
    if (c == '[' || c == '{') ++depth;
    if (c == ']' || c == '}') --depth;
    if (c == ',' && depth == 0) {
      add(i);
      start = i + 1;
    }
  }
  add(params.size());
  std::string error;
  sig.result = parse_type(text.substr(close + 5), types, resolve, &error);
  if (!sig.result) throw std::logic_error("builtin signature " + text + ": " + error);
  return sig;
}

}  // namespace

Builtins::Builtins(TypeTable& types) : types_(types) {
  for (const Entry& e : kEntries) {
    Builtin* b = nullptr;
    for (Builtin& existing : builtins_) {
      if (existing.name == e.name) b = &existing;
    }
    if (!b) {
      builtins_.push_back(Builtin{e.name, {}, e.description});
      b = &builtins_.back();
    }
    b->overloads.push_back(parse_signature(e.signature, types));
  }
}

const Builtin* Builtins::find(std::string_view name) const {
  for (const Builtin& b : builtins_) {
    if (b.name == name) return &b;
  }
  return nullptr;
}

std::optional<BuiltinMatch> Builtins::match(const Builtin& builtin, const std::vector<const Type*>& args) const {
  for (const Signature& sig : builtin.overloads) {
    if (sig.params.size() != args.size()) continue;
    Bindings bound;
    bool fits = true;
    for (size_t i = 0; i < args.size() && fits; ++i) fits = unify(sig.params[i], args[i], bound, types_);
    if (fits) return BuiltinMatch{&sig, substitute(sig.result, bound, types_)};
  }
  return std::nullopt;
}

}  // namespace flowc::ir
