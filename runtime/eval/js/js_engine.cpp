// JavaScript expressions with Duktape (see js_engine.h).
#include "runtime/eval/js/js_engine.h"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cmath>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <memory>

#include <fmt/format.h>

#include "duktape.h"

namespace {

// Read by Duktape every few thousand instructions (DUK_USE_EXEC_TIMEOUT_CHECK,
// set when flowc builds duktape.c): true stops the running code with a
// RangeError.
struct Deadline {
  std::chrono::steady_clock::time_point at;
  bool armed = false;
  bool hit = false;
};

}  // namespace

extern "C" int flowc_duk_timed_out(void* udata) {
  auto* d = static_cast<Deadline*>(udata);
  if (!d || !d->armed) return 0;
  if (std::chrono::steady_clock::now() >= d->at) {
    d->hit = true;
    return 1;
  }
  return 0;
}

namespace flowc::runtime::js {

namespace {

void fatal_handler(void*, const char* msg) {
  // Only reached on an error outside any protected call: a bug in flowc.
  fmt::print(stderr, "flowc: internal error in the JavaScript engine: {}\n", msg ? msg : "?");
  std::abort();
}

class Heap {
 public:
  Heap() { ctx_ = duk_create_heap(nullptr, nullptr, nullptr, &deadline_, fatal_handler); }
  ~Heap() {
    if (ctx_) duk_destroy_heap(ctx_);
  }
  Heap(const Heap&) = delete;
  Heap& operator=(const Heap&) = delete;
  duk_context* ctx() const { return ctx_; }
  Deadline& deadline() { return deadline_; }

 private:
  Deadline deadline_;
  duk_context* ctx_ = nullptr;
};

Heap& heap() {
  thread_local Heap h;
  return h;
}

// Pushes `v` (as JSON) onto the stack.
void push_json(duk_context* ctx, const Value& v) {
  std::string text = v.dump(-1, ' ', false, Value::error_handler_t::replace);
  duk_push_lstring(ctx, text.data(), text.size());
  duk_json_decode(ctx, -1);
}

duk_ret_t run_protected(duk_context* ctx, void* udata) {
  // Stack: [ source filename ]; compile and run in the thread's global env.
  (void)udata;
  duk_compile(ctx, DUK_COMPILE_EVAL);
  duk_call(ctx, 0);
  return 1;
}

// Runs source on ctx; true and the result on the stack, or false and the message.
bool run(duk_context* ctx, const std::string& source, const char* name, std::string* error) {
  duk_push_lstring(ctx, source.data(), source.size());
  duk_push_string(ctx, name);
  if (duk_safe_call(ctx, run_protected, nullptr, 2, 1) != DUK_EXEC_SUCCESS) {
    if (duk_is_error(ctx, -1)) {
      duk_get_prop_string(ctx, -1, "stack");
      std::string stack = duk_safe_to_string(ctx, -1);
      duk_pop(ctx);
      *error = duk_safe_to_string(ctx, -1);
      // The first line of the stack names the place in the code.
      size_t at = stack.find("\n    at ");
      if (at != std::string::npos) {
        size_t end = stack.find('\n', at + 1);
        std::string where = stack.substr(at + 5, end == std::string::npos ? std::string::npos : end - at - 5);
        if (where.find("[anon]") == std::string::npos && where.find("internal") == std::string::npos) {
          *error += " (" + where + ")";
        }
      }
    } else {
      *error = duk_safe_to_string(ctx, -1);
    }
    duk_pop(ctx);
    return false;
  }
  return true;
}

}  // namespace

std::variant<Value, std::string> evaluate(const Call& call) {
  Heap& h = heap();
  duk_context* root = h.ctx();
  if (!root) return std::string("the JavaScript engine could not start (out of memory)");
  // A fresh global environment for each expression: nothing one leaves
  // behind is seen by the next.
  duk_push_thread_new_globalenv(root);
  duk_context* ctx = duk_get_context(root, -1);
  struct PopThread {
    duk_context* root;
    ~PopThread() { duk_set_top(root, 0); }
  } pop{root};

  auto set_global = [&](const char* name, const Value& v) {
    push_json(ctx, v);
    duk_put_global_string(ctx, name);
  };
  set_global("inputs", call.inputs);
  set_global("self", call.self);
  set_global("runtime", call.runtime);

  Deadline& d = h.deadline();
  d.at = std::chrono::steady_clock::now() + std::chrono::duration_cast<std::chrono::steady_clock::duration>(
                                                std::chrono::duration<double>(call.timeout_seconds));
  d.armed = true;
  d.hit = false;
  struct Disarm {
    Deadline& d;
    ~Disarm() { d.armed = false; }
  } disarm{d};

  std::string error;
  auto timed_out = [&]() -> std::string {
    return fmt::format("the expression ran longer than {} s and was stopped (an endless loop?)", call.timeout_seconds);
  };
  if (call.lib) {
    for (size_t i = 0; i < call.lib->size(); ++i) {
      if (!run(ctx, (*call.lib)[i], "expressionLib", &error)) {
        if (d.hit) return timed_out();
        return fmt::format("in expressionLib entry {}: {}", i + 1, error);
      }
      duk_pop(ctx);
    }
  }
  std::string source =
      call.fn ? "(function(){" + std::string(call.code) + "\n})()" : "(" + std::string(call.code) + "\n)";
  if (!run(ctx, source, "expression", &error)) {
    if (d.hit) return timed_out();
    return error;
  }
  if (duk_is_undefined(ctx, -1) || duk_is_function(ctx, -1)) return Value(nullptr);
  duk_json_encode(ctx, -1);
  const char* text = duk_get_string(ctx, -1);
  if (!text) return Value(nullptr);
  Value out = Value::parse(text, nullptr, false);
  if (out.is_discarded()) return std::string("the expression's value cannot be written as JSON");
  return out;
}

std::variant<Value, std::string> parameter_reference(const ir::ParamRef& ref, const Value& inputs, const Value& self,
                                                     const Value& runtime) {
  if (ref.root == "null") return Value(nullptr);
  const Value* current = ref.root == "inputs" ? &inputs : ref.root == "self" ? &self : &runtime;
  std::string where = ref.root;
  Value holder;
  for (size_t k = 0; k < ref.steps.size(); ++k) {
    const auto& step = ref.steps[k];
    if (const std::string* key = std::get_if<std::string>(&step)) {
      if (*key == "length" && current->is_array() && k + 1 == ref.steps.size()) {
        holder = current->size();
        current = &holder;
        break;
      }
      if (!current->is_object()) {
        return fmt::format("`{}` is {}, which has no field `{}`", where,
                           current->is_null() ? "null" : describe(*current, 30), *key);
      }
      auto it = current->find(*key);
      if (it == current->end()) return fmt::format("`{}` has no field `{}`", where, *key);
      current = &*it;
      where += "." + *key;
    } else {
      size_t n = std::get<size_t>(step);
      if (!current->is_array()) return fmt::format("`{}` is not a list, so it has no item {}", where, n);
      if (n >= current->size()) return fmt::format("`{}` has {} items, so no item {}", where, current->size(), n);
      current = &(*current)[n];
      where += fmt::format("[{}]", n);
    }
  }
  return *current;
}

}  // namespace flowc::runtime::js

