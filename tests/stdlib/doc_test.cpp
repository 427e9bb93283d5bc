// `flowc doc`: its output for every file under tests/golden/doc/ in each
// format (FLOWC_UPDATE_GOLDENS=1 rewrites them), finding a library file the
// way an import does, and its errors. Also: the standard library itself is
// documented, op by op, and checks clean.
#include <cstdlib>
#include <filesystem>

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "tests/support/project.h"
#include "tests/support/test_support.h"

namespace fs = std::filesystem;
using namespace flowc::test;

namespace {

bool updating() { return std::getenv("FLOWC_UPDATE_GOLDENS") != nullptr; }

std::vector<fs::path> files_in(const std::string& relative_dir, const std::string& extension) {
  std::vector<fs::path> out;
  for (const auto& e : fs::directory_iterator(source_path(relative_dir))) {
    if (e.path().extension() == extension) out.push_back(e.path());
  }
  std::sort(out.begin(), out.end());
  return out;
}

}  // namespace

TEST_CASE("doc: text, markdown and json match their goldens", "[doc][golden]") {
  auto programs = files_in("tests/golden/doc", ".flow");
  REQUIRE(!programs.empty());
  const std::pair<const char*, const char*> formats[] = {{"text", ".txt"}, {"markdown", ".md"}, {"json", ".json"}};
  for (const fs::path& program : programs) {
    for (const auto& [format, extension] : formats) {
      DYNAMIC_SECTION(program.filename().string() << " as " << format) {
        // Run from the golden folder, so the file is named as written.
        auto r = run_flowc({"doc", "--format", format, program.filename().string()}, program.parent_path().string());
        INFO(r.err);
        REQUIRE(r.exit_code == 0);
        fs::path expected = program;
        expected.replace_extension(extension);
        if (updating()) {
          write_file(expected.string(), r.out);
        } else {
          REQUIRE(fs::exists(expected));
          CHECK(r.out == read_file(expected.string()));
        }
      }
    }
  }
}

TEST_CASE("doc: the golden library shows what the brief promises", "[doc]") {
  auto r = run_flowc({"doc", "--format", "json", "library.flow"}, source_path("tests/golden/doc"));
  REQUIRE(r.exit_code == 0);
  auto doc = nlohmann::json::parse(r.out);
  CHECK(doc["doc"] == "Tools for aligning reads.\n\nImport it with `import \"library.flow\"`.");
  auto& decls = doc["declarations"];
  REQUIRE(decls.size() == 6);
  CHECK(decls[0]["kind"] == "type");
  CHECK(decls[1]["name"] == "align");
  CHECK(decls[1]["signature"] ==
        "op align(sample: Sample, threads: int = 4, ref: file?) -> (bam: file = \"${sample.id}.bam\", reads: int)");
  CHECK(decls[1]["inputs"][1] == nlohmann::json{{"name", "threads"}, {"type", "int"}, {"default", "4"}});
  CHECK(decls[1]["options"]["image"] == "\"localhost/aligner:1.2\"");
  CHECK(decls[1]["options"]["resources"] == "{ cpus = threads, mem = 8GiB, }");
  CHECK(decls[1]["options"].count("run") == 0);
  CHECK(decls[1]["doc"] == "Aligns one sample's reads against `ref`.\n\nThe output is sorted by position.");
  CHECK(decls[2]["options"]["mpi"] == "{ ranks = ranks }");
  CHECK(decls[3]["doc"] == "");
  CHECK(decls[5]["kind"] == "workflow");
}

TEST_CASE("doc: a /// block documents the file only when a blank line sets it apart", "[doc]") {
  Project p("flowc-doc");
  p.write("attached.flow", "/// The op's.\nop a() -> (o: file) { run \"touch ${o}\" }\n");
  p.write("apart.flow", "// plain\n/// The file's.\n\n/// The op's.\nop a() -> (o: file) { run \"touch ${o}\" }\n");
  p.write("none.flow", "op a() -> (o: file) { run \"touch ${o}\" }\n/// After everything: nobody's.\n");
  auto attached = nlohmann::json::parse(p.flowc({"doc", "--format", "json", "attached.flow"}).out);
  CHECK(attached["doc"] == "");
  CHECK(attached["declarations"][0]["doc"] == "The op's.");
  auto apart = nlohmann::json::parse(p.flowc({"doc", "--format", "json", "apart.flow"}).out);
  CHECK(apart["doc"] == "The file's.");
  CHECK(apart["declarations"][0]["doc"] == "The op's.");
  auto none = nlohmann::json::parse(p.flowc({"doc", "--format", "json", "none.flow"}).out);
  CHECK(none["doc"] == "");
  CHECK(none["declarations"][0]["doc"] == "");
}

