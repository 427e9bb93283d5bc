// Expression types. Every error poisons its expression with the error type,
// which fits everything, so one mistake is reported once.
#include "compiler/check/expr_checker.h"

#include <functional>
#include <set>

#include "compiler/check/suggest.h"
#include "compiler/check/type_resolver.h"

namespace flowc::check {
namespace {

using ir::TypeKind;

bool is_zero(const ast::Expr& e) {
  if (auto* i = e.as<ast::IntLit>()) return i->value == 0;
  if (auto* f = e.as<ast::FloatLit>()) return f->value == 0.0;
  return false;
}

bool is_measure(const ir::Type* t) { return t->is(TypeKind::Size) || t->is(TypeKind::Duration); }

// A literal of type `t` that reads naturally as a default in a hint, or "...".
std::string default_literal(const ir::Type* t) {
  switch (t->kind()) {
    case TypeKind::Int: return "0";
    case TypeKind::Float: return "0.0";
    case TypeKind::Str: return "\"\"";
    case TypeKind::Bool: return "false";
    case TypeKind::Size: return "0B";
    case TypeKind::Duration: return "0s";
    case TypeKind::List: return "[]";
    case TypeKind::Map: return "{}";
    default: return "...";
  }
}

// Other languages' names for builtins, and what to write instead.
std::string builtin_alias_hint(const std::string& name) {
  static const std::map<std::string, std::string> aliases = {
      {"join", "strings are joined with sep(items, \", \")"},
      {"length", "the length of a list or string is len(x)"},
      {"size", "the length of a list or string is len(x)"},
      {"count", "the length of a list is len(x)"},
      {"concat", "join strings with sep(items, \"\") or +, lists with +"},
      {"replace", "replace with a regular expression: sub(text, pattern, replacement)"},
      {"path", "a path is file(\"...\") or dir(\"...\")"},
      {"print", "a workflow has no side effects to print; return the value as an output"},
      {"exists", "a file output that may be missing is declared `file?`; test it with defined(x)"},
      {"toString", "convert with str(x)"},
      {"to_string", "convert with str(x)"},
      {"lines", "read a file's lines with read_lines(f)"},
  };
  auto it = aliases.find(name);
  return it == aliases.end() ? std::string() : it->second;
}

// The first companion `expected` requires that `found` lacks, looking into
// lists, maps, optionals and records alike; null when none is missing.
const ir::Companion* missing_companion(const ir::Type* found, const ir::Type* expected, const ir::Type** file) {
  found = found->non_optional();
  expected = expected->non_optional();
  if (found->is(TypeKind::File) && expected->is(TypeKind::File)) {
    for (const ir::Companion& need : expected->companions()) {
      if (!need.required) continue;
      bool has = std::any_of(found->companions().begin(), found->companions().end(),
                             [&](const ir::Companion& c) { return c.pattern == need.pattern && c.required; });
      if (!has) {
        *file = found;
        return &need;
      }
    }
    return nullptr;
  }
  if (found->kind() != expected->kind()) return nullptr;
  if (found->is(TypeKind::List) || found->is(TypeKind::Map))
    return missing_companion(found->elem(), expected->elem(), file);
  if (found->is(TypeKind::Record) && found->fields().size() == expected->fields().size()) {
    for (size_t i = 0; i < found->fields().size(); ++i) {
      if (found->fields()[i].name != expected->fields()[i].name) return nullptr;
      if (auto* c = missing_companion(found->fields()[i].type, expected->fields()[i].type, file)) return c;
    }
  }
  return nullptr;
}

}  // namespace

void proven_present(const ast::Expr& condition, std::vector<std::string>& out) {
  if (auto* b = condition.as<ast::BinaryExpr>(); b && b->op == ast::BinaryOp::And) {
    proven_present(*b->lhs, out);
    proven_present(*b->rhs, out);
  } else if (auto* call = condition.as<ast::CallExpr>();
             call && call->callee.text == "defined" && call->args.size() == 1 && !call->args[0].name) {
    if (auto* name = call->args[0].value->as<ast::NameRef>()) out.push_back(name->name);
  }
}

namespace {
constexpr const char* kConnectStreamHelp = "pass it directly as an argument: `consumer(input = producer.output)`";
}  // namespace

const ir::Type* ExprChecker::check(ast::Expr& e, const ir::Type* expected, bool allow_stream) {
  const ir::Type* t = limit_type_depth(ctx_, visit(e, expected), e.span);
  e.type = t;
  if (!allow_stream && t->holds_stream()) {
    ctx_.diags.report(DiagId::StreamNotConnected, e.span).with_help(kConnectStreamHelp);
    t = ctx_.types.error();
    e.type = t;
  }
  return t;
}

bool ExprChecker::expect(ast::Expr& e, const ir::Type* expected, bool allow_stream) {
  const ir::Type* t = check(e, expected, allow_stream || expected->holds_stream());
  if (ir::is_assignable(t, expected)) return true;
  report_mismatch(e, t, expected);
  return false;
}

const NameInfo* ExprChecker::root_name(const ast::Expr& e) {
  const ast::Expr* cur = &e;
  while (true) {
    if (auto* m = cur->as<ast::MemberExpr>()) {
      cur = m->object.get();
    } else if (auto* ix = cur->as<ast::IndexExpr>()) {
      cur = ix->object.get();
    } else {
      break;
    }
  }
  if (auto* ref = cur->as<ast::NameRef>()) return names_.lookup(ref->name);
  return nullptr;
}

void ExprChecker::add_lift_notes(Diagnostic& d, const ast::Expr& e) {
  const NameInfo* info = root_name(e);
  if (!info) return;
  for (const auto& [block, is_for] : info->lifted_through) {
    d.with_note(block, is_for ? "bound inside this `for`, so after it, it is a list (one item per iteration)"
                              : "bound inside this `if`, so after it, it may be absent");
  }
}

void ExprChecker::report_mismatch(const ast::Expr& e, const ir::Type* found, const ir::Type* expected) {
  if (found->is_error() || expected->is_error()) return;
  std::string text(ctx_.text(e.span));
  if (text.size() > 40) text = "...";
  std::string f = ctx_.display(found), x = ctx_.display(expected);

  if (found->holds_stream() && expected->holds_stream()) {
    ctx_.diags.report(DiagId::StreamElementMismatch, e.span, f, x)
        .with_help("connect an output that carries the same elements, or convert them with an op in between");
    return;
  }
  if (expected->holds_stream()) {
    ctx_.diags.report(DiagId::StreamInputNeedsStream, e.span, x, x, f)
        .with_help(
            "to stream what a file holds, call an op that reads it and writes the stream on its standard "
            "output, and connect that output here");
    return;
  }
  if (found->holds_stream()) {
    ctx_.diags.report(DiagId::StreamNotConnected, e.span).with_help(kConnectStreamHelp);
    return;
  }
  if (found->is_optional() && ir::is_assignable(found->non_optional(), expected)) {
    Diagnostic& d = ctx_.diags.report(DiagId::MaybeAbsent, e.span, f, x);
    std::string fallback = fmt::format("`{} ?? {}`", text, default_literal(found->non_optional()));
    if (e.as<ast::NameRef>()) {
      d.with_help(fmt::format("give a default, {}, or use it inside `if defined({}) {{ ... }}`", fallback, text));
    } else {
      d.with_help(fmt::format("give a default: {}", fallback));
    }
    add_lift_notes(d, e);
    return;
  }
  const ir::Type* file = nullptr;
  if (const ir::Companion* need = missing_companion(found, expected, &file)) {
    std::string has = "none";
    for (const ir::Companion& c : file->companions()) {
      if (c.pattern == need->pattern) has = fmt::format("it only as optional (`\"{}\"?`)", c.pattern);
    }
    if (has == "none" && !file->companions().empty()) {
      std::vector<std::string> names;
      for (const ir::Companion& c : file->companions()) names.push_back("`" + c.pattern + "`");
      has = fmt::format("only {}", fmt::join(names, ", "));
    }
    Diagnostic& d = ctx_.diags.report(DiagId::MissingCompanion, e.span, x, need->pattern, has);
    // `s.sorted`: the call's output is where the companion must be declared.
    const auto* member = e.as<ast::MemberExpr>();
    const NameInfo* made_by = member ? root_name(e) : nullptr;
    if (made_by && made_by->kind == ast::NameTarget::Binding && member->object->as<ast::NameRef>()) {
      d.with_note(made_by->defined_at, fmt::format("made here: declare it on the op's output, `{}: file with "
                                                   "[\"{}\"]`, and have its command write it",
                                                   member->field.text, need->pattern));
    }
    d.with_help(
        fmt::format("declare it where the file is made (an op output `x: file with [\"{}\"]` whose command "
                    "writes it, or a workflow input of that type), or make it in a step before this one; a "
                    "path written as a literal or with file(...) is checked when the run starts",
                    need->pattern));
    add_lift_notes(d, e);
    return;
  }
  Diagnostic& d = ctx_.diags.report(DiagId::TypeMismatch, e.span, x, f);
  TypeKind fk = found->kind(), xk = expected->kind();
  if (fk == TypeKind::Str && (xk == TypeKind::File || xk == TypeKind::Dir)) {
    d.with_help(fmt::format("wrap it: {}({})", x, text));
  } else if ((fk == TypeKind::File || fk == TypeKind::Dir) && xk == TypeKind::Str) {
    d.with_help(fmt::format("use its path: str({})", text));
  } else if (xk == TypeKind::Str && found->is_scalar()) {
    d.with_help(fmt::format("convert it: str({})", text));
  } else if (fk == TypeKind::Float && xk == TypeKind::Int) {
    d.with_help(fmt::format("convert it: int({}), round({}), floor({}) or ceil({})", text, text, text, text));
  } else if (fk == TypeKind::Str && (xk == TypeKind::Int || xk == TypeKind::Float)) {
    d.with_help(fmt::format("convert it: {}({})", x, text));
  } else if (fk == TypeKind::Int && xk == TypeKind::Size) {
    d.with_help("give it a unit, like 512MiB or 8GiB");
  } else if (fk == TypeKind::Int && xk == TypeKind::Duration) {
    d.with_help("give it a unit, like 30s, 10m or 2h");
  } else if (fk == TypeKind::List && ir::is_assignable(found->elem(), expected)) {
    d.with_help("this is a list; pass one item, or do this inside the `for` that made it");
  } else if (xk == TypeKind::List && ir::is_assignable(found, expected->elem())) {
    d.with_help(fmt::format("wrap it in a list: [{}]", text));
  }
  add_lift_notes(d, e);
}

bool ExprChecker::check_interpolated(const ast::Expr& e, const ir::Type* t, std::string_view into, bool allow_lists) {
  if (t->is_error()) return true;
  const ir::Type* inner = t->non_optional();
  bool ok =
      inner->is_scalar() || (allow_lists && inner->is(TypeKind::List) && inner->elem()->non_optional()->is_scalar());
  if (ok && t->is_optional() && !allow_lists) {
    // A string (not a command) needs a value to put in.
    std::string text(ctx_.text(e.span));
    ctx_.diags.report(DiagId::MaybeAbsent, e.span, ctx_.display(t), "a value")
        .with_help(fmt::format("give a default: ${{{} ?? {}}}", text, default_literal(inner)));
    return false;
  }
  if (ok) return true;
  Diagnostic& d = ctx_.diags.report(DiagId::CannotInterpolate, e.span, ctx_.display(t), into);
  std::string text(ctx_.text(e.span));
  if (inner->is(TypeKind::List)) {
    d.with_help(fmt::format("join the items: sep({}, \" \")", text));
  } else if (inner->is(TypeKind::Record)) {
    d.with_help(fmt::format("put in one of its fields, like {}.{}", text,
                            inner->fields().empty() ? "field" : inner->fields()[0].name));
  }
  return false;
}

const ir::Type* ExprChecker::visit(ast::Expr& e, const ir::Type* expected) {
  const ir::Type* t = std::visit(
      [&](auto& node) -> const ir::Type* {
        using N = std::decay_t<decltype(node)>;
        if constexpr (std::is_same_v<N, ast::IntLit>) return ctx_.types.int_();
        else if constexpr (std::is_same_v<N, ast::FloatLit>) return ctx_.types.float_();
        else if constexpr (std::is_same_v<N, ast::SizeLit>) return ctx_.types.size();
        else if constexpr (std::is_same_v<N, ast::DurationLit>) return ctx_.types.duration();
        else if constexpr (std::is_same_v<N, ast::BoolLit>) return ctx_.types.bool_();
        else if constexpr (std::is_same_v<N, ast::NoneLit>) {
          return expected && expected->is_optional() ? expected : ctx_.types.none();
        } else if constexpr (std::is_same_v<N, ast::StringLit>) {
          // A plain literal where a path is expected is that path: "data.csv".
          if (expected && expected->non_optional()->is_path() && node.is_plain()) return expected->non_optional();
          return string(node);
        } else if constexpr (std::is_same_v<N, ast::NameRef>) return name(e, node);
        else if constexpr (std::is_same_v<N, ast::CallExpr>) return named_paths(node, call(e, node), expected);
        else if constexpr (std::is_same_v<N, ast::MemberExpr>) return member(node);
        else if constexpr (std::is_same_v<N, ast::IndexExpr>) return index(node);
        else if constexpr (std::is_same_v<N, ast::UnaryExpr>) return unary(node);
        else if constexpr (std::is_same_v<N, ast::BinaryExpr>) return binary(node);
        else if constexpr (std::is_same_v<N, ast::ListExpr>) return list(node, expected);
        else if constexpr (std::is_same_v<N, ast::RecordExpr>) return record(node, expected);
        else return map(node, expected);
      },
      e.node);
  e.type = t;
  return t;
}

// A path the workflow names itself, `file("x.bam")` or `glob("*.bam")`, takes
// the companions expected of it, as a string literal does: they are checked
// beside the file when the run starts (the runtime's survey of known paths).
const ir::Type* ExprChecker::named_paths(const ast::CallExpr& c, const ir::Type* t, const ir::Type* expected) {
  if (!expected || t->is_error()) return t;
  const ir::Type* want = expected->non_optional();
  if (c.callee.text == "file" && t == ctx_.types.file() && want->is(TypeKind::File)) return want;
  if (c.callee.text == "glob" && t == ctx_.types.list(ctx_.types.file()) && want->is(TypeKind::List) &&
      want->elem()->is(TypeKind::File)) {
    return want;
  }
  return t;
}

const ir::Type* ExprChecker::name(ast::Expr& e, ast::NameRef& ref) {
  if (const NameInfo* info = names_.lookup(ref.name)) {
    ref.target = ast::NameTarget{info->kind, ref.name};
    if (auto it = narrowed_.find(ref.name); it != narrowed_.end()) return it->second.type;
    return info->type;
  }
  if (const Symbol* sym = ctx_.find_symbol(module_, ref.name)) {
    const char* what = sym->kind == Symbol::Op ? "an op" : sym->kind == Symbol::Workflow ? "a workflow" : "a type";
    Diagnostic& d = ctx_.diags.report(DiagId::NotAValue, e.span, ref.name, what);
    if (sym->kind != Symbol::Type) d.with_help(fmt::format("call it and bind the result: `x = {}(...)`", ref.name));
    return ctx_.types.error();
  }
  if (ctx_.builtins.find(ref.name)) {
    ctx_.diags.report(DiagId::NotAValue, e.span, ref.name, "a builtin function")
        .with_help(fmt::format("call it: {}(...)", ref.name));
    return ctx_.types.error();
  }
  if (auto later = names_.bound_later(ref.name)) {
    ctx_.diags.report(DiagId::UseBeforeBind, e.span, ref.name)
        .with_note(*later, "bound here")
        .with_help("a workflow reads top to bottom: move the binding above this use");
    return ctx_.types.error();
  }
  Diagnostic& d = ctx_.diags.report(DiagId::UnknownName, e.span, ref.name);
  std::string hint = did_you_mean(ref.name, names_.names());
  if (hint.empty()) hint = names_.unknown_hint(ref.name);
  if (!hint.empty()) d.with_help(hint);
  return ctx_.types.error();
}

const ir::Type* ExprChecker::call(ast::Expr& e, ast::CallExpr& c) {
  const std::string& callee = c.callee.text;
  if (const Symbol* sym = ctx_.find_symbol(module_, callee); sym && sym->kind != Symbol::Type) {
    // Ops and workflows are steps: only a binding statement may call them
    // (the workflow checker handles that case before coming here).
    const char* what = sym->kind == Symbol::Op ? "op" : "workflow";
    c.target.kind = sym->kind == Symbol::Op ? ast::CallTarget::Op : ast::CallTarget::Workflow;
    ctx_.diags.report(DiagId::CallNotBound, e.span, what, callee)
        .with_help(place_ == ExprPlace::Workflow
                       ? fmt::format("make it a step of its own: `x = {}(...)`, then use x's outputs here", callee)
                       : fmt::format("{}s run as steps of a workflow, not inside an op", what));
    for (ast::Arg& a : c.args) check(*a.value);
    return ctx_.types.error();
  }
  const ir::Builtin* builtin = ctx_.builtins.find(callee);
  if (!builtin) {
    for (ast::Arg& a : c.args) check(*a.value);
    std::vector<std::string> candidates;
    for (const ir::Builtin& b : ctx_.builtins.all()) candidates.push_back(b.name);
    for (auto kind : {Symbol::Op, Symbol::Workflow}) {
      for (const std::string& n : ctx_.symbol_names(module_, kind)) candidates.push_back(n);
    }
    Diagnostic& d = ctx_.diags.report(DiagId::UnknownCallee, c.callee.span, callee);
    std::string hint = builtin_alias_hint(callee);
    if (hint.empty()) hint = did_you_mean(callee, candidates);
    if (!hint.empty()) d.with_help(hint);
    return ctx_.types.error();
  }
  c.target.kind = ast::CallTarget::Builtin;
  if (callee == "glob" && place_ != ExprPlace::OutputPath && place_ != ExprPlace::Workflow &&
      place_ != ExprPlace::Default) {
    ctx_.diags.report(DiagId::GlobMisplaced, e.span)
        .with_help(place_ == ExprPlace::OpCommand
                       ? "an op's files are its inputs: take them as `parts: list[file]` and let the workflow "
                         "pass `glob(\"...\")`, or match outputs: `parts: list[file] = glob(\"chunk_*\")`"
                       : "list the files in the workflow and pass them in");
  }

  std::vector<const ir::Type*> args;
  bool poisoned = false;
  for (size_t i = 0; i < c.args.size(); ++i) {
    ast::Arg& a = c.args[i];
    if (a.name) {
      ctx_.diags.report(DiagId::NamedBuiltinArgument, a.name->span, callee)
          .with_help(fmt::format("remove `{} =`", a.name->text));
    }
    // Where every overload of this arity takes a path at this position, a
    // string literal is that path: read_lines("samples.txt").
    const ir::Type* path = nullptr;
    bool all_paths = false;
    for (const ir::Signature& sig : builtin->overloads) {
      if (sig.params.size() != c.args.size()) continue;
      const ir::Type* p = sig.params[i];
      if (!p->is_path() || (path && path != p)) {
        all_paths = false;
        path = nullptr;
        break;
      }
      path = p;
      all_paths = true;
    }
    const ir::Type* t = check(*a.value, all_paths ? path : nullptr);
    poisoned = poisoned || t->is_error();
    args.push_back(t);
  }
  if (auto match = ctx_.builtins.match(*builtin, args)) return match->result;
  if (poisoned) return ctx_.types.error();

  bool arity_fits = false;
  for (const ir::Signature& sig : builtin->overloads) arity_fits = arity_fits || sig.params.size() == args.size();
  std::vector<std::string> sigs;
  for (const ir::Signature& sig : builtin->overloads) sigs.push_back(callee + sig.text);
  std::string signatures = fmt::format("{}", fmt::join(sigs, ", "));
  if (!arity_fits) {
    std::set<size_t> counts;
    for (const ir::Signature& sig : builtin->overloads) counts.insert(sig.params.size());
    std::vector<std::string> words;
    for (size_t n : counts) words.push_back(std::to_string(n));
    std::string takes = fmt::format("{} argument{}", fmt::join(words, " or "), *counts.rbegin() == 1 ? "" : "s");
    ctx_.diags.report(DiagId::BuiltinArity, c.args_span, callee, takes, args.size()).with_help(signatures);
    return ctx_.types.error();
  }
  // Would it fit if the optional arguments were present? Then say that.
  std::vector<const ir::Type*> present;
  for (const ir::Type* t : args) present.push_back(t->non_optional());
  if (ctx_.builtins.match(*builtin, present)) {
    for (size_t i = 0; i < args.size(); ++i) {
      if (args[i]->is_optional()) {
        report_mismatch(*c.args[i].value, args[i], args[i]->non_optional());
        return ctx_.types.error();
      }
    }
  }
  // Point at the first argument no overload of this arity accepts.
  size_t culprit = 0;
  for (size_t i = 0; i < args.size(); ++i) {
    bool some = false;
    for (const ir::Signature& sig : builtin->overloads) {
      if (sig.params.size() != args.size()) continue;
      // An argument fits a position if replacing that parameter keeps a match possible.
      std::vector<const ir::Type*> trial = args;
      for (size_t k = 0; k < trial.size(); ++k) {
        if (k != i) trial[k] = ctx_.types.error();
      }
      some = some || ctx_.builtins.match(*builtin, trial).has_value();
    }
    if (!some) {
      culprit = i;
      break;
    }
  }
  ctx_.diags
      .report(DiagId::BuiltinArgument, c.args[culprit].value->span, callee, ctx_.display(args[culprit]), culprit + 1)
      .with_help(fmt::format("{} takes: {}", callee, signatures));
  return ctx_.types.error();
}

const ir::Type* ExprChecker::member(ast::MemberExpr& m) {
  const ir::Type* object = check(*m.object, nullptr, true);
  if (object->is_error()) return object;
  const std::string& field = m.field.text;
  if (object->is_optional() && object->non_optional()->is(TypeKind::Record) && object->non_optional()->field(field)) {
    report_mismatch(*m.object, object, object->non_optional());
    return ctx_.types.error();
  }
  if (object->is(TypeKind::Record)) {
    if (const ir::Type* t = object->field(field)) return t;
    std::vector<std::string> names;
    for (const ir::Field& f : object->fields()) names.push_back(f.name);
    Diagnostic& d = ctx_.diags.report(DiagId::NoSuchField, m.field.span, ctx_.display(object), field);
    std::string hint = did_you_mean(field, names);
    if (hint.empty() && !names.empty()) hint = fmt::format("its fields are: {}", fmt::join(names, ", "));
    if (!hint.empty()) d.with_help(hint);
    return ctx_.types.error();
  }
  Diagnostic& d = ctx_.diags.report(DiagId::NoSuchField, m.field.span, ctx_.display(object), field);
  if (object->is(TypeKind::List) && object->elem()->is(TypeKind::Record) && object->elem()->field(field)) {
    d.with_help("this is a list of records; take the field inside the `for` that made it, or index an item first");
    add_lift_notes(d, *m.object);
  }
  return ctx_.types.error();
}

const ir::Type* ExprChecker::index(ast::IndexExpr& ix) {
  const ir::Type* object = check(*ix.object);
  const ir::Type* at = check(*ix.index);
  if (object->is_error()) return object;
  if (object->is(TypeKind::List)) {
    if (!ir::is_assignable(at, ctx_.types.int_())) report_mismatch(*ix.index, at, ctx_.types.int_());
    return object->elem();
  }
  if (object->is(TypeKind::Map)) {
    if (!ir::is_assignable(at, ctx_.types.str())) report_mismatch(*ix.index, at, ctx_.types.str());
    return object->elem();
  }
  if (object->is_optional() && (object->elem()->is(TypeKind::List) || object->elem()->is(TypeKind::Map))) {
    report_mismatch(*ix.object, object, object->elem());
    return ctx_.types.error();
  }
  ctx_.diags.report(DiagId::NotIndexable, ix.object->span, ctx_.display(object));
  return ctx_.types.error();
}

const ir::Type* ExprChecker::unary(ast::UnaryExpr& u) {
  const ir::Type* t = check(*u.operand);
  if (t->is_error()) return t;
  if (u.op == ast::UnaryOp::Negate && (t->is_numeric() || is_measure(t))) return t;
  if (u.op == ast::UnaryOp::Not && t->is(TypeKind::Bool)) return t;
  Diagnostic& d = ctx_.diags.report(DiagId::UnaryOperatorType, u.op_span, ast::spelling(u.op), ctx_.display(t));
  if (t->is_optional()) d.with_help("it may be absent: give a default with `??` first");
  return ctx_.types.error();
}

// + - * / % on numbers, sizes and durations; + on strings and lists.
const ir::Type* ExprChecker::arithmetic(ast::BinaryExpr& b, const ir::Type* l, const ir::Type* r) {
  using ast::BinaryOp;
  auto& T = ctx_.types;
  const bool both_int = l->is(TypeKind::Int) && r->is(TypeKind::Int);
  const bool numeric = l->is_numeric() && r->is_numeric();
  switch (b.op) {
    case BinaryOp::Add:
      if (numeric) return both_int ? T.int_() : T.float_();
      if (l->non_optional()->is(TypeKind::Str) && r->non_optional()->is(TypeKind::Str)) {
        // An absent part makes the whole string absent: "--ref=" + ref is
        // str? and disappears from a command when ref is absent.
        return l->is_optional() || r->is_optional() ? T.optional(T.str()) : T.str();
      }
      if (is_measure(l) && l == r) return l;
      if (l->is(TypeKind::List) && r->is(TypeKind::List)) {
        if (const ir::Type* c = ir::common_type(T, l, r)) return c;
      }
      return nullptr;
    case BinaryOp::Sub:
      if (numeric) return both_int ? T.int_() : T.float_();
      if (is_measure(l) && l == r) return l;
      return nullptr;
    case BinaryOp::Mul:
      if (numeric) return both_int ? T.int_() : T.float_();
      if (is_measure(l) && r->is_numeric()) return l;
      if (l->is_numeric() && is_measure(r)) return r;
      return nullptr;
    case BinaryOp::Div:
      if (numeric) return both_int ? T.int_() : T.float_();
      if (is_measure(l) && r->is_numeric()) return l;
      if (is_measure(l) && l == r) return T.float_();
      return nullptr;
    case BinaryOp::Mod: return both_int ? T.int_() : nullptr;
    default: return nullptr;
  }
}

const ir::Type* ExprChecker::binary(ast::BinaryExpr& b) {
  using ast::BinaryOp;
  auto& T = ctx_.types;
  const ir::Type* l = check(*b.lhs);
  // The left side guides literals on the right only where both must be of one
  // type: `x ?? []`, `f == "a.txt"`, `x != none`.
  const ir::Type* hint = b.op == BinaryOp::Coalesce                     ? l->non_optional()
                         : b.op == BinaryOp::Eq || b.op == BinaryOp::Ne ? l
                                                                        : nullptr;
  // Right of `defined(x) &&`, x is present.
  std::vector<std::string> added;
  if (b.op == BinaryOp::And) {
    std::vector<std::string> present;
    proven_present(*b.lhs, present);
    for (const std::string& n : present) {
      const NameInfo* info = names_.lookup(n);
      if (!info || !info->type->is_optional() || narrowed_.count(n)) continue;
      NameInfo narrowed = *info;
      narrowed.type = info->type->non_optional();
      narrowed_.emplace(n, narrowed);
      added.push_back(n);
    }
  }
  const ir::Type* r = check(*b.rhs, hint);
  for (const std::string& n : added) narrowed_.erase(n);
  if (l->is_error() || r->is_error()) return T.error();

  const ir::Type* result = nullptr;
  switch (b.op) {
    case BinaryOp::Or:
    case BinaryOp::And:
      if (l->is(TypeKind::Bool) && r->is(TypeKind::Bool)) result = T.bool_();
      break;
    case BinaryOp::Eq:
    case BinaryOp::Ne:
      if (ir::common_type(T, l, r)) result = T.bool_();
      break;
    case BinaryOp::Lt:
    case BinaryOp::Le:
    case BinaryOp::Gt:
    case BinaryOp::Ge:
      if ((l->is_numeric() && r->is_numeric()) || (l == r && (l->is(TypeKind::Str) || is_measure(l)))) {
        result = T.bool_();
      }
      break;
    case BinaryOp::Coalesce: {
      if (!l->is_optional() && !l->is(TypeKind::None)) {
        ctx_.diags.report(DiagId::NeverAbsent, b.op_span, ctx_.display(l))
            .with_help(fmt::format("remove `?? {}`", ctx_.text(b.rhs->span)));
      }
      result = ir::common_type(T, l->is(TypeKind::None) ? r : l->non_optional(), r);
      break;
    }
    default:
      if ((b.op == BinaryOp::Div || b.op == BinaryOp::Mod) && is_zero(*b.rhs)) {
        ctx_.diags.report(DiagId::DivisionByZero, b.rhs->span);
        return T.error();
      }
      result = arithmetic(b, l, r);
      break;
  }
  if (result) return result;

  Diagnostic& d =
      ctx_.diags.report(DiagId::OperatorTypes, b.op_span, ast::spelling(b.op), ctx_.display(l), ctx_.display(r));
  // The operands of a `+` chain as they would sit in an interpolated string:
  // sample + "_L" + lane → ${sample}_L${lane}.
  std::function<std::string(const ast::Expr&)> pieces = [&](const ast::Expr& e) -> std::string {
    if (auto* sum = e.as<ast::BinaryExpr>(); sum && sum->op == BinaryOp::Add)
      return pieces(*sum->lhs) + pieces(*sum->rhs);
    if (auto* s = e.as<ast::StringLit>(); s && s->is_plain()) return s->plain_text();
    return "${" + std::string(ctx_.text(e.span)) + "}";
  };
  if (b.op == BinaryOp::Coalesce) {
    d.with_help(
        fmt::format("both sides of `??` need one type: give a default of type {}", ctx_.display(l->non_optional())));
  } else if (l->is_optional() || r->is_optional()) {
    d.with_help("a value may be absent: give it a default with `??` first");
  } else if (b.op == BinaryOp::Add && (l->is_path() || r->is_path())) {
    d.with_help(fmt::format("build a path with interpolation: \"{}{}\"", pieces(*b.lhs), pieces(*b.rhs)));
  } else if (b.op == BinaryOp::Add && (l->is(TypeKind::Str) || r->is(TypeKind::Str))) {
    d.with_help(fmt::format("build the text with interpolation: \"{}{}\"", pieces(*b.lhs), pieces(*b.rhs)));
  } else if ((b.op == BinaryOp::And || b.op == BinaryOp::Or) && (l->is_numeric() || r->is_numeric())) {
    d.with_help("compare first, e.g. `n > 0`");
  }
  return T.error();
}

const ir::Type* ExprChecker::list(ast::ListExpr& l, const ir::Type* expected) {
  const ir::Type* want = expected && expected->is(TypeKind::List) ? expected->elem() : nullptr;
  if (l.items.empty()) return expected && expected->is(TypeKind::List) ? expected : ctx_.types.list(ctx_.types.error());
  const ir::Type* elem = nullptr;
  for (ast::ExprPtr& item : l.items) {
    const ir::Type* t = check(*item, want, true);
    if (!elem) {
      elem = t;
      continue;
    }
    const ir::Type* joined = ir::common_type(ctx_.types, elem, t);
    if (!joined) {
      ctx_.diags.report(DiagId::MixedListTypes, item->span, ctx_.display(elem), ctx_.display(t))
          .with_help("a list holds one type; use a record for values of different types");
      return ctx_.types.error();
    }
    elem = joined;
  }
  return ctx_.types.list(elem);
}

const ir::Type* ExprChecker::record(ast::RecordExpr& r, const ir::Type* expected) {
  std::vector<ir::Field> fields;
  std::map<std::string, Span> seen;
  for (ast::FieldInit& f : r.fields) {
    auto [it, fresh] = seen.emplace(f.name.text, f.name.span);
    const ir::Type* want = expected && expected->is(TypeKind::Record) ? expected->field(f.name.text) : nullptr;
    const ir::Type* t = check(*f.value, want, true);
    if (!fresh) {
      ctx_.diags.report(DiagId::DuplicateField, f.name.span, f.name.text).with_note(it->second, "first given here");
      continue;
    }
    fields.push_back({f.name.text, t});
  }
  return ctx_.types.record(std::move(fields));
}

const ir::Type* ExprChecker::map(ast::MapExpr& m, const ir::Type* expected) {
  const ir::Type* want = expected && expected->is(TypeKind::Map) ? expected->elem() : nullptr;
  if (m.entries.empty()) return expected && expected->is(TypeKind::Map) ? expected : ctx_.types.map(ctx_.types.error());
  const ir::Type* value = nullptr;
  bool ok = true;
  // `{ id: "a", reads: r }`, every key a bare name, is a record written with
  // `:` (JSON, Python): one error for the whole literal.
  auto bare_name = [](const ast::MapEntry& entry) { return entry.key->as<ast::NameRef>(); };
  bool record_like = std::all_of(m.entries.begin(), m.entries.end(), bare_name) &&
                     std::any_of(m.entries.begin(), m.entries.end(),
                                 [&](const ast::MapEntry& entry) { return !names_.lookup(bare_name(entry)->name); });
  if (record_like) {
    std::vector<std::string> fields;
    for (ast::MapEntry& entry : m.entries) {
      fields.push_back(entry.key->as<ast::NameRef>()->name + " = ...");
      check(*entry.value);
    }
    ctx_.diags.report(DiagId::RecordWithColon, m.entries[0].key->span)
        .with_help(fmt::format("write {{ {} }}; a map's keys are strings in quotes: {{ \"{}\": ... }}",
                               fmt::join(fields, ", "), m.entries[0].key->as<ast::NameRef>()->name));
    return ctx_.types.error();
  }
  for (ast::MapEntry& entry : m.entries) {
    if (auto* ref = bare_name(entry); ref && !names_.lookup(ref->name)) {
      ctx_.diags.report(DiagId::UnknownName, entry.key->span, ref->name)
          .with_help(fmt::format("a map's keys are strings in quotes: \"{}\"", ref->name));
      check(*entry.value);
      ok = false;
      continue;
    }
    const ir::Type* k = check(*entry.key);
    if (!k->is_error() && !k->is(TypeKind::Str)) {
      ctx_.diags.report(DiagId::MapKeyType, entry.key->span, ctx_.display(k));
      ok = false;
    }
    const ir::Type* v = check(*entry.value, want);
    if (!value) {
      value = v;
      continue;
    }
    const ir::Type* joined = ir::common_type(ctx_.types, value, v);
    if (!joined) {
      ctx_.diags.report(DiagId::MixedListTypes, entry.value->span, ctx_.display(value), ctx_.display(v));
      ok = false;
      continue;
    }
    value = joined;
  }
  return ok ? ctx_.types.map(value) : ctx_.types.error();
}

const ir::Type* ExprChecker::string(ast::StringLit& s) {
  bool ok = true;
  for (ast::StringPart& part : s.parts) {
    if (!part.expr) continue;
    const ir::Type* t = check(*part.expr);
    ok = check_interpolated(*part.expr, t, "a string", false) && ok;
  }
  return ok ? ctx_.types.str() : ctx_.types.error();
}

}  // namespace flowc::check
