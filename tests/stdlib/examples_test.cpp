// The example folders (examples/*/), run through `flowc run` with their
// outputs checked against what the README of each promises.
#include <cmath>
#include <filesystem>
#include <set>
#include <sstream>

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "tests/support/project.h"
#include "tests/support/scoped_cwd.h"
#include "tests/support/test_support.h"

namespace fs = std::filesystem;
using namespace flowc::test;

namespace {

nlohmann::json outputs(const Project& p) { return nlohmann::json::parse(p.read("flow-out/outputs.json")); }

std::vector<std::vector<std::string>> rows_of(const std::string& text) {
  std::vector<std::vector<std::string>> rows;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) {
    std::istringstream words(line);
    std::vector<std::string> row;
    for (std::string w; words >> w;) row.push_back(w);
    rows.push_back(row);
  }
  return rows;
}

double truth(double x) { return std::sin(3 * x) + 0.3 * x * x; }

}  // namespace

TEST_CASE("the example folders and the standard library check clean, without warnings", "[examples][stdlib]") {
  // tests/ir/ir_test.cpp covers examples/*.flow; this covers the folders.
  std::vector<std::string> files;
  for (const char* dir : {"examples", "stdlib-ops/std"}) {
    for (const auto& e : fs::recursive_directory_iterator(source_path(dir))) {
      std::string relative = fs::relative(e.path(), source_path("")).string();
      bool top_level_example = e.path().parent_path() == fs::path(source_path("examples"));
      if (e.path().extension() == ".flow" && !top_level_example && relative.rfind("examples/lib/", 0) != 0) {
        files.push_back(relative);
      }
    }
  }
  CHECK(files.size() >= 4);
  ScopedCwd cwd(source_path(""));
  for (const std::string& file : files) {
    flowc::CompileOptions options;
    options.library_paths = {"stdlib-ops"};
    auto c = flowc::compile(file, options);
    INFO(file << "\n" << diagnostics_text(*c));
    CHECK(c->io_error.empty());
    CHECK(c->diags.all().empty());
    CHECK(c->program.has_value());
  }
}

TEST_CASE("examples/dpgen-loop: the loop recurses until the candidates converge", "[examples][dpgen]") {
  Project p;
  std::string flow = source_path("examples/dpgen-loop/dpgen.flow");
  auto r = p.flowc({"run", flow});
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  auto out = outputs(p);
  int iterations = out["iterations"];
  CHECK(iterations >= 3);  // it really went round
  CHECK(iterations < 20);  // and stopped because it converged, not at the cap
  CHECK(out["fraction"].get<double>() <= 0.05);

  // One history line per iteration: "iteration found fraction points", the
  // training set growing each time, the last line the final fraction.
  auto history = rows_of(read_file(out["history"]));
  REQUIRE(history.size() == static_cast<size_t>(iterations));
  int previous_points = 4;
  for (int i = 0; i < iterations; ++i) {
    INFO("iteration " << i);
    REQUIRE(history[i].size() == 4);
    CHECK(history[i][0] == std::to_string(i));
    int points = std::stoi(history[i][3]);
    CHECK(points >= previous_points);
    CHECK(points <= previous_points + 8);  // at most max_candidates new points
    previous_points = points;
    if (i + 1 < iterations) CHECK(std::stod(history[i][2]) > 0.05);
  }
  CHECK(std::stod(history.back()[2]) == Approx(out["fraction"].get<double>()));
  CHECK(history[0][1] != "0");

  // The final training set: the initial points and every labelled one, each
  // labelled with the reference energy.
  auto data = rows_of(read_file(out["data"]));
  CHECK(data.size() == static_cast<size_t>(previous_points));
  std::set<std::string> xs;
  for (const auto& row : data) {
    REQUIRE(row.size() == 2);
    xs.insert(row[0]);
    double x = std::stod(row[0]);
    CHECK(x >= -2.0);
    CHECK(x <= 2.0);
    CHECK(std::stod(row[1]) == Approx(truth(x)).margin(1e-5));
  }
  CHECK(xs.count("-1.8") == 1);
  CHECK(xs.count("1.5") == 1);

  SECTION("the iteration cap stops it too") {
    auto capped = p.flowc({"run", flow, "-p", "max_iterations=2"});
    INFO(capped.err);
    REQUIRE(capped.exit_code == 0);
    CHECK(outputs(p)["iterations"] == 2);
    CHECK(outputs(p)["fraction"].get<double>() > 0.05);
    CHECK(rows_of(read_file(outputs(p)["history"])).size() == 2);
  }
}

TEST_CASE("examples/screening: fan-out over the passed ligands, top k gathered", "[examples][screening]") {
  Project p;
  // Scaled down: the first 40 ligands of the library, the malformed one among them.
  auto library = rows_of(read_file(source_path("examples/screening/data/library.txt")));
  std::string subset;
  std::set<std::string> passing;
  for (size_t i = 0; i < 40; ++i) {
    std::string line;
    for (const std::string& w : library[i]) line += (line.empty() ? "" : " ") + w;
    subset += line + "\n";
  }
  subset += "LIG0077 412.3 2.1 0.51 n/a 0.33 0.90\n";
  for (const auto& row : rows_of(subset)) {
    if (std::stod(row[1]) <= 500.0 && std::stod(row[2]) <= 5.0) passing.insert(row[0]);
  }
  p.write("library.txt", subset);

  auto r = p.flowc({"run", source_path("examples/screening/screening.flow"), "-p", "library=library.txt", "-p", "k=5",
                    "-p", "chunks=3"});
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  auto out = outputs(p);
  CHECK(out["passed"] == passing.size());
  CHECK(out["docked"] == passing.size() - 1);  // LIG0077 could not be docked
  CHECK_THAT(r.err, Catch::Contains("dock: cannot read ligand LIG0077: feature 2 is \"n/a\", not a number"));
  CHECK(p.count("failed") == 1);

  auto scores = rows_of(read_file(out["scores"]));
  REQUIRE(scores.size() == passing.size() - 1);
  std::set<std::string> docked;
  for (size_t i = 0; i < scores.size(); ++i) {
    docked.insert(scores[i][0]);
    if (i > 0) CHECK(std::stod(scores[i - 1][1]) <= std::stod(scores[i][1]));
  }
  passing.erase("LIG0077");
  CHECK(docked == passing);
  auto top = rows_of(read_file(out["top"]));
  REQUIRE(top.size() == 5);
  for (size_t i = 0; i < 5; ++i) CHECK(top[i] == scores[i]);

  SECTION("fewer successes than min_success_ratio fail the screen") {
    auto strict = p.flowc({"run", source_path("examples/screening/screening.flow"), "-p", "library=library.txt", "-p",
                           "min_success_ratio=1.0"});
    CHECK(strict.exit_code == 1);
  }
}

TEST_CASE("examples/hello.flow greets everyone, in order", "[examples]") {
  Project p;
  auto r = p.flowc({"run", source_path("examples/hello.flow")});
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  CHECK(read_file(outputs(p)["greeting"]) == "Hello, Ada!\nHello, Grace!\nHello, Linus!\n");
}
