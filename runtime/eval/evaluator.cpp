// Evaluating IR expressions. Failures are thrown inside (detail::EvalError)
// and returned from Evaluator::eval as EvalFailure; nothing escapes it.
#include "runtime/eval/evaluator.h"

#include <cmath>
#include <filesystem>
#include <limits>
#include <new>

#include <fmt/format.h>

#include "ir/expr_text.h"
#include "ir/param_ref.h"
#include "runtime/eval/builtins.h"
#include "runtime/eval/js/js_engine.h"
#include "runtime/value/file_object.h"
#include "runtime/value/scalar_text.h"

namespace flowc::runtime {

namespace detail {

void fail(std::string message) { throw EvalError{std::move(message), {}}; }

std::string count_of(size_t n, std::string_view noun) { return fmt::format("{} {}{}", n, noun, n == 1 ? "" : "s"); }

namespace {

bool is_url(std::string_view p) {
  size_t colon = p.find("://");
  if (colon == std::string_view::npos || colon == 0) return false;
  auto alpha = [](char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); };
  if (!alpha(p[0])) return false;
  for (char c : p.substr(0, colon)) {
    if (!alpha(c) && !(c >= '0' && c <= '9') && c != '+' && c != '-' && c != '.') return false;
  }
  return true;
}

}  // namespace

std::string resolve_path(std::string_view path, const std::string& base) {
  namespace fs = std::filesystem;
  if (path.empty()) fail("an empty path is not a file or directory");
  if (is_url(path)) return std::string(path);
  fs::path p(path);
  if (p.is_relative()) p = fs::absolute(base.empty() ? fs::path(".") : fs::path(base)) / p;
  std::string out = p.lexically_normal().string();
  while (out.size() > 1 && out.back() == '/') out.pop_back();
  return out;
}

}  // namespace detail

namespace {

using detail::EvalError;
using detail::fail;
using ir::Expr;
using ir::Type;
using ir::TypeKind;

constexpr int64_t kMinInt = std::numeric_limits<int64_t>::min();

std::string text_of(const Expr& e) { return ir::expr_text(e, 40); }

TypeKind kind_of(const Type* t) { return t ? t->non_optional()->kind() : TypeKind::Error; }

class Run {
 public:
  Run(const EvalOptions& options, const runtime::Scope& scope, const ir::Program& program)
      : options_(options), scope_(scope), program_(program) {}

  Value eval(const Expr& e) {
    try {
      Value v = inner(e);
      coerce_in_place(v, e.type);
      return v;
    } catch (EvalError& err) {
      if (!err.loc.known()) err.loc = e.loc;
      throw;
    } catch (const std::bad_alloc&) {
      throw EvalError{fmt::format("out of memory evaluating `{}`", text_of(e)), e.loc};
    } catch (const std::exception& ex) {
      throw EvalError{ex.what(), e.loc};
    }
  }

 private:
  Value inner(const Expr& e) {
    switch (e.kind) {
      case Expr::Kind::Literal: return literal(e);
      case Expr::Kind::Var: return var(e);
      case Expr::Kind::Member: return member(e);
      case Expr::Kind::Index: return index(e);
      case Expr::Kind::Unary: return unary(e);
      case Expr::Kind::Binary: return binary(e);
      case Expr::Kind::List: {
        Value out = Value::array();
        for (const Expr& item : e.args) out.push_back(eval(item));
        return out;
      }
      case Expr::Kind::Record: {
        Value out = Value::object();
        for (const auto& [name, value] : e.fields) out[name] = eval(value);
        return out;
      }
      case Expr::Kind::Map: return map(e);
      case Expr::Kind::Call: {
        std::vector<Value> args;
        args.reserve(e.args.size());
        for (const Expr& a : e.args) args.push_back(eval(a));
        return detail::call_builtin(e, args, options_);
      }
      case Expr::Kind::Format: return format(e);
      case Expr::Kind::Js: return javascript(e);
    }
    fail("unknown kind of expression");
  }

  const Expr& arg(const Expr& e, size_t i) {
    if (e.args.size() <= i) fail(fmt::format("`{}` lacks an operand", text_of(e)));
    return e.args[i];
  }

  Value literal(const Expr& e) {
    Value v(e.value);
    if (kind_of(e.type) == TypeKind::File || kind_of(e.type) == TypeKind::Dir) {
      if (v.is_string()) return detail::resolve_path(v.get_ref<const std::string&>(), options_.base_dir);
    }
    return v;
  }

  Value var(const Expr& e) {
    const Value* v = scope_.find(e.name);
    if (!v) fail(fmt::format("`{}` has no value", e.name));
    return *v;
  }

