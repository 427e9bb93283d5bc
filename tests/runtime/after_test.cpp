// `with { after = [a] }`: a call that waits for others to end without
// reading them, honoured by the plan and shown in `flowc graph`. End to end
// through the real flowc.
#include <algorithm>
#include <sstream>

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "tests/support/project.h"
#include "tests/support/test_support.h"

using flowc::test::Project;
using nlohmann::json;

namespace {

// `mark` appends its tag to a log outside the work dirs: the log's lines
// are the order in which the tasks ended.
const char* kOrdered = R"(
op mark(tag: str, log: str) -> (out: file) { run "sleep 0.3; echo ${tag} >> ${log}; echo ${tag} > ${out}" }
workflow main(log: str) -> (b: file, n: file) {
    b = mark(tag = "b", log = log) with { after = [a] }
    a = mark(tag = "a", log = log)
    for x in ["x1", "x2"] {
        g = mark(tag = x, log = log)
    }
    n = mark(tag = "n", log = log) with { after = [g, b] }
    return (b = b.out, n = n.out)
}
)";

std::vector<std::string> lines(const std::string& text) {
  std::vector<std::string> out;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) out.push_back(line);
  return out;
}

size_t position(const std::vector<std::string>& v, const std::string& x) {
  return static_cast<size_t>(std::find(v.begin(), v.end(), x) - v.begin());
}

}  // namespace

TEST_CASE("a call with `after` starts only once the calls it names have ended", "[run][after]") {
  Project p;
  p.write("o.flow", kOrdered);
  std::string log = (p.dir / "log").string();
  auto r = p.flowc({"run", "o.flow", "-p", "log=" + log, "-j", "4"});
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  auto order = lines(p.read("log"));
  REQUIRE(order.size() == 5);
  CHECK(position(order, "a") < position(order, "b"));   // `after` names a call bound later: still honoured
  CHECK(position(order, "x1") < position(order, "n"));  // after a `for`: every item
  CHECK(position(order, "x2") < position(order, "n"));
  CHECK(position(order, "b") < position(order, "n"));
  CHECK(order.back() == "n");
}

TEST_CASE("the failure of a call another waits for propagates, unless that call is optional", "[run][after]") {
  Project p;
  std::string log = (p.dir / "log").string();
  p.write("f.flow", R"(
op boom() -> (out: file) { run "exit 3" }
op note(tag: str, log: str) -> (out: file) { run "echo ${tag} >> ${log}; echo > ${out}" }
workflow main(log: str) -> (tolerant: file) {
    a = boom()
    b = note(tag = "after a", log = log) with { after = [a] }
    c = boom() with { optional = true }
    d = note(tag = "after optional c", log = log) with { after = [c] }
    return (tolerant = d.out)
}
)");
  auto r = p.flowc({"run", "f.flow", "-p", "log=" + log, "--keep-going"});
  INFO(r.err);
  CHECK(r.exit_code == 1);
  CHECK(lines(p.read("log")) == std::vector<std::string>{"after optional c"});
  bool b_started = false;
  for (const json& e : p.events()) b_started = b_started || (e["event"] == "started" && e["task"] == "main.b");
  CHECK_FALSE(b_started);
}

TEST_CASE("flowc graph draws `after` as a dashed edge", "[cli][after]") {
  Project p;
  p.write("o.flow", kOrdered);
  auto dot = p.flowc({"graph", "o.flow"});
  INFO(dot.err);
  REQUIRE(dot.exit_code == 0);
  CHECK(dot.out.find("\"a\" -> \"b\" [style=dashed, label=\"after\"];") != std::string::npos);
  CHECK(dot.out.find("\"g\" -> \"n\" [style=dashed, label=\"after\"];") != std::string::npos);
  auto mermaid = p.flowc({"graph", "o.flow", "--format", "mermaid"});
  CHECK(mermaid.out.find("n_a -. after .-> n_b") != std::string::npos);
  // The IR says it too: the option, and the name among the call's deps.
  auto ir = p.flowc({"build", "o.flow", "-o", "o.json"});
  REQUIRE(ir.exit_code == 0);
  json doc = json::parse(p.read("o.json"));
  const json& b = doc["workflows"][0]["body"][0];
  CHECK(b["options"]["after"] == json::array({"a"}));
  CHECK(std::find(b["deps"].begin(), b["deps"].end(), "a") != b["deps"].end());
}
