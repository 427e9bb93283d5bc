// The plan's stream rules, driven by hand: gangs start together, replicas
// share a stream, fan-in counts producers, batch work waits for the gang.
#include <algorithm>

#include <catch2/catch.hpp>

#include "runtime/scheduler/plan.h"
#include "runtime/streams/bridge_spec.h"
#include "tests/support/test_support.h"

using namespace flowc;
using namespace flowc::runtime;

namespace {

using Groups = std::vector<std::vector<std::string>>;  // an output's consumer groups

struct Fixture {
  std::unique_ptr<Compilation> c;
  std::unique_ptr<Plan> plan;

  explicit Fixture(const std::string& text, PlanOptions options = {}) {
    c = test::compile_text(text);
    INFO(test::diagnostics_text(*c));
    REQUIRE(c->program);
    const ir::Workflow* wf = c->program->find_workflow(c->program->entry);
    REQUIRE(wf);
    plan = std::make_unique<Plan>(*c->program, *wf, Value::object(), options);
  }
  std::vector<std::string> paths(const std::vector<TaskId>& ids) {
    std::vector<std::string> out;
    for (TaskId id : ids) out.push_back(plan->task(id).path);
    std::sort(out.begin(), out.end());
    return out;
  }
  TaskId by_path(const std::vector<TaskId>& ids, const std::string& path) {
    for (TaskId id : ids) {
      if (plan->task(id).path == path) return id;
    }
    FAIL("no task " << path);
    return 0;
  }
};

const char* kOps = R"(
op emit(n: int) -> (out: stream[str]) { run "seq ${n}" }
op twice(lines: stream[str]) -> (out: stream[str]) { run "sed p" }
op collect(lines: stream[str]) -> (all: file) { run "cat > ${all}" }
op count(f: file) -> (n: int) { run "wc -l < ${f} > ${n}" }
op slow_value(x: int) -> (y: int) { run "echo ${x} > ${y}" }
op collect_with(lines: stream[str], label: int) -> (all: file) { run "cat > ${all}" }
op emit_and_count(n: int) -> (out: stream[str], total: int) { run "seq ${n}" }
op collect_total(lines: stream[str], total: int) -> (all: file) { run "cat > ${all}" }
)";

}  // namespace

TEST_CASE("a producer and its consumers start together, as one gang", "[plan][streams]") {
  Fixture f(std::string(kOps) + R"(
workflow main() -> (n: int) {
    p = emit(n = 10)
    c = collect(lines = p.out)
    k = count(f = c.all)
    return (n = k.n)
})");
  auto ready = f.plan->take_ready();
  REQUIRE(f.paths(ready) == std::vector<std::string>{"main.c", "main.p"});
  TaskId p = f.by_path(ready, "main.p"), c = f.by_path(ready, "main.c");
  CHECK(f.plan->task(p).gang != 0);
  CHECK(f.plan->task(p).gang == f.plan->task(c).gang);
  CHECK(f.plan->gang(f.plan->task(p).gang).size() == 2);
  // How they connect.
  const StreamOutputWiring& out = f.plan->task(p).streams.outputs.at("out");
  CHECK(out.channel == "main.p.out");
  CHECK(out.to == Groups{{"main.c/lines"}});
  const StreamInputWiring& in = f.plan->task(c).streams.inputs.at("lines");
  CHECK(in.key == "main.c/lines");
  CHECK(in.expect == 1);
  CHECK(in.from == std::vector<std::string>{"main.p.out"});
  // The batch task after the consumer waits for it to finish.
  f.plan->succeeded(p, Value::object());
  CHECK(f.plan->take_ready().empty());
  f.plan->succeeded(c, {{"all", "/w/all"}});
  auto next = f.plan->take_ready();
  REQUIRE(f.paths(next) == std::vector<std::string>{"main.k"});
  CHECK(f.plan->task(next[0]).gang == 0);
  f.plan->succeeded(next[0], {{"n", 10}});
  REQUIRE(f.plan->ok());
  CHECK(f.plan->outputs()["n"] == 10);
}