  [[noreturn]] void absent(const Expr& e, std::string_view why = "") {
    fail(fmt::format("`{}` is absent{}", text_of(e), why));
  }

  Value member(const Expr& e) {
    const Expr& of = arg(e, 0);
    Value object = eval(of);
    // IR 2: a field of an `any` value that is absent (or of none) is absent.
    bool loose = kind_of(of.type) == TypeKind::Any;
    if (object.is_null() && loose) return nullptr;
    if (object.is_null()) absent(of, fmt::format(", so it has no field `{}`", e.name));
    if (!object.is_object()) {
      fail(fmt::format("`{}` is not a record, so it has no field `{}` (it is {})", text_of(of), e.name,
                       describe(object)));
    }
    auto it = object.find(e.name);
    if (it == object.end()) {
      if ((e.type && e.type->is_optional()) || loose) return nullptr;
      fail(fmt::format("`{}` has no field `{}`", text_of(of), e.name));
    }
    Value out = std::move(*it);
    return out;
  }

  Value index(const Expr& e) {
    const Expr& of = arg(e, 0);
    const Expr& at_expr = arg(e, 1);
    Value object = eval(of);
    Value at = eval(at_expr);
    if (object.is_null()) absent(of, ", so it cannot be indexed");
    if (at.is_null()) absent(at_expr, ", so it cannot be an index");
    if (object.is_array()) {
      if (!at.is_number_integer()) {
        fail(fmt::format("a list is indexed by an int, not by {}", describe(at)));
      }
      size_t n = object.size();
      if (!at.is_number_unsigned() && at.get<int64_t>() < 0) {
        fail(fmt::format("index {} is negative (`{}` is a list of {})", at.get<int64_t>(), text_of(of),
                         detail::count_of(n, "item")));
      }
      auto i = at.get<uint64_t>();
      if (i >= n) fail(fmt::format("index {} is past the end of a list of {}", i, detail::count_of(n, "item")));
      Value out = std::move(object[static_cast<size_t>(i)]);
      return out;
    }
    if (object.is_object()) {
      if (!at.is_string()) fail(fmt::format("a map is indexed by a str, not by {}", describe(at)));
      const std::string& key = at.get_ref<const std::string&>();
      auto it = object.find(key);
      if (it == object.end()) {
        std::string keys;
        if (object.empty()) {
          keys = "the map is empty";
        } else if (object.size() <= 5) {
          for (const auto& [k, v] : object.items()) keys += (keys.empty() ? "its keys: " : ", ") + describe(Value(k));
        } else {
          keys = fmt::format("it has {} keys", object.size());
        }
        fail(fmt::format("key {} is not in `{}` ({})", describe(at), text_of(of), keys));
      }
      Value out = std::move(*it);
      return out;
    }
    fail(fmt::format("`{}` cannot be indexed (it is {})", text_of(of), describe(object)));
  }

  Value unary(const Expr& e) {
    const Expr& a = arg(e, 0);
    Value v = eval(a);
    if (v.is_null()) absent(a);
    if (e.name == "!") {
      if (!v.is_boolean()) fail(fmt::format("`!` needs a bool, and `{}` is {}", text_of(a), describe(v)));
      return !v.get<bool>();
    }
    if (e.name == "-") {
      if (v.is_number_float()) return -v.get<double>();
      if (v.is_number_integer()) {
        if (v.is_number_unsigned() && v.get<uint64_t>() > static_cast<uint64_t>(std::numeric_limits<int64_t>::max())) {
          overflow(e);
        }
        int64_t x = v.get<int64_t>();
        if (x == kMinInt) overflow(e);
        return -x;
      }
      fail(fmt::format("`-` needs a number, and `{}` is {}", text_of(a), describe(v)));
    }
    fail(fmt::format("unknown operator `{}`", e.name));
  }

  [[noreturn]] void overflow(const Expr& e) {
    fail(fmt::format("the result of `{}` does not fit in a 64-bit integer", text_of(e)));
  }

  bool truth(const Expr& e, const Value& v) {
    if (v.is_null()) absent(e);
    if (!v.is_boolean()) fail(fmt::format("`{}` is {}, not a bool", text_of(e), describe(v)));
    return v.get<bool>();
  }

