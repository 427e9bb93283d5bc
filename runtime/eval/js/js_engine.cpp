// JavaScript expressions with Duktape (see js_engine.h).
#include "runtime/eval/js/js_engine.h"

#include <algorithm>
#include <cctype>
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
  std::string source = call.fn ? "(function(){" + std::string(call.code) + "\n})()" : "(" + std::string(call.code) + "\n)";
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

namespace {

bool ident_start(char c) { return std::isalpha(static_cast<unsigned char>(c)) || c == '_' || c == '$'; }
bool ident_char(char c) { return ident_start(c) || std::isdigit(static_cast<unsigned char>(c)); }

}  // namespace

std::optional<Value> parameter_reference(std::string_view code, const Value& inputs, const Value& self,
                                         const Value& runtime, std::string* error) {
  // Trim.
  while (!code.empty() && std::isspace(static_cast<unsigned char>(code.front()))) code.remove_prefix(1);
  while (!code.empty() && std::isspace(static_cast<unsigned char>(code.back()))) code.remove_suffix(1);
  size_t i = 0;
  while (i < code.size() && ident_char(code[i])) ++i;
  std::string_view root = code.substr(0, i);
  const Value* current;
  if (root == "inputs") current = &inputs;
  else if (root == "self") current = &self;
  else if (root == "runtime") current = &runtime;
  else return std::nullopt;
  // Parse the whole path first: anything else is code for the engine.
  std::vector<std::variant<std::string, size_t>> steps;
  while (i < code.size()) {
    if (code[i] == '.') {
      size_t start = ++i;
      if (i >= code.size() || !ident_start(code[i])) return std::nullopt;
      while (i < code.size() && ident_char(code[i])) ++i;
      steps.emplace_back(std::string(code.substr(start, i - start)));
    } else if (code[i] == '[') {
      ++i;
      if (i < code.size() && (code[i] == '\'' || code[i] == '"')) {
        char q = code[i++];
        size_t start = i;
        while (i < code.size() && code[i] != q) {
          if (code[i] == '\\') return std::nullopt;
          ++i;
        }
        if (i + 1 >= code.size() || code[i + 1] != ']') return std::nullopt;
        steps.emplace_back(std::string(code.substr(start, i - start)));
        i += 2;
      } else {
        size_t start = i;
        while (i < code.size() && std::isdigit(static_cast<unsigned char>(code[i]))) ++i;
        if (i == start || i >= code.size() || code[i] != ']') return std::nullopt;
        steps.emplace_back(static_cast<size_t>(std::stoull(std::string(code.substr(start, i - start)))));
        ++i;
      }
    } else {
      return std::nullopt;
    }
  }
  Value holder;
  for (const auto& step : steps) {
    if (current->is_null()) {
      *error = fmt::format("`{}`: cannot read a property of null", code);
      return Value(nullptr);
    }
    if (const std::string* key = std::get_if<std::string>(&step)) {
      if (*key == "length" && (current->is_array() || current->is_string())) {
        holder = current->is_array() ? current->size() : current->get_ref<const std::string&>().size();
        current = &holder;
        continue;
      }
      if (current->is_object()) {
        auto it = current->find(*key);
        if (it == current->end()) return Value(nullptr);
        current = &*it;
      } else if (current->is_array() && !key->empty() &&
                 std::all_of(key->begin(), key->end(), [](char c) { return std::isdigit(static_cast<unsigned char>(c)); })) {
        size_t n = std::stoull(*key);
        if (n >= current->size()) return Value(nullptr);
        current = &(*current)[n];
      } else {
        return Value(nullptr);
      }
    } else {
      size_t n = std::get<size_t>(step);
      if (!current->is_array() || n >= current->size()) return Value(nullptr);
      current = &(*current)[n];
    }
  }
  return *current;
}

}  // namespace flowc::runtime::js