TEST_CASE("replicas share a stream round-robin, their outputs fan in", "[plan][streams]") {
  Fixture f(std::string(kOps) + R"(
workflow main() -> (all: file) {
    p = emit(n = 10)
    r = twice(lines = p.out) with { replicas = 3 }
    a = collect(lines = r.out)
    return (all = a.all)
})");
  auto ready = f.plan->take_ready();
  REQUIRE(f.paths(ready) == std::vector<std::string>{"main.a", "main.p", "main.r#0", "main.r#1", "main.r#2"});
  TaskId p = f.by_path(ready, "main.p");
  CHECK(f.plan->task(p).streams.outputs.at("out").to == Groups{{"main.r#0/lines", "main.r#1/lines", "main.r#2/lines"}});
  TaskId a = f.by_path(ready, "main.a");
  CHECK(f.plan->task(a).streams.inputs.at("lines").expect == 3);  // three producers' ends of stream
  for (TaskId id : ready) CHECK(f.plan->task(id).gang == f.plan->task(p).gang);
  for (TaskId id : ready) {
    if (id != a) f.plan->succeeded(id, Value::object());
  }
  CHECK_FALSE(f.plan->finished());
  f.plan->succeeded(a, {{"all", "/w/all"}});
  REQUIRE(f.plan->ok());
}

TEST_CASE("a for over producers fans in, a for over a consumer distributes", "[plan][streams]") {
  Fixture f(std::string(kOps) + R"(
workflow main() -> (all: file) {
    for i in [1, 2] { p = emit(n = i) }
    m = collect(lines = p.out)
    q = emit(n = 5)
    for j in [1, 2, 3] { w = twice(lines = q.out) }
    z = collect(lines = w.out)
    return (all = m.all)
})");
  auto ready = f.plan->take_ready();
  REQUIRE(f.paths(ready) == std::vector<std::string>{"main.m", "main.p[0]", "main.p[1]", "main.q", "main.w[0]",
                                                     "main.w[1]", "main.w[2]", "main.z"});
  TaskId m = f.by_path(ready, "main.m");
  CHECK(f.plan->task(m).streams.inputs.at("lines").expect == 2);
  CHECK(f.plan->task(m).streams.inputs.at("lines").from == std::vector<std::string>{"main.p[0].out", "main.p[1].out"});
  TaskId q = f.by_path(ready, "main.q");
  // The three iterations are one group: each message goes to one of them.
  CHECK(f.plan->task(q).streams.outputs.at("out").to ==
        Groups{{"main.w[0]/lines", "main.w[1]/lines", "main.w[2]/lines"}});
  CHECK(f.plan->task(f.by_path(ready, "main.z")).streams.inputs.at("lines").expect == 3);
  CHECK(f.plan->task(m).gang != f.plan->task(q).gang);  // two independent gangs
}

TEST_CASE("two consumer calls of one stream each get every message", "[plan][streams]") {
  Fixture f(std::string(kOps) + R"(
workflow main() -> (a: file, b: file) {
    p = emit(n = 4)
    a = collect(lines = p.out)
    b = collect(lines = p.out)
    return (a = a.all, b = b.all)
})");
  auto ready = f.plan->take_ready();
  TaskId p = f.by_path(ready, "main.p");
  CHECK(f.plan->task(p).streams.outputs.at("out").to == Groups{{"main.a/lines"}, {"main.b/lines"}});
}

