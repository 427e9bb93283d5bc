// The scheduler's plan, driven by hand: no processes. Each test compiles a
// small workflow, plays task outcomes back, and checks what the plan asks
// for and what it concludes.
#include <algorithm>

#include <catch2/catch.hpp>

#include "runtime/scheduler/plan.h"
#include "tests/support/test_support.h"

using namespace flowc;
using namespace flowc::runtime;

namespace {

struct Fixture {
  std::unique_ptr<Compilation> c;
  std::unique_ptr<Plan> plan;

  explicit Fixture(const std::string& text, Value inputs = Value::object(), PlanOptions options = {}) {
    c = test::compile_text(text);
    INFO(test::diagnostics_text(*c));
    REQUIRE(c->program);
    const ir::Workflow* wf = c->program->find_workflow(c->program->entry);
    REQUIRE(wf);
    plan = std::make_unique<Plan>(*c->program, *wf, std::move(inputs), options);
  }

  std::vector<TaskId> ready() { return plan->take_ready(); }
  // The task among `ids` with this path.
  TaskId by_path(const std::vector<TaskId>& ids, const std::string& path) {
    for (TaskId id : ids) {
      if (plan->task(id).path == path) return id;
    }
    FAIL("no task " << path);
    return 0;
  }
  std::vector<std::string> paths(const std::vector<TaskId>& ids) {
    std::vector<std::string> out;
    for (TaskId id : ids) out.push_back(plan->task(id).path);
    return out;
  }
};

const char* kOps = R"(
op greet(name: str) -> (msg: file) { run "echo ${name} > ${msg}" }
op concat(parts: list[file]) -> (all: file) { run "cat ${parts} > ${all}" }
op count(f: file) -> (n: int) { run "wc -l < ${f} > ${n}" }
op fails_maybe(x: int) -> (y: int) { run "exit ${x}" }
)";

}  // namespace

TEST_CASE("a fan-out asks for one task per item, in order", "[plan]") {
  Fixture f(std::string(kOps) + R"(
workflow main(names: list[str] = ["a", "b", "c"]) -> (all: file) {
    for n in names { g = greet(name = n) }
    c = concat(parts = g.msg)
    return (all = c.all)
})");
  auto first = f.ready();
  REQUIRE(f.paths(first) == std::vector<std::string>{"main.g[0]", "main.g[1]", "main.g[2]"});
  CHECK(f.plan->task(first[1]).inputs["name"] == "b");
  // Finish them in reverse order: the gathered list keeps item order.
  f.plan->succeeded(first[2], {{"msg", "/w/c"}});
  f.plan->succeeded(first[0], {{"msg", "/w/a"}});
  CHECK(f.ready().empty());
  f.plan->succeeded(first[1], {{"msg", "/w/b"}});
  auto second = f.ready();
  REQUIRE(f.paths(second) == std::vector<std::string>{"main.c"});
  CHECK(f.plan->task(second[0]).inputs["parts"] == Value::array({"/w/a", "/w/b", "/w/c"}));
  f.plan->succeeded(second[0], {{"all", "/w/all"}});
  CHECK(f.plan->finished());
  CHECK(f.plan->ok());
  CHECK(f.plan->outputs() == Value{{"all", "/w/all"}});
}

TEST_CASE("nested loops nest lists and paths", "[plan]") {
  Fixture f(std::string(kOps) + R"(
workflow main(rows: list[list[str]] = [["a", "b"], ["c"]]) -> (msgs: list[list[file]]) {
    for row in rows { for cell in row { g = greet(name = cell) } }
    return (msgs = g.msg)
})");
  auto tasks = f.ready();
  REQUIRE(f.paths(tasks) == std::vector<std::string>{"main.g[0][0]", "main.g[0][1]", "main.g[1][0]"});
  for (TaskId t : tasks) f.plan->succeeded(t, {{"msg", f.plan->task(t).inputs["name"]}});
  REQUIRE(f.plan->ok());
  CHECK(f.plan->outputs()["msgs"] == Value::parse(R"([["a", "b"], ["c"]])"));
}