TEST_CASE("doc: std/files.flow is found through the library path, from anywhere", "[doc]") {
  Project p("flowc-doc");
  auto r = p.flowc({"doc", "std/files.flow"});
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  CHECK_THAT(r.out, Catch::StartsWith("std/files.flow ("));
  CHECK_THAT(r.out, Catch::Contains("op split_lines(f: file, n: int) -> (chunks: list[file] = glob(\"chunk_*\"))"));

  // A file of the same name in the current folder wins, as for an import.
  p.write("std/files.flow", "/// Mine.\nop mine() -> (o: file) { run \"touch ${o}\" }\n");
  auto mine = p.flowc({"doc", "std/files.flow"});
  REQUIRE(mine.exit_code == 0);
  CHECK_THAT(mine.out, Catch::Contains("op mine() -> (o: file)"));

  // --lib and FLOW_PATH are searched like imports are.
  p.write("libs/a/tools.flow", "/// From a.\nop from_a() -> (o: file) { run \"touch ${o}\" }\n");
  p.write("libs/b/tools.flow", "/// From b.\nop from_b() -> (o: file) { run \"touch ${o}\" }\n");
  CHECK_THAT(p.flowc({"doc", "--lib", (p.dir / "libs/a").string(), "tools.flow"}).out, Catch::Contains("from_a"));
  CHECK_THAT(p.flowc({"doc", "tools.flow"}, {"FLOW_PATH=" + (p.dir / "libs/b").string()}).out,
             Catch::Contains("from_b"));
  // --lib comes before FLOW_PATH.
  CHECK_THAT(
      p.flowc({"doc", "--lib", (p.dir / "libs/a").string(), "tools.flow"}, {"FLOW_PATH=" + (p.dir / "libs/b").string()})
          .out,
      Catch::Contains("from_a"));
}

TEST_CASE("doc: listed in flowc --help, with its formats in flowc doc --help", "[doc]") {
  CHECK_THAT(run_flowc({"--help"}).out, Catch::Contains("doc"));
  auto help = run_flowc({"doc", "--help"});
  CHECK(help.exit_code == 0);
  CHECK_THAT(help.out, Catch::Contains("--format"));
  CHECK_THAT(help.out, Catch::Contains("--lib"));
}

TEST_CASE("doc: an unknown file or a broken one is a clear error", "[doc]") {
  Project p("flowc-doc");
  auto missing = p.flowc({"doc", "std/nope.flow"});
  CHECK(missing.exit_code == 2);
  CHECK_THAT(missing.err, Catch::Contains("cannot find `std/nope.flow`"));
  CHECK_THAT(missing.err, Catch::Contains("--lib DIR or FLOW_PATH"));
  CHECK(missing.out.empty());

  p.write("broken.flow", "op b(x: int) -> (y: nosuchtype) { run \"true\" }\n");
  auto broken = p.flowc({"doc", "--color", "never", "broken.flow"});
  CHECK(broken.exit_code == 1);
  CHECK_THAT(broken.err, Catch::Contains("broken.flow:1:"));
  CHECK(broken.out.empty());

  CHECK(p.flowc({"doc", "--format", "html", "broken.flow"}).exit_code == 2);
}

TEST_CASE("doc: every op of the standard library is documented", "[doc][stdlib]") {
  auto files = files_in("stdlib-ops/std", ".flow");
  REQUIRE(files.size() >= 2);
  for (const fs::path& file : files) {
    std::string name = "std/" + file.filename().string();
    auto r = run_flowc({"doc", "--format", "json", name});
    INFO(name << "\n" << r.err);
    REQUIRE(r.exit_code == 0);
    CHECK(r.err.empty());  // not even a warning
    auto doc = nlohmann::json::parse(r.out);
    if (name == "std/files.flow" || name == "std/stream.flow") {  // these two say how to import them
      CHECK(doc["doc"].get<std::string>().find("import \"" + name + "\"") != std::string::npos);
    }
    for (const auto& d : doc["declarations"]) {
      INFO(name << ": " << d["name"]);
      CHECK(d["doc"].get<std::string>().size() > 20);
    }
  }
}