  Value binary(const Expr& e) {
    const std::string& op = e.name;
    const Expr& a = arg(e, 0);
    const Expr& b = arg(e, 1);
    if (op == "&&" || op == "||") {
      bool left = truth(a, eval(a));
      if (op == "&&" ? !left : left) return left;
      return truth(b, eval(b));
    }
    if (op == "??") {
      Value left = eval(a);
      if (!left.is_null()) return left;
      return eval(b);
    }
    Value l = eval(a);
    Value r = eval(b);
    if (op == "==") return values_equal(l, r);
    if (op == "!=") return !values_equal(l, r);
    if (op == "<" || op == "<=" || op == ">" || op == ">=") {
      if (l.is_null()) absent(a, ", so it cannot be compared");
      if (r.is_null()) absent(b, ", so it cannot be compared");
      int c;
      if (auto n = compare_numbers(l, r)) {
        c = *n;
      } else if (l.is_string() && r.is_string()) {
        int raw = l.get_ref<const std::string&>().compare(r.get_ref<const std::string&>());
        c = raw < 0 ? -1 : raw > 0 ? 1 : 0;
      } else {
        fail(fmt::format("cannot compare {} and {}", describe(l), describe(r)));
      }
      if (op == "<") return c < 0;
      if (op == "<=") return c <= 0;
      if (op == ">") return c > 0;
      return c >= 0;
    }
    return arithmetic(e, l, r);
  }

  Value arithmetic(const Expr& e, Value& l, Value& r) {
    const std::string& op = e.name;
    if (l.is_null() || r.is_null()) {
      // An absent part makes a string absent: "--ref=" + ref.
      if (op == "+" && e.type && e.type->is_optional()) return nullptr;
      absent(l.is_null() ? e.args[0] : e.args[1]);
    }
    if (op == "+" && l.is_string() && r.is_string()) {
      return l.get_ref<const std::string&>() + r.get_ref<const std::string&>();
    }
    if (op == "+" && l.is_array() && r.is_array()) {
      for (Value& item : r) l.push_back(std::move(item));
      return std::move(l);
    }
    if (!l.is_number() || !r.is_number()) {
      fail(fmt::format("`{}` cannot apply to {} and {}", op, describe(l), describe(r)));
    }
    switch (kind_of(e.type)) {
      case TypeKind::Float:
      case TypeKind::Duration: return real(e, l, r);
      case TypeKind::Size: return size(e, l, r);
      default:
        if (l.is_number_integer() && r.is_number_integer()) return integer(e, int_of(e, l), int_of(e, r));
        return real(e, l, r);
    }
  }

  int64_t int_of(const Expr& e, const Value& v) {
    if (v.is_number_unsigned() && v.get<uint64_t>() > static_cast<uint64_t>(std::numeric_limits<int64_t>::max())) {
      overflow(e);
    }
    return v.get<int64_t>();
  }

  [[noreturn]] void by_zero(const Expr& e) {
    fail(fmt::format("{} by zero: `{}` is 0", e.name == "%" ? "remainder of a division" : "division",
                     text_of(e.args[1])));
  }

  Value integer(const Expr& e, int64_t x, int64_t y) {
    int64_t out = 0;
    const std::string& op = e.name;
    if (op == "+") {
      if (__builtin_add_overflow(x, y, &out)) overflow(e);
    } else if (op == "-") {
      if (__builtin_sub_overflow(x, y, &out)) overflow(e);
    } else if (op == "*") {
      if (__builtin_mul_overflow(x, y, &out)) overflow(e);
    } else if (op == "/") {
      if (y == 0) by_zero(e);
      if (x == kMinInt && y == -1) overflow(e);
      out = x / y;  // toward zero
    } else if (op == "%") {
      if (y == 0) by_zero(e);
      out = y == -1 ? 0 : x % y;  // the sign of x, as in C++
    } else {
      fail(fmt::format("unknown operator `{}`", op));
    }
    return out;
  }

  static double real_of(const Value& v) {
    return v.is_number_float()      ? v.get<double>()
           : v.is_number_unsigned() ? static_cast<double>(v.get<uint64_t>())
                                    : static_cast<double>(v.get<int64_t>());
  }

  Value real(const Expr& e, const Value& l, const Value& r) {
    double x = real_of(l), y = real_of(r), out;
    const std::string& op = e.name;
    if (op == "+") {
      out = x + y;
    } else if (op == "-") {
      out = x - y;
    } else if (op == "*") {
      out = x * y;
    } else if (op == "/") {
      if (y == 0) by_zero(e);
      out = x / y;
    } else if (op == "%") {
      if (y == 0) by_zero(e);
      out = std::fmod(x, y);
    } else {
      fail(fmt::format("unknown operator `{}`", op));
    }
    if (!std::isfinite(out)) fail(fmt::format("the result of `{}` is too large for a float", text_of(e)));
    return out;
  }