TEST_CASE("an empty fan-out makes empty lists at once", "[plan]") {
  Fixture f(std::string(kOps) + R"(
workflow main(names: list[str] = []) -> (all: file) {
    for n in names { g = greet(name = n) }
    c = concat(parts = g.msg)
    return (all = c.all)
})");
  auto tasks = f.ready();
  REQUIRE(f.paths(tasks) == std::vector<std::string>{"main.c"});
  CHECK(f.plan->task(tasks[0]).inputs["parts"] == Value::array());
}

TEST_CASE("if runs one branch, names from the other are absent", "[plan]") {
  std::string text = std::string(kOps) + R"(
workflow main(big: bool) -> (msg: file?, label: str) {
    if big { g = greet(name = "big")  l = "big" } else { l = "small" }
    return (msg = g.msg, label = l)
})";
  {
    Fixture f(text, {{"big", false}});
    CHECK(f.ready().empty());
    REQUIRE(f.plan->ok());
    CHECK(f.plan->outputs() == Value{{"msg", nullptr}, {"label", "small"}});
  }
  {
    Fixture f(text, {{"big", true}});
    auto tasks = f.ready();
    REQUIRE(f.paths(tasks) == std::vector<std::string>{"main.g"});
    f.plan->succeeded(tasks[0], {{"msg", "/w/m"}});
    REQUIRE(f.plan->ok());
    CHECK(f.plan->outputs() == Value{{"msg", "/w/m"}, {"label", "big"}});
  }
}

TEST_CASE("defaults fill inputs, and may use earlier ones", "[plan]") {
  Fixture f(R"(
op f(a: int, b: int = a * 2, c: str?) -> (o: int) { run "echo ${a} ${b} ${c} > ${o}" }
workflow main(n: int = 20) -> (o: int) { x = f(a = n + 1)  return (o = x.o) })");
  auto tasks = f.ready();
  REQUIRE(tasks.size() == 1);
  CHECK(f.plan->task(tasks[0]).inputs == Value{{"a", 21}, {"b", 42}, {"c", nullptr}});
}

TEST_CASE("values take the types of the ports they go to", "[plan]") {
  Fixture f(R"(
op scale(x: float, y: float = 3) -> (o: float) { run "echo ${x} > ${o}" }
workflow main(n: int = 2) -> (half: float) { s = scale(x = n)  return (half = n / 2) })");
  auto tasks = f.ready();
  REQUIRE(tasks.size() == 1);
  CHECK(f.plan->task(tasks[0]).inputs["x"].is_number_float());
  CHECK(f.plan->task(tasks[0]).inputs["y"].is_number_float());
  f.plan->succeeded(tasks[0], {{"o", 2.0}});
  REQUIRE(f.plan->ok());
  CHECK(f.plan->outputs()["half"].is_number_float());
}

TEST_CASE("a failure stops new work, running tasks are waited for", "[plan]") {
  Fixture f(std::string(kOps) + R"(
workflow main(xs: list[int] = [1, 2]) -> (all: list[int], n: int) {
    for x in xs { y = fails_maybe(x = x) }
    k = count(f = "input.txt")
    return (all = y.y, n = k.n)
})");
  auto tasks = f.ready();
  REQUIRE(tasks.size() == 3);
  f.plan->failed(f.by_path(tasks, "main.y[0]"), "exit 1");
  CHECK_FALSE(f.plan->finished());  // two are still running
  f.plan->succeeded(f.by_path(tasks, "main.y[1]"), {{"y", 0}});
  f.plan->succeeded(f.by_path(tasks, "main.k"), {{"n", 3}});
  CHECK(f.plan->finished());
  CHECK_FALSE(f.plan->ok());
  REQUIRE(!f.plan->problems().empty());
  CHECK(f.plan->problems()[0].path == "main.y[0]");
}