namespace flowc::runtime::js {

std::string number_text(double d) {
  if (std::isnan(d)) return "NaN";
  if (std::isinf(d)) return d > 0 ? "Infinity" : "-Infinity";
  if (d == 0) return "0";
  std::string sign = d < 0 ? "-" : "";
  double a = std::fabs(d);
  // Shortest round-trip digits and exponent: "d.ddde±x".
  char buf[64];
  auto res = std::to_chars(buf, buf + sizeof buf, a, std::chars_format::scientific);
  std::string sci(buf, res.ptr);
  size_t e = sci.find('e');
  std::string mantissa = sci.substr(0, e);
  int exponent = std::stoi(sci.substr(e + 1));
  std::string digits;
  for (char c : mantissa) {
    if (c != '.') digits += c;
  }
  while (digits.size() > 1 && digits.back() == '0') digits.pop_back();
  int k = static_cast<int>(digits.size());
  int n = exponent + 1;  // the decimal point after n digits
  std::string out;
  if (k <= n && n <= 21) {
    out = digits + std::string(static_cast<size_t>(n - k), '0');
  } else if (0 < n && n <= 21) {
    out = digits.substr(0, static_cast<size_t>(n)) + "." + digits.substr(static_cast<size_t>(n));
  } else if (-6 < n && n <= 0) {
    out = "0." + std::string(static_cast<size_t>(-n), '0') + digits;
  } else {
    out = digits.substr(0, 1) + (k > 1 ? "." + digits.substr(1) : "") + "e" + (n - 1 >= 0 ? "+" : "-") +
          std::to_string(std::abs(n - 1));
  }
  return sign + out;
}

std::string json_text(const Value& v) {
  if (v.is_object()) {
    std::string out = "{";
    bool first = true;
    for (const auto& [k, item] : v.items()) {  // a Value's keys are sorted
      out +=
          (first ? "" : ", ") + Value(k).dump(-1, ' ', true, Value::error_handler_t::replace) + ": " + json_text(item);
      first = false;
    }
    return out + "}";
  }
  if (v.is_array()) {
    std::string out = "[";
    for (size_t i = 0; i < v.size(); ++i) out += (i ? ", " : "") + json_text(v[i]);
    return out + "]";
  }
  if (v.is_number_float()) return number_text(v.get<double>());
  return v.dump(-1, ' ', true, Value::error_handler_t::replace);
}

}  // namespace flowc::runtime::js