TEST_CASE("only a lone stdin/stdout pair of lines or frames is marked a local pipe", "[plan][streams]") {
  Fixture f(std::string(kOps) + R"(
type Hit = { id: int }
op emit_bytes() -> (out: stream[bytes]) { run "true" }
op keep_bytes(data: stream[bytes]) -> (all: file) { run "cat > ${all}" }
op emit_native(n: int) -> (out: stream[str]) { streams "native" run "x" }
op collect_native(lines: stream[str]) -> (all: file) { streams "native" run "x" }
op hits() -> (out: stream[Hit]) { run "true" }
op keep_hits(h: stream[Hit]) -> (all: file) { run "cat > ${all}" }
workflow main() -> (a: file) {
    p = emit(n = 1)
    a = collect(lines = p.out)
    b = emit_bytes()
    k = keep_bytes(data = b.out)
    t = emit(n = 2)
    t1 = collect(lines = t.out)
    t2 = collect(lines = t.out)
    r = emit(n = 3)
    rr = twice(lines = r.out) with { replicas = 2 }
    for i in [1, 2] { q = emit(n = i) }
    m = collect(lines = q.out)
    n = emit_native(n = 4)
    nc = collect(lines = n.out)
    s = emit(n = 5)
    sn = collect_native(lines = s.out)
    h = hits()
    kh = keep_hits(h = h.out)
    return (a = a.all)
})");
  auto ready = f.plan->take_ready();
  auto pipe = [&](const std::string& path, const std::string& port) {
    return f.plan->task(f.by_path(ready, path)).streams.inputs.at(port).pipe;
  };
  CHECK(pipe("main.a", "lines"));           // str, one producer for one consumer
  CHECK(pipe("main.k", "data"));            // bytes
  CHECK_FALSE(pipe("main.t1", "lines"));    // two consumers of one stream
  CHECK_FALSE(pipe("main.rr#0", "lines"));  // replicas share it
  CHECK_FALSE(pipe("main.m", "lines"));     // two producers
  CHECK_FALSE(pipe("main.nc", "lines"));    // a native producer
  CHECK_FALSE(pipe("main.sn", "lines"));    // a native consumer
  CHECK_FALSE(pipe("main.kh", "h"));        // records: checked line by line
  // Written only where true: the keys of every other stream task are as before.
  Value marked = f.plan->task(f.by_path(ready, "main.a")).streams;
  CHECK(marked["inputs"]["lines"]["pipe"] == true);
  CHECK(marked.get<StreamWiring>() == f.plan->task(f.by_path(ready, "main.a")).streams);
  Value plain = f.plan->task(f.by_path(ready, "main.m")).streams;
  CHECK_FALSE(plain["inputs"]["lines"].contains("pipe"));
}

TEST_CASE("a gang waits for a consumer's other inputs", "[plan][streams]") {
  Fixture f(std::string(kOps) + R"(
workflow main() -> (all: file) {
    v = slow_value(x = 1)
    p = emit(n = 4)
    c = collect_with(lines = p.out, label = v.y)
    return (all = c.all)
})");
  auto ready = f.plan->take_ready();
  REQUIRE(f.paths(ready) == std::vector<std::string>{"main.v"});  // the producer is held
  f.plan->succeeded(ready[0], {{"y", 1}});
  CHECK(f.paths(f.plan->take_ready()) == std::vector<std::string>{"main.c", "main.p"});
}

TEST_CASE("a consumer that needs its producer to finish first is an error, not a hang", "[plan][streams]") {
  Fixture f(std::string(kOps) + R"(
workflow main() -> (all: file) {
    p = emit_and_count(n = 4)
    c = collect_total(lines = p.out, total = p.total)
    return (all = c.all)
})");
  auto ready = f.plan->take_ready();
  CHECK(ready.empty());
  REQUIRE(f.plan->finished());
  CHECK_FALSE(f.plan->ok());
  REQUIRE(!f.plan->problems().empty());
  CHECK_THAT(f.plan->problems()[0].message, Catch::Contains("main.c") && Catch::Contains("after the stream has ended"));
}

TEST_CASE("a failed replica fails its call once, and the run ends when the gang is back", "[plan][streams]") {
  Fixture f(std::string(kOps) + R"(
workflow main() -> (all: file) {
    p = emit(n = 10)
    r = twice(lines = p.out) with { replicas = 2 }
    a = collect(lines = r.out)
    return (all = a.all)
})");
  auto ready = f.plan->take_ready();
  REQUIRE(ready.size() == 4);
  f.plan->failed(f.by_path(ready, "main.r#1"), "exited with code 1");
  CHECK_FALSE(f.plan->finished());
  f.plan->failed(f.by_path(ready, "main.r#0"), "stopped");
  f.plan->failed(f.by_path(ready, "main.p"), "stopped");
  f.plan->failed(f.by_path(ready, "main.a"), "stopped");
  REQUIRE(f.plan->finished());
  CHECK_FALSE(f.plan->ok());
  CHECK(f.plan->problems()[0].path == "main.r");
  CHECK(f.plan->problems()[0].message == "exited with code 1");
}