TEST_CASE("keep-going runs what does not depend on a failure", "[plan]") {
  std::string text = std::string(kOps) + R"(
workflow main() -> (a: int, b: int) {
    x = fails_maybe(x = 1)
    y = fails_maybe(x = 0)
    after_x = count(f = file("${x.y}.txt"))
    after_y = count(f = file("${y.y}.txt"))
    return (a = after_x.n, b = after_y.n)
})";
  Fixture f(text, Value::object(), PlanOptions{true, 100});
  auto tasks = f.ready();
  REQUIRE(f.paths(tasks) == std::vector<std::string>{"main.x", "main.y"});
  f.plan->failed(tasks[0], "boom");
  f.plan->succeeded(tasks[1], {{"y", 0}});
  auto more = f.ready();
  REQUIRE(f.paths(more) == std::vector<std::string>{"main.after_y"});  // after_x is skipped
  f.plan->succeeded(more[0], {{"n", 5}});
  CHECK(f.plan->finished());
  CHECK_FALSE(f.plan->ok());
}

TEST_CASE("an optional call that fails leaves its outputs absent", "[plan]") {
  Fixture f(std::string(kOps) + R"(
workflow main() -> (y: int) {
    x = fails_maybe(x = 3) with { optional = true }
    return (y = x.y ?? -1)
})");
  auto tasks = f.ready();
  f.plan->failed(tasks[0], "exited with code 3");
  REQUIRE(f.plan->ok());
  CHECK(f.plan->outputs()["y"] == -1);
  REQUIRE(f.plan->problems().size() == 1);
  CHECK(f.plan->problems()[0].kind == Problem::Absent);
  CHECK(f.plan->problems()[0].message == "exited with code 3");
}

TEST_CASE("min_success: failed items leave the lists, in order", "[plan]") {
  std::string text = std::string(kOps) + R"(
workflow main(xs: list[int] = [0, 1, 2, 3]) -> (ys: list[int], xs_ok: list[int]) {
    for x in xs with { min_success = 2 } {
        y = fails_maybe(x = x)
        kept = x
    }
    return (ys = y.y, xs_ok = kept)
})";
  Fixture f(text);
  auto tasks = f.ready();
  REQUIRE(tasks.size() == 4);
  f.plan->failed(tasks[1], "no");
  f.plan->succeeded(tasks[3], {{"y", 30}});
  f.plan->succeeded(tasks[0], {{"y", 0}});
  f.plan->failed(tasks[2], "no");
  REQUIRE(f.plan->ok());
  CHECK(f.plan->outputs()["ys"] == Value::array({0, 30}));
  CHECK(f.plan->outputs()["xs_ok"] == Value::array({0, 3}));
  size_t absent = std::count_if(f.plan->problems().begin(), f.plan->problems().end(),
                                [](const Problem& p) { return p.kind == Problem::Absent; });
  CHECK(absent >= 2);

  Fixture g(text);
  auto again = g.ready();
  g.plan->failed(again[0], "no");
  g.plan->failed(again[1], "no");
  g.plan->failed(again[2], "no");  // now only 1 can succeed: the `for` fails
  g.plan->succeeded(again[3], {{"y", 1}});
  CHECK(g.plan->finished());
  CHECK_FALSE(g.plan->ok());
}

TEST_CASE("recursion expands call by call, with a depth limit", "[plan]") {
  std::string text = std::string(kOps) + R"(
workflow countdown(n: int) -> (steps: int) {
    if n > 0 {
        s = fails_maybe(x = 0)
        again = countdown(n = n - 1)
    }
    return (steps = (again.steps ?? 0) + 1)
}
workflow main(n: int = 3) -> (steps: int) { c = countdown(n = n)  return (steps = c.steps) })";
  Fixture f(text);
  std::vector<std::string> seen;
  for (auto tasks = f.ready(); !tasks.empty(); tasks = f.ready()) {
    for (TaskId t : tasks) {
      seen.push_back(f.plan->task(t).path);
      f.plan->succeeded(t, {{"y", 0}});
    }
  }
  CHECK(seen == std::vector<std::string>{"main.c.s", "main.c.again.s", "main.c.again.again.s"});
  REQUIRE(f.plan->ok());
  CHECK(f.plan->outputs()["steps"] == 4);

  Fixture deep(text, {{"n", 50}}, PlanOptions{false, 10});
  for (auto tasks = deep.ready(); !tasks.empty(); tasks = deep.ready()) {
    for (TaskId t : tasks) deep.plan->succeeded(t, {{"y", 0}});
  }
  CHECK(deep.plan->finished());
  CHECK_FALSE(deep.plan->ok());
  bool limit = std::any_of(deep.plan->problems().begin(), deep.plan->problems().end(),
                           [](const Problem& p) { return p.message.find("deeper than 10") != std::string::npos; });
  CHECK(limit);
}

