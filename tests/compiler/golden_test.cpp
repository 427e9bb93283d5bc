// Golden tests for diagnostics: every wrong program under
// tests/golden/diagnostics/ must produce exactly its .expected text, and every
// diagnostic the compiler declares must be exercised by at least one of them.
// Run with FLOWC_UPDATE_GOLDENS=1 to rewrite the .expected files (then review
// the diff like code).
#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <regex>
#include <set>

#include <catch2/catch.hpp>

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

}  // namespace

TEST_CASE("diagnostic goldens", "[golden]") {
  auto programs = golden_programs();
  for (const fs::path& program : programs) {
    DYNAMIC_SECTION(program.filename().string()) {
      fs::path expected_path = program;
      expected_path.replace_extension(".expected");
      std::string actual = check_output(program);
      INFO("a golden program must be wrong in some way");
      CHECK_FALSE(actual.empty());
      if (updating()) {
        test::write_file(expected_path.string(), actual);
      } else {
        REQUIRE(fs::exists(expected_path));
        CHECK(actual == test::read_file(expected_path.string()));
      }
    }
  }
  INFO("the suite keeps at least 40 wrong programs");
  CHECK(programs.size() >= 40);
}

TEST_CASE("every diagnostic has a golden test", "[golden]") {
  std::set<std::string> seen;
  std::regex code(R"(\[([EW][0-9]{4})\])");
  for (const fs::path& program : golden_programs()) {
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
