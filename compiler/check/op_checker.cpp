// Ops. Clauses are a registry of names with the shape of value each takes;
// the run command's interpolations are checked like any expression and then
// given their shell quoting context.
#include "compiler/check/op_checker.h"

#include <set>

#include "compiler/check/expr_checker.h"
#include "compiler/check/shell_context.h"
#include "compiler/check/signature_builder.h"
#include "compiler/check/suggest.h"

namespace flowc::check {
namespace {

using ir::TypeKind;

const std::vector<std::string> kClauses = {"run",     "image", "executor", "resources", "mpi",     "retry",
                                           "timeout", "cache", "network",  "env",       "streams", "shell"};

// The names an op's expressions can use: its inputs (those declared before,
// for a default) and, in the command, its outputs.
class OpNames : public NameEnv {
 public:
  OpNames(const ast::OpDecl& op, size_t visible_inputs, bool outputs_visible, bool in_command)
      : in_command_(in_command) {
    for (size_t i = 0; i < visible_inputs && i < op.inputs.size(); ++i) add(op.inputs[i], ast::NameTarget::Input);
    for (size_t i = visible_inputs; i < op.inputs.size(); ++i) later_inputs_.insert(op.inputs[i].name.text);
    if (outputs_visible) {
      for (const ast::Param& p : op.outputs) add(p, ast::NameTarget::Output);
    }
  }
  const NameInfo* lookup(const std::string& name) override {
    auto it = names_.find(name);
    return it == names_.end() ? nullptr : &it->second;
  }
  std::vector<std::string> names() const override {
    std::vector<std::string> out;
    for (const auto& [n, info] : names_) out.push_back(n);
    return out;
  }
  std::string unknown_hint(const std::string& name) const override {
    if (later_inputs_.count(name)) {
      return fmt::format("a default can use only the inputs declared before it; move `{}` earlier", name);
    }
    if (!in_command_) return {};
    return fmt::format(
        "`${{{0}}}` puts in a value of this op; for the shell's own variable write `$${{{0}}}` or `${0}`", name);
  }