TEST_CASE("replicas of an op with a file output is a clear error", "[plan][streams]") {
  Fixture f(std::string(kOps) + R"(
workflow main() -> (all: file) {
    p = emit(n = 10)
    a = collect(lines = p.out) with { replicas = 2 }
    return (all = a.all)
})");
  CHECK(f.plan->take_ready().empty());
  REQUIRE(f.plan->finished());
  CHECK_THAT(f.plan->problems()[0].message, Catch::Contains("use a `for`"));
}

// The wiring is part of a stream task's key (its manifest): its JSON must
// keep the shape and names it had when it was untyped, or every stream task
// of an earlier run would miss the cache.
TEST_CASE("stream wiring is written as the JSON task keys were made of, and read back", "[plan][streams]") {
  StreamWiring w;
  w.inputs["lines"] = {"main.c/lines", 2, {"main.p[0].out", "main.p[1].out"}};
  w.outputs["out"] = {"main.c.out", {{"main.a/lines"}, {"main.r#0/lines", "main.r#1/lines"}}};
  Value j = w;
  CHECK(j.dump() ==
        R"({"inputs":{"lines":{"expect":2,"from":["main.p[0].out","main.p[1].out"],"key":"main.c/lines"}},)"
        R"("outputs":{"out":{"channel":"main.c.out","to":[["main.a/lines"],["main.r#0/lines","main.r#1/lines"]]}}})");
  CHECK(j.get<StreamWiring>() == w);
  CHECK(Value(StreamWiring{}).dump() == R"({"inputs":{},"outputs":{}})");
  // A wiring without its "inputs" is not a wiring: said, not taken as empty.
  CHECK_THROWS(Value::parse(R"({"outputs":{}})").get<StreamWiring>());
}

TEST_CASE("a bridge spec round-trips through its JSON, ports flat with their type", "[plan][streams]") {
  streams::BridgeSpec spec;
  spec.task = "main.c";
  spec.command = {"/bin/sh", "-c", "cat"};
  spec.native = true;
  spec.registry = "dir:///tmp/r";
  spec.run_id = "r1";
  spec.transport = "tcp";
  spec.across_nodes = true;
  spec.ipc_dir = "/tmp/i";
  spec.hwm = 7;
  spec.lookup_timeout = 2.5;
  spec.stats = "/w/.stream-stats.jsonl";
  spec.inputs["lines"] = {{"main.c/lines", 1, {"main.p.out"}}, "str"};
  spec.outputs["out"] = {{"main.c.out", {{"main.d/lines"}}}, "bytes"};
  Value j = spec;
  CHECK(j["host"] == "node");
  CHECK(j["inputs"]["lines"] ==
        Value::parse(R"({"key":"main.c/lines","expect":1,"from":["main.p.out"],"type":"str"})"));
  CHECK(j["outputs"]["out"] == Value::parse(R"({"channel":"main.c.out","to":[["main.d/lines"]],"type":"bytes"})"));
  streams::BridgeSpec back = j.get<streams::BridgeSpec>();
  CHECK(back.task == spec.task);
  CHECK(back.command == spec.command);
  CHECK(back.native);
  CHECK(back.registry == spec.registry);
  CHECK(back.run_id == spec.run_id);
  CHECK(back.transport == "tcp");
  CHECK(back.across_nodes);
  CHECK(back.ipc_dir == spec.ipc_dir);
  CHECK(back.hwm == 7);
  CHECK(back.lookup_timeout == 2.5);
  CHECK(back.stats == spec.stats);
  CHECK(back.inputs.at("lines").wiring == spec.inputs.at("lines").wiring);
  CHECK(back.inputs.at("lines").type == "str");
  CHECK(back.outputs.at("out").wiring == spec.outputs.at("out").wiring);
  CHECK(back.outputs.at("out").type == "bytes");
  // A port without its element type cannot be framed: said.
  j["inputs"]["lines"].erase("type");
  CHECK_THROWS(j.get<streams::BridgeSpec>());
}
