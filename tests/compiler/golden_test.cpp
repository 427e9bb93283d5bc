// Golden tests for diagnostics: every wrong program under
// tests/golden/diagnostics/ must produce exactly its .expected text, and every
// diagnostic the compiler declares must be exercised by at least one of them.
// Run with FLOWC_UPDATE_GOLDENS=1 to rewrite the .expected files (then review
// the diff like code).
#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <functional>
#include <regex>
#include <set>

#include <catch2/catch.hpp>

#include "compiler/cwl/lower.h"
#include "compiler/cwl/to_flow.h"
#include "compiler/diag/render.h"
#include "tests/support/scoped_cwd.h"
#include "tests/support/test_support.h"

namespace fs = std::filesystem;
using namespace flowc;

namespace {

fs::path golden_dir() { return test::source_path("tests/golden/diagnostics"); }

std::vector<fs::path> golden_programs() {
  std::vector<fs::path> out;
  for (const auto& entry : fs::directory_iterator(golden_dir())) {
    if (entry.is_regular_file() && entry.path().extension() == ".flow") out.push_back(entry.path());
  }
  std::sort(out.begin(), out.end());
  return out;
}

// What `flowc check` prints for the file, run from the golden folder. A
// first line `// golden: max-source-bytes=N` lowers the source size cap, so
// the too-large diagnostic has a golden without a 16 MiB file in the repo.
std::string check_output(const fs::path& program) {
  test::ScopedCwd cwd(golden_dir());
  CompileOptions options;
  options.until = Stage::Check;
  options.library_paths = {"lib"};
  const std::string kCapLine = "// golden: max-source-bytes=";
  if (std::string text = test::read_file(program.string()); text.rfind(kCapLine, 0) == 0) {
    options.max_source_bytes = std::stoull(text.substr(kCapLine.size()));
  }
  auto c = compile(program.filename().string(), options);
  if (!c->io_error.empty()) return "io error: " + c->io_error + "\n";
  return render_text(c->diags, c->sources, TextStyle{false});
}

bool updating() { return std::getenv("FLOWC_UPDATE_GOLDENS") != nullptr; }

// CWL documents with mistakes (compiler/cwl/), beside the .flow ones.
fs::path cwl_golden_dir() { return test::source_path("tests/golden/cwl"); }

// CWL documents `flowc import-cwl` refuses (compiler/cwl/to_flow.cpp).
fs::path cwl_import_golden_dir() { return test::source_path("tests/golden/cwl-import"); }

std::vector<fs::path> cwl_golden_documents(const fs::path& dir = cwl_golden_dir()) {
  std::vector<fs::path> out;
  for (const auto& entry : fs::directory_iterator(dir)) {
    if (entry.is_regular_file() && entry.path().extension() == ".cwl") out.push_back(entry.path());
  }
  std::sort(out.begin(), out.end());
  return out;
}

// What `flowc cwl-runner` prints for the document, run from its folder.
std::string cwl_check_output(const fs::path& document) {
  test::ScopedCwd cwd(cwl_golden_dir());
  SourceManager sources;
  Diagnostics diags;
  cwl::DocumentLoader loader(sources, diags);
  cwl::lower_cwl(loader, document.filename().string());
  diags.sort_and_dedupe();
  return render_text(diags, sources, TextStyle{false});
}

// What `flowc import-cwl` prints for the document, run from its folder.
std::string cwl_import_output(const fs::path& document) {
  test::ScopedCwd cwd(cwl_import_golden_dir());
  SourceManager sources;
  Diagnostics diags;
  cwl::DocumentLoader loader(sources, diags);
  cwl::cwl_to_flow(loader, document.filename().string(), cwl_import_golden_dir().string());
  diags.sort_and_dedupe();
  return render_text(diags, sources, TextStyle{false});
}

// Each document's (or program's) output is its .expected file
// (FLOWC_UPDATE_GOLDENS=1 writes them).
void check_goldens(const std::vector<fs::path>& documents, const std::function<std::string(const fs::path&)>& output) {
  for (const fs::path& document : documents) {
    DYNAMIC_SECTION(document.filename().string()) {
      fs::path expected_path = document;
      expected_path.replace_extension(".expected");
      std::string actual = output(document);
      INFO("a golden document must be wrong (or refused) in some way");
      CHECK_FALSE(actual.empty());
      if (updating()) {
        test::write_file(expected_path.string(), actual);
      } else {
        REQUIRE(fs::exists(expected_path));
        CHECK(actual == test::read_file(expected_path.string()));
      }
    }
  }
}

}  // namespace