 private:
  void add(const ast::Param& p, ast::NameTarget::Kind kind) {
    if (!p.resolved) return;
    NameInfo info;
    info.kind = kind;
    info.type = p.resolved;
    info.defined_at = p.name.span;
    names_.emplace(p.name.text, info);
  }
  std::map<std::string, NameInfo> names_;
  std::set<std::string> later_inputs_;
  bool in_command_;
};

bool is_file_like(const ir::Type* t) {
  const ir::Type* inner = t->non_optional();
  return inner->is(TypeKind::File) || inner->is(TypeKind::Dir);
}

bool is_file_list(const ir::Type* t) {
  return t->is(TypeKind::List) && (t->elem()->is(TypeKind::File) || t->elem()->is(TypeKind::Dir));
}

}  // namespace

void OpChecker::check_signature(int module, ast::OpDecl& op) {
  ctx_.op_signatures[&op] =
      build_signature(ctx_, types_, module, op.name.text, op.inputs, op.outputs, /*allow_stream=*/true);
}

void OpChecker::check_body(int module, ast::OpDecl& op) {
  // Input defaults may use the inputs declared before them.
  for (size_t i = 0; i < op.inputs.size(); ++i) {
    ast::Param& p = op.inputs[i];
    if (!p.default_value) continue;
    if (p.resolved && p.resolved->is(TypeKind::Stream)) {
      ctx_.diags.report(DiagId::StreamInputDefault, p.default_value->span)
          .with_help("a stream is connected by the workflow that calls the op");
      continue;
    }
    OpNames names(op, i, false, false);
    ExprChecker(ctx_, module, names, ExprPlace::Default).expect(*p.default_value, p.resolved);
  }
  check_outputs(module, op);

  std::map<std::string, Span> seen;
  bool has_run = false;
  for (ast::Clause& clause : op.clauses) {
    auto [it, fresh] = seen.emplace(clause.name.text, clause.name.span);
    if (!fresh) {
      ctx_.diags.report(DiagId::DuplicateClause, clause.name.span, clause.name.text)
          .with_note(it->second, "first given here");
      continue;
    }
    has_run = has_run || clause.name.text == "run";
    check_clause(module, op, clause);
  }
  if (!has_run) {
    ctx_.diags.report(DiagId::MissingRun, op.name.span, op.name.text)
        .with_help("add the command it runs: run \"\"\"...\"\"\"");
  }
}

void OpChecker::check_outputs(int module, ast::OpDecl& op) {
  for (ast::Param& p : op.outputs) {
    const ir::Type* t = p.resolved;
    if (!t || t->is_error()) continue;
    if (t->is(TypeKind::Stream)) {
      if (p.default_value) {
        ctx_.diags.report(DiagId::StreamOutputPath, p.default_value->span)
            .with_help("the command writes the stream to its standard output");
      }
      continue;
    }
    if (!p.default_value) {
      if (is_file_list(t)) {
        ctx_.diags.report(DiagId::FileListWithoutPaths, p.span, p.name.text)
            .with_help(
                fmt::format("match them in the work dir: `{}: {} = glob(\"part_*\")`", p.name.text, ctx_.display(t)));
      }
      continue;
    }
    OpNames names(op, op.inputs.size(), false, false);
    ExprChecker exprs(ctx_, module, names, ExprPlace::OutputPath);
    if (is_file_like(t)) {
      const ir::Type* found = exprs.check(*p.default_value, ctx_.types.str());
      if (!ir::is_assignable(found, ctx_.types.str())) {
        exprs.report_mismatch(*p.default_value, found, ctx_.types.str());
        if (found->is(TypeKind::List)) {
          ctx_.diags.report(DiagId::OneFileFindsList, p.type.span, p.name.text, ctx_.display(t))
              .with_help(fmt::format("declare it `{}: list[{}]`", p.name.text, ctx_.display(t->non_optional())));
        }
      }
    } else if (is_file_list(t)) {
      exprs.expect(*p.default_value, ctx_.types.list(t->elem()));
    } else {
      exprs.check(*p.default_value);
      ctx_.diags.report(DiagId::ValueOutputPath, p.default_value->span, p.name.text, ctx_.display(t))
          .with_help(
              fmt::format("the command writes the value to the file `${{{}}}` names; remove `= ...`", p.name.text));
    }
  }
}

void OpChecker::check_clause(int module, ast::OpDecl& op, ast::Clause& clause) {
  const std::string& name = clause.name.text;
  auto constant_string = [&] {
    auto* s = clause.value->as<ast::StringLit>();
    if (!s || !s->is_plain()) {
      ctx_.diags.report(DiagId::ClauseNotConstant, clause.value->span, name, "write a plain string")
          .with_help(fmt::format("{} \"...\"", name));
    }
  };
  auto constant_bool = [&] {
    if (!clause.value->as<ast::BoolLit>()) {
      ctx_.diags.report(DiagId::ClauseNotConstant, clause.value->span, name, "write true or false");
    }
  };

  if (name == "run") {
    check_run(module, op, clause);
  } else if (name == "image" || name == "executor") {
    constant_string();
  } else if (name == "cache" || name == "network") {
    constant_bool();
  } else if (name == "streams") {
    // How the command meets its streams: "stdio" (flowc bridges them to
    // stdin/stdout) or "native" (it speaks ZeroMQ, endpoints in the environment).
    auto* s = clause.value->as<ast::StringLit>();
    std::string text = s && s->is_plain() ? s->plain_text() : std::string();
    if (text != "stdio" && text != "native") {
      ctx_.diags.report(DiagId::UnknownStreamsMode, clause.value->span)
          .with_help(
              "\"native\": the command connects to its streams itself (runtime/streams/flowc_stream.hpp); "
              "\"stdio\" (the default): it reads its input stream on stdin and writes its output stream on stdout");
    }
  } else if (name == "shell") {
    check_shell(clause);
  } else if (name == "resources") {
    check_record_clause(module, op, clause,
                        {{"cpus", ctx_.types.int_()},
                         {"mem", ctx_.types.size()},
                         {"gpus", ctx_.types.int_()},
                         {"time", ctx_.types.duration()}});
  } else if (name == "mpi") {
    check_record_clause(module, op, clause, {{"ranks", ctx_.types.int_()}});
  } else if (name == "timeout") {
    OpNames names(op, op.inputs.size(), false, false);
    ExprChecker(ctx_, module, names, ExprPlace::OpClause).expect(*clause.value, ctx_.types.duration());
    if (auto* d = clause.value->as<ast::DurationLit>(); d && d->seconds <= 0) {
      ctx_.diags.report(DiagId::DurationNotPositive, clause.value->span, "timeout")
          .with_help("give a duration such as `timeout 30m`, or remove the clause for no time limit");
    }
  } else if (name == "retry") {
    check_retry(clause);
  } else if (name == "env") {
    check_env(module, op, clause);
  } else {
    Diagnostic& d = ctx_.diags.report(DiagId::UnknownClause, clause.name.span, name);
    std::string hint = did_you_mean(name, kClauses);
    if (hint.empty()) {
      static const std::map<std::string, std::string> common = {
          {"command", "the command is given with `run`"},
          {"script", "the command is given with `run`"},
          {"bash", "the shell is chosen with `shell \"bash\"` (the default) or `shell \"sh\"`"},
          {"interpreter", "the shell is chosen with `shell \"bash\"` (the default) or `shell \"sh\"`"},
          {"container", "the container image is given with `image`"},
          {"docker", "the container image is given with `image`"},
          {"singularity", "the container image is given with `image`"},
          {"memory", "memory is a resource: resources { mem = 8GiB }"},
          {"mem", "memory is a resource: resources { mem = 8GiB }"},
          {"cpus", "cpus are a resource: resources { cpus = 4 }"},
          {"cpu", "cpus are a resource: resources { cpus = 4 }"},
          {"threads", "cpus are a resource: resources { cpus = 4 }"},
          {"gpus", "gpus are a resource: resources { gpus = 1 }"},
          {"walltime", "a time limit is resources { time = 2h }, or `timeout 2h`"},
          {"ranks", "MPI ranks are given with mpi { ranks = 8 }"},
          {"retries", "retries are given with `retry 3` (3 retries after the first try)"},
          {"maxRetries", "retries are given with `retry 3` (3 retries after the first try)"},
      };
      if (auto it = common.find(name); it != common.end()) hint = it->second;
    }
    if (hint.empty()) hint = fmt::format("an op's clauses are: {}", fmt::join(kClauses, ", "));
    d.with_help(hint);
  }
}

void OpChecker::check_run(int module, ast::OpDecl& op, ast::Clause& clause) {
  auto* command = clause.value->as<ast::StringLit>();
  if (!command) {
    ctx_.diags.report(DiagId::RunNotString, clause.value->span)
        .with_help("run \"tool ${input} > ${output}\", or \"\"\"...\"\"\" for several lines");
    return;
  }
  OpNames names(op, op.inputs.size(), true, true);
  ExprChecker exprs(ctx_, module, names, ExprPlace::OpCommand);
  annotate_shell_contexts(command->parts);
  for (ast::StringPart& part : command->parts) {
    if (!part.expr) continue;
    const ir::Type* t = exprs.check(*part.expr, nullptr, /*allow_stream=*/true);
    if (part.shell == ast::ShellContext::Arithmetic && !t->is_error()) {
      // The shell expands $(...) inside $(( )) even within quotes: only a
      // value that cannot hold shell text may go there.
      const ir::Type* inner = t->non_optional();  // absent writes nothing: also safe
      bool number = inner->is_numeric() || inner->is(TypeKind::Size) || inner->is(TypeKind::Duration) ||
                    inner->is(TypeKind::Bool);
      if (!number) {
        std::string text(ctx_.text(part.expr->span));
        Diagnostic& d =
            ctx_.diags.report(DiagId::CannotInterpolate, part.expr->span, ctx_.display(t), "shell arithmetic `$(( ))`");
        if (inner->is(TypeKind::Str)) {
          d.with_help(fmt::format("convert it first: ${{int({})}}", text));
        } else {
          d.with_help("only numbers and bools go into $(( ))");
        }
        continue;
      }
    }
    if (t->holds_stream()) {
      std::string text(ctx_.text(part.expr->span));
      ctx_.diags.report(DiagId::StreamInterpolation, part.expr->span, text)
          .with_help(
              "the command reads its input stream on standard input and writes its output stream on "
              "standard output");
      continue;
    }
    exprs.check_interpolated(*part.expr, t, "a command", /*allow_lists=*/true);
  }
  clause.value->type = ctx_.types.str();
}

void OpChecker::check_record_clause(int module, ast::OpDecl& op, ast::Clause& clause,
                                    const std::vector<std::pair<std::string, const ir::Type*>>& fields) {
  const std::string& name = clause.name.text;
  auto* record = clause.value->as<ast::RecordExpr>();
  if (!record) {
    ctx_.diags.report(DiagId::ClauseNotBraced, clause.value->span, name, "its settings")
        .with_help(fmt::format("{} {{ {} = ... }}", name, fields[0].first));
    return;
  }
  std::vector<std::string> known;
  for (const auto& [f, t] : fields) known.push_back(f);
  OpNames names(op, op.inputs.size(), false, false);
  ExprChecker exprs(ctx_, module, names, ExprPlace::OpClause);
  std::map<std::string, Span> seen;
  for (ast::FieldInit& f : record->fields) {
    auto spec = std::find_if(fields.begin(), fields.end(), [&](const auto& kv) { return kv.first == f.name.text; });
    if (spec == fields.end()) {
      Diagnostic& d = ctx_.diags.report(DiagId::UnknownOption, f.name.span, fmt::format("`{}`", name), f.name.text);
      static const std::map<std::string, std::string> aliases = {
          {"memory", "mem"},    {"cpu", "cpus"},     {"threads", "cpus"}, {"cores", "cpus"},  {"gpu", "gpus"},
          {"walltime", "time"}, {"runtime", "time"}, {"nodes", "ranks"},  {"tasks", "ranks"}, {"np", "ranks"}};
      std::string hint;
      if (auto a = aliases.find(f.name.text);
          a != aliases.end() && std::find(known.begin(), known.end(), a->second) != known.end()) {
        hint = fmt::format("did you mean `{}`?", a->second);
      }
      if (hint.empty()) hint = did_you_mean(f.name.text, known);
      d.with_help(hint.empty() ? fmt::format("`{}` takes: {}", name, fmt::join(known, ", ")) : hint);
      continue;
    }
    auto [it, fresh] = seen.emplace(f.name.text, f.name.span);
    if (!fresh) {
      ctx_.diags.report(DiagId::DuplicateField, f.name.span, f.name.text).with_note(it->second, "first given here");
      continue;
    }
    if (!exprs.expect(*f.value, spec->second)) continue;
    // Constants can be judged now; expressions are checked when the task runs.
    if (auto* i = f.value->as<ast::IntLit>()) {
      int64_t min = f.name.text == "gpus" ? 0 : 1;
      if (i->value < min) {
        ctx_.diags.report(DiagId::ValueTooSmall, f.value->span, f.name.text, min);
      }
    } else if (auto* s = f.value->as<ast::SizeLit>(); s && s->bytes <= 0) {
      ctx_.diags.report(DiagId::SizeNotPositive, f.value->span, f.name.text)
          .with_help(fmt::format("give a size with its unit, such as `{} = 8GiB`, or remove it", f.name.text));
    } else if (auto* d = f.value->as<ast::DurationLit>(); d && d->seconds <= 0) {
      ctx_.diags.report(DiagId::DurationNotPositive, f.value->span, f.name.text)
          .with_help(fmt::format("give a duration such as `{} = 2h`, or remove it for no limit", f.name.text));
    }
  }
  clause.value->type = ctx_.types.error();  // a clause is not a value
}

void OpChecker::check_shell(ast::Clause& clause) {
  auto* s = clause.value->as<ast::StringLit>();
  if (!s || !s->is_plain()) {
    ctx_.diags.report(DiagId::ClauseNotConstant, clause.value->span, "shell", "write \"bash\" or \"sh\"");
    return;
  }
  std::string text = s->plain_text();
  if (text == "bash" || text == "sh") return;
  Diagnostic& d = ctx_.diags.report(DiagId::UnknownShell, clause.value->span, text);
  std::string hint = did_you_mean(text, {"bash", "sh"});
  if (hint.empty() && (text == "/bin/bash" || text == "/usr/bin/bash"))
    hint = "write `shell \"bash\"`: it is found on PATH";
  if (hint.empty() && (text == "/bin/sh" || text == "dash" || text == "ash"))
    hint = "write `shell \"sh\"`: /bin/sh, whichever shell it is";
  d.with_help(hint.empty() ? "the shells are \"bash\" (strict: set -euo pipefail; the default) and \"sh\" "
                             "(set -eu, and pipefail where that sh has it); for another language, call it from the "
                             "command: run \"python3 script.py\""
                           : hint);
}

void OpChecker::check_retry(ast::Clause& clause) {
  auto non_negative_int = [&](const ast::Expr& e, const char* what) {
    auto* i = e.as<ast::IntLit>();
    if (!i) {
      ctx_.diags.report(DiagId::ClauseNotConstant, e.span, "retry", fmt::format("{} is a whole number", what));
      return false;
    }
    if (i->value < 0) {
      ctx_.diags.report(DiagId::NegativeCount, e.span, what)
          .with_help(std::string_view(what) == "`attempts`"
                         ? "`attempts` counts every try: retry { attempts = 3 } tries up to 3 times in all"
                         : "`retry 2` retries twice after the first try; `retry 0` tries once");
      return false;
    }
    return true;
  };
  if (clause.value->as<ast::IntLit>()) {
    non_negative_int(*clause.value, "the number of retries");
    return;
  }
  auto* record = clause.value->as<ast::RecordExpr>();
  if (!record) {
    ctx_.diags.report(DiagId::ClauseNotConstant, clause.value->span, "retry",
                      "write a number, or { attempts = 3, exit_codes = [75], on_timeout = true }");
    return;
  }
  const std::vector<std::string> known = {"attempts", "exit_codes", "on_timeout"};
  bool has_attempts = false;
  for (ast::FieldInit& f : record->fields) {
    const std::string& n = f.name.text;
    if (n == "attempts") {
      // `attempts` counts every try, the first included (docs/language.md).
      has_attempts = non_negative_int(*f.value, "`attempts`");
      auto* i = f.value->as<ast::IntLit>();
      if (has_attempts && i->value == 0) {
        ctx_.diags.report(DiagId::ZeroAttempts, f.value->span)
            .with_help("retry { attempts = 3 } tries up to 3 times in all");
      } else if (has_attempts && i->value == 1) {
        ctx_.diags.report(DiagId::SingleAttempt, f.value->span)
            .with_help("`attempts` counts every try, the first included; for one retry write `attempts = 2`");
      }
    } else if (n == "exit_codes") {
      auto* list = f.value->as<ast::ListExpr>();
      bool ok = list != nullptr;
      for (size_t i = 0; ok && i < list->items.size(); ++i) ok = list->items[i]->as<ast::IntLit>() != nullptr;
      if (!ok) {
        ctx_.diags.report(DiagId::ClauseNotConstant, f.value->span, "retry",
                          "`exit_codes` is a list of numbers, like [75, 143]");
      }
    } else if (n == "on_timeout") {
      if (!f.value->as<ast::BoolLit>()) {
        ctx_.diags.report(DiagId::ClauseNotConstant, f.value->span, "retry", "`on_timeout` is true or false");
      }
    } else {
      Diagnostic& d = ctx_.diags.report(DiagId::UnknownOption, f.name.span, "`retry`", n);
      std::string hint = did_you_mean(n, known);
      d.with_help(hint.empty() ? "`retry` takes: attempts, exit_codes, on_timeout" : hint);
    }
  }
  if (!has_attempts && std::none_of(record->fields.begin(), record->fields.end(),
                                    [](const ast::FieldInit& f) { return f.name.text == "attempts"; })) {
    ctx_.diags.report(DiagId::RetryWithoutAttempts, clause.value->span)
        .with_help("retry { attempts = 3, exit_codes = [75] }");
  }
}

void OpChecker::check_env(int module, ast::OpDecl& op, ast::Clause& clause) {
  auto* record = clause.value->as<ast::RecordExpr>();
  if (!record) {
    ctx_.diags.report(DiagId::ClauseNotBraced, clause.value->span, "env", "variables")
        .with_help("env { OMP_NUM_THREADS = \"4\" }");
    return;
  }
  OpNames names(op, op.inputs.size(), false, false);
  ExprChecker exprs(ctx_, module, names, ExprPlace::OpClause);
  std::map<std::string, Span> seen;
  for (ast::FieldInit& f : record->fields) {
    auto [it, fresh] = seen.emplace(f.name.text, f.name.span);
    if (!fresh) {
      ctx_.diags.report(DiagId::DuplicateField, f.name.span, f.name.text).with_note(it->second, "first given here");
      continue;
    }
    const ir::Type* t = exprs.check(*f.value);
    exprs.check_interpolated(*f.value, t, "an environment variable", false);
  }
}

}  // namespace flowc::check
