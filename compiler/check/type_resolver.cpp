// Type names: builtins (int ... bytes), constructors (list, map, stream), and
// record aliases declared with `type`.
#include "compiler/check/type_resolver.h"

#include "compiler/check/suggest.h"

namespace flowc::check {
namespace {

const std::vector<std::string> kBuiltinTypeNames = {"int",  "float",    "bool", "str", "file",  "dir",
                                                    "size", "duration", "list", "map", "stream"};

}  // namespace

const ir::Type* limit_type_depth(CheckContext& ctx, const ir::Type* t, Span where) {
  if (t->depth() <= ir::kMaxTypeDepth) return t;
  ctx.diags.report(DiagId::TypeTooDeep, where, ir::kMaxTypeDepth)
      .with_help("a record with named fields, or a few named steps, says the same more plainly");
  return ctx.types.error();
}

const ir::Type* TypeResolver::resolve(int module, const ast::TypeExpr& type, bool allow_stream) {
  const ir::Type* t = nullptr;
  if (type.is_record) {
    std::vector<ir::Field> fields;
    std::map<std::string, Span> seen;
    for (const ast::FieldType& f : type.fields) {
      auto [it, fresh] = seen.emplace(f.name.text, f.name.span);
      if (!fresh) {
        ctx_.diags.report(DiagId::DuplicateField, f.name.span, f.name.text).with_note(it->second, "first given here");
        continue;
      }
      fields.push_back({f.name.text, resolve(module, f.type)});
    }
    t = ctx_.types.record(std::move(fields));
  } else {
    t = named(module, type, allow_stream);
  }
  if (type.has_companions) t = with_companions(t, type);
  if (type.optional) {
    if (t->is_optional()) {
      ctx_.diags.report(DiagId::DoubleOptional, type.optional_span, ctx_.display(t)).with_help("remove this `?`");
    }
    if (t->is(ir::TypeKind::Stream)) {
      ctx_.diags.report(DiagId::OptionalStream, type.span)
          .with_help("remove the `?`: a stream is always there, and one with nothing to carry simply ends at once");
      return ctx_.types.error();
    }
    t = ctx_.types.optional(t);
  }
  return limit_type_depth(ctx_, t, type.span);
}

const ir::Type* TypeResolver::named(int module, const ast::TypeExpr& type, bool allow_stream) {
  const std::string& name = type.name.text;
  auto arity = [&](size_t n, const char* what) {
    if (type.args.size() == n) return true;
    ctx_.diags.report(DiagId::TypeArity, type.span, name, what);
    return false;
  };

  if (name == "list") {
    if (!arity(1, "one type argument: list[T]")) return ctx_.types.error();
    return ctx_.types.list(resolve(module, type.args[0]));
  }
  if (name == "map") {
    if (!arity(2, "two type arguments: map[str, T]")) return ctx_.types.error();
    const ir::Type* key = resolve(module, type.args[0]);
    if (!key->is(ir::TypeKind::Str) && !key->is_error()) {
      ctx_.diags.report(DiagId::MapKeyType, type.args[0].span, ctx_.display(key));
    }
    return ctx_.types.map(resolve(module, type.args[1]));
  }
  if (name == "stream") {
    if (!arity(1, "one type argument: stream[T]")) return ctx_.types.error();
    if (!allow_stream) {
      ctx_.diags.report(DiagId::StreamTypeMisplaced, type.span)
          .with_help("streams connect ops directly; they are not values to store in lists, records or workflows");
      return ctx_.types.error();
    }
    const ir::Type* elem = stream_element(module, type.args[0]);
    return elem->is_error() ? elem : ctx_.types.stream(elem);
  }
  if (const ir::Type* p = ctx_.types.primitive(name)) {
    if (!type.args.empty()) {
      ctx_.diags.report(DiagId::TypeArity, type.span, name, "no type arguments");
      return ctx_.types.error();
    }
    if (p->is(ir::TypeKind::Bytes)) {
      ctx_.diags.report(DiagId::BytesOutsideStream, type.span);
      return ctx_.types.error();
    }
    return p;
  }
  if (const Symbol* sym = ctx_.find_symbol(module, name)) {
    if (sym->kind == Symbol::Type) {
      if (!type.args.empty()) {
        ctx_.diags.report(DiagId::TypeArity, type.span, name, "no type arguments");
        return ctx_.types.error();
      }
      return resolve_decl(sym->module, *sym->type_decl);
    }
    ctx_.diags.report(DiagId::UnknownType, type.name.span, name)
        .with_help(fmt::format("`{}` is {}, not a type", name, sym->kind == Symbol::Op ? "an op" : "a workflow"));
    return ctx_.types.error();
  }
  std::vector<std::string> candidates = kBuiltinTypeNames;
  for (const std::string& t : ctx_.symbol_names(module, Symbol::Type)) candidates.push_back(t);
  Diagnostic& d = ctx_.diags.report(DiagId::UnknownType, type.name.span, name);
  std::string hint = did_you_mean(name, candidates);
  if (hint.empty()) {
    if (name == "string") hint = "the string type is `str`";
    else if (name == "integer" || name == "long") hint = "the integer type is `int`";
    else if (name == "double" || name == "number") hint = "the floating-point type is `float`";
    else if (name == "boolean") hint = "the boolean type is `bool`";
    else if (name == "path" || name == "File") hint = "a file is `file`, a directory `dir`";
    else if (name == "array" || name == "Array" || name == "List") hint = "a list is `list[T]`";
    else if (name == "dict" || name == "Map") hint = "a map is `map[str, T]`";
  }
  if (!hint.empty()) d.with_help(hint);
  return ctx_.types.error();
}

// `file with [".fai", ".csi"?]`: checked patterns on a plain `file`.
const ir::Type* TypeResolver::with_companions(const ir::Type* t, const ast::TypeExpr& type) {
  if (t->is_error()) return t;
  if (t != ctx_.types.file()) {
    ctx_.diags.report(DiagId::CompanionsNotOnFile, type.companions_span, ctx_.display(t))
        .with_help(t->is(ir::TypeKind::Dir) ? "a folder's files travel with it already"
                                            : "declare the companions on each file: `list[file with [\".bai\"]]`");
    return ctx_.types.error();
  }
  if (type.companions.empty()) {
    ctx_.diags.report(DiagId::CompanionPattern, type.companions_span, "`with []` lists no companion")
        .with_help("name the files that travel beside it, like `file with [\".fai\"]`, or write plain `file`");
    return ctx_.types.error();
  }
  std::vector<ir::Companion> companions;
  std::map<std::string, Span> seen;
  bool ok = true;
  for (const ast::CompanionPattern& p : type.companions) {
    if (!p.plain) {
      ctx_.diags.report(DiagId::CompanionPattern, p.span, "a companion pattern is a plain string")
          .with_help("write the suffix literally, without `${...}`");
      ok = false;
      continue;
    }
    if (std::string why = ir::companion_pattern_problem(p.pattern); !why.empty()) {
      ctx_.diags
          .report(DiagId::CompanionPattern, p.span, fmt::format("`{}` is not a companion pattern: {}", p.pattern, why))
          .with_help(
              "a pattern is a suffix: `\".bai\"` for x.bam.bai, `\"^.bai\"` (one `^` per extension removed) for x.bai");
      ok = false;
      continue;
    }
    auto [it, fresh] = seen.emplace(p.pattern, p.span);
    if (!fresh) {
      ctx_.diags.report(DiagId::DuplicateCompanion, p.span, p.pattern).with_note(it->second, "first listed here");
      ok = false;
      continue;
    }
    companions.push_back({p.pattern, p.required});
  }
  return ok ? ctx_.types.file_with(std::move(companions)) : ctx_.types.error();
}

const ir::Type* TypeResolver::stream_element(int module, const ast::TypeExpr& arg) {
  if (!arg.is_record && arg.name.text == "bytes" && arg.args.empty() && !arg.optional) return ctx_.types.bytes();
  const ir::Type* elem = resolve(module, arg);
  if (elem->is_error()) return elem;
  auto plain = [](const ir::Type* t) {
    return t->is(ir::TypeKind::Str) || t->is(ir::TypeKind::Int) || t->is(ir::TypeKind::Float) ||
           t->is(ir::TypeKind::Bool);
  };
  bool ok = plain(elem);
  if (elem->is(ir::TypeKind::Record)) {
    ok = true;
    for (const ir::Field& f : elem->fields())
      ok = ok && (plain(f.type) || (f.type->is_optional() && plain(f.type->elem())));
  }
  if (!ok) {
    ctx_.diags.report(DiagId::StreamElementType, arg.span, ctx_.display(elem))
        .with_help(
            "stream elements are str (lines), bytes (frames), int, float, bool, or records of those (JSON lines)");
    return ctx_.types.error();
  }
  return elem;
}

const ir::Type* TypeResolver::resolve_decl(int module, const ast::TypeDecl& decl) {
  if (auto it = ctx_.type_decls.find(&decl); it != ctx_.type_decls.end()) return it->second;
  if (in_progress_.count(&decl)) {
    ctx_.diags.report(DiagId::RecursiveType, decl.name.span, decl.name.text)
        .with_help("a record cannot contain itself; store an id or a file instead");
    ctx_.type_decls[&decl] = ctx_.types.error();
    return ctx_.types.error();
  }
  in_progress_.insert(&decl);
  const ir::Type* t = resolve(module, decl.type);
  in_progress_.erase(&decl);
  if (auto it = ctx_.type_decls.find(&decl); it != ctx_.type_decls.end()) return it->second;  // set by a cycle
  ctx_.type_decls[&decl] = t;
  if (t->is(ir::TypeKind::Record)) ctx_.types.set_alias(t, decl.name.text);
  return t;
}

}  // namespace flowc::check