TEST_CASE("a failing expression fails its step with a location", "[plan]") {
  Fixture f(R"(
workflow main(xs: list[int] = [1]) -> (o: int) {
    y = xs[5]
    return (o = y)
})");
  CHECK(f.plan->finished());
  CHECK_FALSE(f.plan->ok());
  REQUIRE(!f.plan->problems().empty());
  CHECK(f.plan->problems()[0].message.find("index 5") != std::string::npos);
  CHECK(f.plan->problems()[0].loc.line == 3);
}

TEST_CASE("sub-workflows return their outputs to the caller", "[plan]") {
  Fixture f(std::string(kOps) + R"(
workflow pair(a: str, b: str) -> (both: file) {
    x = greet(name = a)
    y = greet(name = b)
    c = concat(parts = [x.msg, y.msg])
    return (both = c.all)
}
workflow main() -> (o: file) { p = pair(a = "1", b = "2")  return (o = p.both) })");
  auto first = f.ready();
  REQUIRE(f.paths(first) == std::vector<std::string>{"main.p.x", "main.p.y"});
  f.plan->succeeded(first[0], {{"msg", "/1"}});
  f.plan->succeeded(first[1], {{"msg", "/2"}});
  auto second = f.ready();
  REQUIRE(f.paths(second) == std::vector<std::string>{"main.p.c"});
  f.plan->succeeded(second[0], {{"all", "/12"}});
  REQUIRE(f.plan->ok());
  CHECK(f.plan->outputs()["o"] == "/12");
}

TEST_CASE("stop() ends the plan once running tasks report back", "[plan]") {
  Fixture f(std::string(kOps) + "workflow main() { a = greet(name = \"a\")  b = greet(name = \"b\") }");
  auto tasks = f.ready();
  REQUIRE(tasks.size() == 2);
  f.plan->stop();
  CHECK_FALSE(f.plan->finished());
  f.plan->failed(tasks[0], "stopped");
  f.plan->failed(tasks[1], "stopped");
  CHECK(f.plan->finished());
  CHECK_FALSE(f.plan->ok());
}

TEST_CASE("a large fan-out is planned quickly and compactly", "[plan]") {
  Fixture f(std::string(kOps) + R"(
workflow main(n: int = 100000) { for i in range(n) { y = fails_maybe(x = i) } })");
  auto tasks = f.ready();
  CHECK(tasks.size() == 100000);
  CHECK(f.plan->task(tasks[99999]).path == "main.y[99999]");
}

TEST_CASE("a task's record is made when first asked for, in any order, and outlives its inputs", "[plan]") {
  // A plan of ten million ready tasks keeps each one's inputs, not its
  // record (path, input object): a dry run counts them by op_of().
  Fixture f(std::string(kOps) + R"(
workflow main(names: list[str] = ["a", "b", "c"]) { for n in names { g = greet(name = n) } })");
  auto tasks = f.ready();
  REQUIRE(tasks.size() == 3);
  for (TaskId id : tasks) CHECK(f.plan->op_of(id).name == "greet");
  CHECK(f.plan->task(tasks[2]).inputs == Value{{"name", "c"}});
  CHECK(f.plan->task(tasks[0]).path == "main.g[0]");
  // Forgotten before its record was made: the record has no inputs, but its path and op.
  f.plan->forget(tasks[1]);
  const Task& forgotten = f.plan->task(tasks[1]);
  CHECK(forgotten.inputs.is_null());
  CHECK(forgotten.path == "main.g[1]");
  CHECK(forgotten.op->name == "greet");
  // Records stay valid (and the same) while the plan goes on.
  const Task* first = &f.plan->task(tasks[0]);
  f.plan->succeeded(tasks[0], {{"msg", "/w/a"}});
  f.plan->forget(tasks[0]);
  CHECK(&f.plan->task(tasks[0]) == first);
  CHECK(first->path == "main.g[0]");
  CHECK(first->inputs.is_null());
  CHECK_THROWS_AS(f.plan->task(99), std::out_of_range);
}
