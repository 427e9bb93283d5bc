// std/table.flow through `flowc run`: the import resolves from the build
// tree, each op finds flowc-table on the task's PATH (the flowc executable's
// folder comes first), runs as an MPI job of `ranks` ranks, and its outputs
// equal the reference's. And examples/table-join, scaled down.
#include <catch2/catch.hpp>

#include <filesystem>

#include <nlohmann/json.hpp>

#include "tests/table/random_table.h"
#include "tests/table/table_reference.h"
#include "tests/table/table_run.h"

using namespace flowc::test::table;
using flowc::test::run_flowc;

namespace {

const char* kWorkflow = R"(
import "std/table.flow"

workflow main(t: file, r: file) -> (sorted: file, joined: file, summed: file, parts: list[file]) {
    s = sort(table = t, by = "k", ranks = 3)
    j = join(left = t, right = r, on = "k", how = "left", ranks = 2)
    g = groupby_sum(table = t, by = "k", columns = ["v", "x"], ranks = 3)
    p = partition(table = t, by = "k", ranks = 3)
    return (sorted = s.sorted, joined = j.joined, summed = g.summed, parts = p.parts)
}
)";

}  // namespace

TEST_CASE("a task's PATH starts with the folder of the flowc that runs it, once", "[table][flow]") {
  Scratch s("path");
  s.write("p.flow", R"(
op path() -> (out: file) {
    run "echo \"$PATH\" > ${out}"
}
workflow main() -> (out: file) {
    p = path()
    return (out = p.out)
}
)");
  std::string dir = std::filesystem::path(FLOWC_BINARY).parent_path().string();
  auto run = run_flowc({"run", "p.flow"}, s.dir.string(), {"PATH=" + dir + ":/usr/bin:/bin"});
  INFO(run.out << run.err);
  REQUIRE(run.exit_code == 0);
  // Already first: not added again.
  CHECK(s.read("flow-out/out/out") == dir + ":/usr/bin:/bin\n");
  auto again = run_flowc({"run", "p.flow", "--fresh"}, s.dir.string(), {"PATH=/usr/bin:/bin"});
  INFO(again.out << again.err);
  REQUIRE(again.exit_code == 0);
  CHECK(s.read("flow-out/out/out") == dir + ":/usr/bin:/bin\n");
}

TEST_CASE("a workflow importing std/table.flow runs its ops as MPI jobs", "[table][flow]") {
  Scratch s("flow");
  std::mt19937_64 rng(11);
  TableShape shape;
  shape.rows = 700;
  shape.distinct = 40;
  shape.keys = Keys::Skewed;
  std::string t = random_table(shape, rng);
  shape.rows = 90;
  shape.distinct = 50;
  std::string right = random_table(shape, rng);
  s.write("t.csv", t);
  s.write("r.csv", right);
  s.write("wf.flow", kWorkflow);
  auto run = run_flowc({"run", "wf.flow", "-p", "t=t.csv", "-p", "r=r.csv"}, s.dir.string());
  INFO(run.out << run.err);
  REQUIRE(run.exit_code == 0);

  Csv table = parse_csv(t);
  CHECK(s.read("flow-out/sorted/sorted.csv") == sort_reference(table, "k", false));
  std::string joined = s.read("flow-out/joined/joined.csv");
  std::string expected_join = join_reference(table, parse_csv(right), "k", true, false);
  CHECK(first_line(joined) == first_line(expected_join));
  CHECK(sorted_body(joined) == sorted_body(expected_join));
  std::string summed = s.read("flow-out/summed/summed.csv");
  CHECK(sorted_body(summed) == sorted_body(groupby_sum_reference(table, "k", {"v", "x"}, false)));
  auto outputs = nlohmann::json::parse(s.read("flow-out/outputs.json"));
  REQUIRE(outputs["parts"].size() == 3);
  size_t rows = 0;
  for (const auto& part : outputs["parts"])
    rows += parse_csv(flowc::test::read_file(part.get<std::string>())).rows.size();
  CHECK(rows == table.rows.size());
}

TEST_CASE("examples/table-join: orders joined with customers, summed per region, sorted", "[table][flow][examples]") {
  Scratch s("example");
  auto run = run_flowc({"run", flowc::test::source_path("examples/table-join/table-join.flow"), "-p", "ranks=3"},
                       s.dir.string());
  INFO(run.out << run.err);
  REQUIRE(run.exit_code == 0);

  Csv orders = parse_csv(flowc::test::read_file(flowc::test::source_path("examples/table-join/data/orders.csv")));
  Csv customers = parse_csv(flowc::test::read_file(flowc::test::source_path("examples/table-join/data/customers.csv")));
  std::string joined = join_reference(orders, customers, "customer", true, false);
  std::string summed = groupby_sum_reference(parse_csv(joined), "region", {"quantity", "amount_cents"}, false);
  // The summed table's row order is the ranks' business; sorting it by
  // amount gives one answer (no two regions have the same amount).
  std::string expected = sort_reference(parse_csv(summed), "amount_cents", true);
  CHECK(s.read("flow-out/by_region/sorted.csv") == expected);
  // Orders of customers not in customers.csv are kept, under an empty region.
  CHECK(expected.find("\n,") != std::string::npos);
  CHECK(sorted_body(s.read("flow-out/joined/joined.csv")) == sorted_body(joined));

  auto outputs = nlohmann::json::parse(s.read("flow-out/outputs.json"));
  REQUIRE(outputs["rows_per_part"].size() == 3);
  long total = 0;
  for (const auto& n : outputs["rows_per_part"]) total += n.get<long>();
  CHECK(total == static_cast<long>(orders.rows.size()));
}
