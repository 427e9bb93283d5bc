// Which JavaScript engine for CWL expressions: Duktape inside flowc (what
// runtime/eval/js/ uses) beside Node.js in a helper process (cwltool's way:
// one `node` per run, each expression a line over a pipe, evaluated in a
// fresh vm context with a timeout). Prints the start-up and the cost per
// expression of each, and their ratio.
//
//   js_bench [N]        (bench/cwl/run_js.sh builds and runs it)
#include <poll.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <string>

#include <nlohmann/json.hpp>

#include "runtime/eval/js/js_engine.h"

extern char** environ;

namespace {

using Clock = std::chrono::steady_clock;
double since(Clock::time_point t) { return std::chrono::duration<double>(Clock::now() - t).count(); }

const char* kNodeHelper = R"JS(
const vm = require('vm'); const rl = require('readline').createInterface({input: process.stdin});
rl.on('line', (line) => {
  const r = JSON.parse(line); let out;
  try {
    const ctx = vm.createContext({inputs: r.inputs, self: r.self, runtime: r.runtime});
    out = {ok: vm.runInContext('(' + r.code + ')', ctx, {timeout: 10000})};
  } catch (e) { out = {error: String(e)}; }
  process.stdout.write(JSON.stringify(out) + '\n');
});
)JS";

class NodeHelper {
 public:
  NodeHelper() {
    int in[2], out[2];
    if (pipe(in) != 0 || pipe(out) != 0) return;
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_adddup2(&fa, in[0], 0);
    posix_spawn_file_actions_adddup2(&fa, out[1], 1);
    posix_spawn_file_actions_addclose(&fa, in[1]);
    posix_spawn_file_actions_addclose(&fa, out[0]);
    const char* argv[] = {"node", "-e", kNodeHelper, nullptr};
    if (posix_spawnp(&pid_, "node", &fa, nullptr, const_cast<char**>(argv), environ) != 0) pid_ = -1;
    posix_spawn_file_actions_destroy(&fa);
    close(in[0]);
    close(out[1]);
    to_ = in[1];
    from_ = fdopen(out[0], "r");
  }
  ~NodeHelper() {
    if (to_ >= 0) close(to_);
    if (from_) fclose(from_);
    if (pid_ > 0) waitpid(pid_, nullptr, 0);
  }
  bool ok() const { return pid_ > 0 && from_; }
  std::string eval(const std::string& request) {
    std::string line = request + "\n";
    if (write(to_, line.data(), line.size()) != static_cast<ssize_t>(line.size())) return "";
    char* buf = nullptr;
    size_t cap = 0;
    ssize_t n = getline(&buf, &cap, from_);
    std::string out = n > 0 ? std::string(buf, static_cast<size_t>(n)) : "";
    free(buf);
    return out;
  }

 private:
  pid_t pid_ = -1;
  int to_ = -1;
  FILE* from_ = nullptr;
};

}  // namespace

int main(int argc, char** argv) {
  int n = argc > 1 ? std::atoi(argv[1]) : 20000;
  using flowc::runtime::Value;
  Value inputs = {{"n", 21},
                  {"reads", {{"class", "File"}, {"path", "/data/a.fq"}, {"basename", "a.fq"}}},
                  {"names", {"x", "y", "z"}}};
  const std::string code = "inputs.n * 2 + inputs.names.length + inputs.reads.basename.length";

  // Duktape, in flowc.
  auto t0 = Clock::now();
  flowc::runtime::js::Call call;
  call.code = code;
  call.inputs = inputs;
  auto first = flowc::runtime::js::evaluate(call);
  double duk_start = since(t0);
  auto t1 = Clock::now();
  for (int i = 0; i < n; ++i) flowc::runtime::js::evaluate(call);
  double duk_each = since(t1) / n;
  std::string duk_value = std::holds_alternative<Value>(first) ? std::get<Value>(first).dump() : "error";

  // Node.js, a helper process.
  auto t2 = Clock::now();
  NodeHelper node;
  if (!node.ok()) {
    std::printf("node is not available\n");
    return 1;
  }
  std::string request = Value{{"code", code}, {"inputs", inputs}, {"self", nullptr}, {"runtime", nullptr}}.dump();
  std::string node_first = node.eval(request);
  double node_start = since(t2);
  auto t3 = Clock::now();
  int m = std::max(1, n / 10);
  for (int i = 0; i < m; ++i) node.eval(request);
  double node_each = since(t3) / m;

  std::printf("%-44s %14s %16s\n", "engine", "first (ms)", "per expr (us)");
  std::printf("%-44s %14.2f %16.1f   value %s\n", "Duktape 2.7 in flowc (fresh global env each)", duk_start * 1e3,
              duk_each * 1e6, duk_value.c_str());
  std::printf("%-44s %14.2f %16.1f   value %s", "Node.js helper (fresh vm context each)", node_start * 1e3,
              node_each * 1e6, node_first.c_str());
  std::printf("Duktape is %.1fx cheaper per expression and starts %.0fx faster\n", node_each / duk_each,
              node_start / std::max(duk_start, 1e-9));
  return 0;
}