TEST_CASE("diagnostic goldens", "[golden]") {
  auto programs = golden_programs();
  check_goldens(programs, check_output);
  INFO("the suite keeps at least 40 wrong programs");
  CHECK(programs.size() >= 40);
}

TEST_CASE("CWL diagnostic goldens", "[golden]") {
  auto documents = cwl_golden_documents();
  check_goldens(documents, cwl_check_output);
  CHECK(documents.size() >= 8);
}

TEST_CASE("CWL import diagnostic goldens", "[golden]") {
  auto documents = cwl_golden_documents(cwl_import_golden_dir());
  check_goldens(documents, cwl_import_output);
  CHECK(documents.size() >= 3);
}

TEST_CASE("every diagnostic has a golden test", "[golden]") {
  std::set<std::string> seen;
  std::regex code(R"(\[([EW][0-9]{4})\])");
  std::vector<fs::path> all = golden_programs();
  for (const fs::path& d : cwl_golden_documents()) all.push_back(d);
  for (const fs::path& d : cwl_golden_documents(cwl_import_golden_dir())) all.push_back(d);
  for (const fs::path& program : all) {
    fs::path expected = program;
    expected.replace_extension(".expected");
    if (!fs::exists(expected)) continue;
    std::string text = test::read_file(expected.string());
    for (std::sregex_iterator it(text.begin(), text.end(), code), end; it != end; ++it) seen.insert((*it)[1]);
  }
  for (const DiagInfo& info : all_diag_infos()) {
    INFO(info.code << " " << info.name << " has no golden test");
    CHECK(seen.count(std::string(info.code)) == 1);
  }
}

TEST_CASE("diagnostic codes and names are unique", "[golden]") {
  std::set<std::string_view> codes, names;
  for (const DiagInfo& info : all_diag_infos()) {
    CHECK(codes.insert(info.code).second);
    CHECK(names.insert(info.name).second);
  }
}

TEST_CASE("docs/diagnostics.md lists every diagnostic, and only those", "[golden]") {
  std::string doc = test::read_file(test::source_path("docs/diagnostics.md"));
  std::set<std::string> listed;
  std::regex row(R"(\n\| ([EW][0-9]{4}) \| ([a-z0-9-]+) \|)");
  for (std::sregex_iterator it(doc.begin(), doc.end(), row), end; it != end; ++it) {
    listed.insert((*it)[1].str() + " " + (*it)[2].str());
  }
  std::set<std::string> declared;
  for (const DiagInfo& info : all_diag_infos()) declared.insert(fmt::format("{} {}", info.code, info.name));
  for (const std::string& d : declared) {
    INFO(d << " is declared in compiler/diag/diagnostics.def but not listed in docs/diagnostics.md");
    CHECK(listed.count(d) == 1);
  }
  for (const std::string& l : listed) {
    INFO(l << " is listed in docs/diagnostics.md but not declared in compiler/diag/diagnostics.def");
    CHECK(declared.count(l) == 1);
  }
}

// A diagnostic is one kind of mistake with its own words: a bare "{}" lets
// callers pass any text under one code (E0200, E0504, E0704 and E0705 once
// stood for ~40 messages). Three such families are left to split the same
// way (E0518 three companion-pattern messages, E0809 two about `after`
// cycles, E1006 nine about invalid CWL); they are listed so that no new one
// appears unnoticed.
TEST_CASE("no diagnostic's message is a bare placeholder", "[golden]") {
  const std::set<std::string_view> single_message = {"E0518", "E0809", "E1006"};
  for (const DiagInfo& info : all_diag_infos()) {
    if (single_message.count(info.code)) continue;
    INFO(info.code << " " << info.name << " has the message \"" << info.format << "\"");
    CHECK(info.format != "{}");
  }
}