  // size + size, size - size, size * n, n * size, size / n: whole bytes.
  Value size(const Expr& e, const Value& l, const Value& r) {
    const std::string& op = e.name;
    if (l.is_number_integer() && r.is_number_integer()) {
      int64_t x = int_of(e, l), y = int_of(e, r);
      if (op != "/") return integer(e, x, y);
      if (y == 0) by_zero(e);
      if (x == kMinInt && y == -1) overflow(e);
      // Rounded to the nearest byte, halves away from zero (as size * 0.5 is).
      int64_t q = x / y, rem = x % y;
      if (rem != 0) {
        // |rem| * 2 >= |y|, without overflow.
        uint64_t arem = rem < 0 ? 0 - static_cast<uint64_t>(rem) : static_cast<uint64_t>(rem);
        uint64_t ay = y < 0 ? 0 - static_cast<uint64_t>(y) : static_cast<uint64_t>(y);
        if (arem >= ay - arem) q += (rem < 0) == (y < 0) ? 1 : -1;
      }
      return q;
    }
    double d = real_of(real(e, l, r));
    double rounded = std::round(d);
    if (!(rounded >= -9223372036854775808.0 && rounded < 9223372036854775808.0)) overflow(e);
    return static_cast<int64_t>(rounded);
  }

  Value map(const Expr& e) {
    Value out = Value::object();
    for (size_t i = 0; i + 1 < e.args.size(); i += 2) {
      Value key = eval(e.args[i]);
      if (key.is_null()) absent(e.args[i], ", so it cannot be a key");
      if (!key.is_string()) fail(fmt::format("a map key must be a str, not {}", describe(key)));
      out[key.get<std::string>()] = eval(e.args[i + 1]);  // a repeated key: the last wins
    }
    return out;
  }

  Value format(const Expr& e) {
    std::string out;
    for (const Expr& piece : e.args) {
      Value v = eval(piece);
      if (kind_of(piece.type) == TypeKind::Any) {
        // CWL's string interpolation: strings as they are, anything else as JSON.
        if (v.is_string()) out += v.get<std::string>();
        else out += js::json_text(v);
        continue;
      }
      if (v.is_null()) absent(piece, ", so the string it is part of cannot be made");
      out += scalar_text(v, piece.type);
    }
    return out;
  }

  // JavaScript (IR 2): `with` gives the names the code sees; a parameter
  // reference is read without the engine.
  Value javascript(const Expr& e) {
    js::Call call;
    for (const auto& [name, value] : e.fields) {
      Value v = with_file_details(eval(value));
      if (name == "inputs") call.inputs = std::move(v);
      else if (name == "self") call.self = std::move(v);
      else if (name == "runtime") call.runtime = std::move(v);
    }
    bool fn = e.value.is_object() && e.value.value("fn", false);
    bool refs_only = e.value.is_object() && e.value.value("refs_only", false);
    if (!fn) {
      if (auto ref = ir::parse_param_ref(e.name)) {
        auto v = js::parameter_reference(*ref, call.inputs, call.self, call.runtime);
        if (auto* value = std::get_if<Value>(&v)) return std::move(*value);
        // Without InlineJavascriptRequirement a reference is all there is;
        // with it, JavaScript decides (undefined is null).
        if (refs_only) fail(fmt::format("$({}): {}", e.name, std::get<std::string>(v)));
      } else if (refs_only) {
        fail(fmt::format("$({}) is JavaScript, which needs InlineJavascriptRequirement", e.name));
      }
    }
    call.code = e.name;
    call.fn = fn;
    if (e.value.is_object() && e.value.contains("lib")) {
      size_t lib = e.value["lib"].get<size_t>();
      if (lib < program_.js_libs.size()) call.lib = &program_.js_libs[lib];
    }
    call.timeout_seconds = options_.js_timeout_seconds;
    // JavaScript may ask for the time or a random number.
    if (options_.witness) options_.witness->unrepeatable("a JavaScript expression");
    auto result = js::evaluate(call);
    if (auto* why = std::get_if<std::string>(&result)) fail(fmt::format("{}: {}", ir::expr_text(e, 60), *why));
    return std::move(std::get<Value>(result));
  }

  const EvalOptions& options_;
  const runtime::Scope& scope_;
  const ir::Program& program_;
};

}  // namespace

Evaluated<Value> Evaluator::eval(const ir::Expr& e, const Scope& scope) {
  try {
    return Run(options_, scope, program_).eval(e);
  } catch (EvalError& err) {
    return EvalFailure{std::move(err.message), err.loc};
  } catch (const std::exception& ex) {
    return EvalFailure{ex.what(), e.loc};
  } catch (...) {
    return EvalFailure{"an unknown error", e.loc};
  }
}

bool implements_builtin(std::string_view name) { return detail::has_builtin(name); }

}  // namespace flowc::runtime
