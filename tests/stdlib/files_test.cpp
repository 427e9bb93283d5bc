// std/files.flow, run for real through `flowc run`: every op's outputs
// checked, with the edge cases (empty files, more chunks than lines, names
// with spaces, bad arguments that must fail with a message).
#include <filesystem>
#include <fstream>

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "tests/support/project.h"
#include "tests/support/test_support.h"

namespace fs = std::filesystem;
using namespace flowc::test;

namespace {

// The published outputs of the last run.
nlohmann::json outputs(const Project& p) { return nlohmann::json::parse(p.read("flow-out/outputs.json")); }

std::vector<std::string> contents(const nlohmann::json& paths) {
  std::vector<std::string> out;
  for (const auto& path : paths) out.push_back(read_file(path.get<std::string>()));
  return out;
}

std::string numbered_lines(int from, int to) {
  std::string out;
  for (int i = from; i <= to; ++i) out += "line " + std::to_string(i) + "\n";
  return out;
}

const char* kSplitAndJoin = R"(import "std/files.flow"
workflow main(f: file, n: int) -> (chunks: list[file], back: file) {
    s = split_lines(f = f, n = n)
    c = concat_files(parts = s.chunks, name = "back.txt")
    return (chunks = s.chunks, back = c.all)
}
)";

}  // namespace

TEST_CASE("files: split_lines gives n balanced chunks that concatenate back", "[stdlib][files]") {
  Project p("flowc-std files");  // a space in every path
  p.write("w.flow", kSplitAndJoin);
  p.write("my data.txt", numbered_lines(1, 10));

  auto r = p.flowc({"run", "w.flow", "-p", "f=my data.txt", "-p", "n=3"});
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  auto out = outputs(p);
  CHECK(contents(out["chunks"]) ==
        std::vector<std::string>{numbered_lines(1, 4), numbered_lines(5, 7), numbered_lines(8, 10)});
  CHECK(read_file(out["back"]) == numbered_lines(1, 10));

  SECTION("more chunks than lines: a line each, then empty chunks") {
    auto more = p.flowc({"run", "w.flow", "-p", "f=my data.txt", "-p", "n=13"});
    REQUIRE(more.exit_code == 0);
    auto chunks = contents(outputs(p)["chunks"]);
    REQUIRE(chunks.size() == 13);
    for (int i = 0; i < 10; ++i) CHECK(chunks[i] == numbered_lines(i + 1, i + 1));
    for (int i = 10; i < 13; ++i) CHECK(chunks[i].empty());
    CHECK(fs::path(outputs(p)["chunks"][12].get<std::string>()).filename() == "chunk_000012");
  }
  SECTION("an empty file: n empty chunks, and an empty file back") {
    p.write("empty.txt", "");
    auto empty = p.flowc({"run", "w.flow", "-p", "f=empty.txt", "-p", "n=2"});
    REQUIRE(empty.exit_code == 0);
    CHECK(contents(outputs(p)["chunks"]) == std::vector<std::string>{"", ""});
    CHECK(read_file(outputs(p)["back"]).empty());
  }
  SECTION("a last line without a line break is kept") {
    p.write("ragged.txt", "a\nb\nc");
    REQUIRE(p.flowc({"run", "w.flow", "-p", "f=ragged.txt", "-p", "n=2"}).exit_code == 0);
    CHECK(contents(outputs(p)["chunks"]) == std::vector<std::string>{"a\nb\n", "c\n"});
  }
  SECTION("n below 1 fails, saying why") {
    auto bad = p.flowc({"run", "w.flow", "-p", "f=my data.txt", "-p", "n=0"});
    CHECK(bad.exit_code == 1);
    CHECK_THAT(bad.err, Catch::Contains("split_lines: n must be at least 1, not 0"));
  }
}

TEST_CASE("files: split_bytes gives n chunks of nearly equal size", "[stdlib][files]") {
  Project p;
  p.write("w.flow", R"(import "std/files.flow"
workflow main(f: file, n: int) -> (chunks: list[file], back: file) {
    s = split_bytes(f = f, n = n)
    c = concat_files(parts = s.chunks)
    return (chunks = s.chunks, back = c.all)
}
)");
  p.write("ten.txt", "0123456789");
  REQUIRE(p.flowc({"run", "w.flow", "-p", "f=ten.txt", "-p", "n=3"}).exit_code == 0);
  CHECK(contents(outputs(p)["chunks"]) == std::vector<std::string>{"012", "345", "6789"});
  CHECK(read_file(outputs(p)["back"]) == "0123456789");

  p.write("two.txt", "ab");
  REQUIRE(p.flowc({"run", "w.flow", "-p", "f=two.txt", "-p", "n=4"}).exit_code == 0);
  CHECK(contents(outputs(p)["chunks"]) == std::vector<std::string>{"a", "b", "", ""});

  p.write("empty.txt", "");
  REQUIRE(p.flowc({"run", "w.flow", "-p", "f=empty.txt", "-p", "n=2"}).exit_code == 0);
  CHECK(contents(outputs(p)["chunks"]) == std::vector<std::string>{"", ""});
}

TEST_CASE("files: gather_files and scatter_dir", "[stdlib][files]") {
  Project p;
  p.write("w.flow", R"(import "std/files.flow"
workflow main(files: list[file], numbered: bool = false, mode: str = "link") -> (place: dir, back: list[file]) {
    g = gather_files(files = files, name = "all of them", numbered = numbered, mode = mode)
    s = scatter_dir(place = g.place)
    return (place = g.place, back = s.files)
}
)");
  p.write("a/x y.txt", "first\n");
  p.write("b/b.txt", "second\n");
  p.write("c/x y.txt", "third\n");

  auto r = p.flowc({"run", "w.flow", "-p", R"(files=["b/b.txt", "a/x y.txt"])"});
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  std::string place = outputs(p)["place"];
  CHECK(fs::path(place).filename() == "all of them");
  CHECK(read_file(place + "/x y.txt") == "first\n");
  CHECK(read_file(place + "/b.txt") == "second\n");
  // Scattered back in name order.
  auto back = outputs(p)["back"];
  REQUIRE(back.size() == 2);
  CHECK(fs::path(back[0].get<std::string>()).filename() == "b.txt");
  CHECK(contents(back) == std::vector<std::string>{"second\n", "first\n"});

  SECTION("two files of one name fail unless numbered") {
    auto clash = p.flowc({"run", "w.flow", "-p", R"(files=["a/x y.txt", "c/x y.txt"])", "-p", "mode=copy"});
    CHECK(clash.exit_code == 1);
    CHECK_THAT(clash.err, Catch::Contains("two files are called \"x y.txt\"; pass numbered = true"));

    auto numbered = p.flowc({"run", "w.flow", "-p", R"(files=["a/x y.txt", "c/x y.txt"])", "-p", "numbered=true"});
    INFO(numbered.err);
    REQUIRE(numbered.exit_code == 0);
    std::string both = outputs(p)["place"];
    CHECK(read_file(both + "/000000_x y.txt") == "first\n");
    CHECK(read_file(both + "/000001_x y.txt") == "third\n");
  }
  SECTION("an empty list gives an empty folder") {
    REQUIRE(p.flowc({"run", "w.flow", "-p", "files=[]"}).exit_code == 0);
    CHECK(fs::is_empty(outputs(p)["place"].get<std::string>()));
    CHECK(outputs(p)["back"].empty());
  }
  SECTION("an unknown mode fails") {
    auto bad = p.flowc({"run", "w.flow", "-p", R"(files=["b/b.txt"])", "-p", "mode=move"});
    CHECK(bad.exit_code == 1);
    CHECK_THAT(bad.err, Catch::Contains("mode must be \"link\" or \"copy\", not \"move\""));
  }
}

TEST_CASE("files: gzip, gunzip and sha256", "[stdlib][files]") {
  Project p;
  p.write("w.flow", R"(import "std/files.flow"
workflow main(f: file, files: list[file], expected: str) -> (gz: file, back: file, digest: str, sums: file, verified: file) {
    z = gzip_file(f = f, level = 9)
    u = gunzip_file(gz = z.gz)
    d = sha256_file(f = u.f)
    s = sha256_files(files = files)
    v = verify_sha256(f = u.f, expected = expected)
    return (gz = z.gz, back = u.f, digest = d.digest, sums = s.sums, verified = v.verified)
}
)");
  const std::string hello_sha = "5891b5b522d5df086d0ff0b110fbd9d21bb4fc7163af34d08286a2e846f6be03";
  const std::string empty_sha = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";
  p.write("hello world.txt", "hello\n");
  p.write("empty", "");
  auto r = p.flowc({"run", "w.flow", "-p", "f=hello world.txt", "-p", R"(files=["hello world.txt", "empty"])", "-p",
                    "expected=" + std::string("5891B5B522D5DF086D0FF0B110FBD9D21BB4FC7163AF34D08286A2E846F6BE03")});
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  auto out = outputs(p);
  CHECK(fs::path(out["gz"].get<std::string>()).filename() == "hello world.txt.gz");
  std::string gz = read_file(out["gz"]);
  REQUIRE(gz.size() > 10);
  CHECK(static_cast<unsigned char>(gz[0]) == 0x1f);
  CHECK(static_cast<unsigned char>(gz[1]) == 0x8b);
  CHECK(fs::path(out["back"].get<std::string>()).filename() == "hello world.txt");
  CHECK(read_file(out["back"]) == "hello\n");
  CHECK(out["digest"] == hello_sha);
  CHECK(read_file(out["sums"]) == hello_sha + "  hello world.txt\n" + empty_sha + "  empty\n");
  CHECK(read_file(out["verified"]) == "hello\n");

  SECTION("the same input gives the same gzip bytes (no name, no time inside)") {
    REQUIRE(p.flowc({"run", "w.flow", "--fresh", "-p", "f=hello world.txt", "-p", "files=[]", "-p",
                     "expected=" + hello_sha})
                .exit_code == 0);
    CHECK(read_file(outputs(p)["gz"]) == gz);
  }
  SECTION("a wrong digest fails, naming both") {
    auto bad = p.flowc({"run", "w.flow", "-p", "f=hello world.txt", "-p", "files=[]", "-p", "expected=" + empty_sha});
    CHECK(bad.exit_code == 1);
    CHECK_THAT(bad.err, Catch::Contains("hello world.txt has sha256 " + hello_sha + ", not the expected " + empty_sha));
  }
}

TEST_CASE("files: gunzip of a file that is not gzip fails", "[stdlib][files]") {
  Project p;
  p.write("w.flow", R"(import "std/files.flow"
workflow main(gz: file) -> (f: file) {
    u = gunzip_file(gz = gz)
    return (f = u.f)
}
)");
  p.write("plain.gz", "not compressed\n");
  auto r = p.flowc({"run", "w.flow", "-p", "gz=plain.gz"});
  CHECK(r.exit_code == 1);
  CHECK_THAT(r.err, Catch::Contains("not in gzip format"));
}

TEST_CASE("files: stage_into copies, links or symlinks into a folder outside the run", "[stdlib][files]") {
  Project p("flowc-stage");
  p.write("w.flow", R"(import "std/files.flow"
workflow main(files: list[file], place: str, mode: str) -> (paths: list[str]) {
    s = stage_into(files = files, place = place, mode = mode)
    return (paths = s.paths)
}
)");
  p.write("in/a b.txt", "A\n");
  p.write("in/q\"uote.txt", "Q\n");
  std::string place = (p.dir / "scratch space" / "staged").string();
  for (std::string mode : {"copy", "link", "symlink"}) {
    DYNAMIC_SECTION(mode) {
      auto r = p.flowc({"run", "w.flow", "-p", R"(files=["in/a b.txt", "in/q\"uote.txt"])", "-p", "place=" + place,
                        "-p", "mode=" + mode});
      INFO(r.err);
      REQUIRE(r.exit_code == 0);
      CHECK(outputs(p)["paths"] == nlohmann::json{place + "/a b.txt", place + "/q\"uote.txt"});
      CHECK(read_file(place + "/a b.txt") == "A\n");
      CHECK(read_file(place + "/q\"uote.txt") == "Q\n");
      CHECK(fs::is_symlink(place + "/a b.txt") == (mode == "symlink"));
      // Never cached: removed by hand, it is staged again.
      fs::remove_all(place);
      REQUIRE(p.flowc({"run", "w.flow", "-p", R"(files=["in/a b.txt", "in/q\"uote.txt"])", "-p", "place=" + place, "-p",
                       "mode=" + mode})
                  .exit_code == 0);
      CHECK(fs::exists(place + "/a b.txt"));
    }
  }
  auto relative = p.flowc({"run", "w.flow", "-p", "files=[]", "-p", "place=rel", "-p", "mode=copy"});
  CHECK(relative.exit_code == 1);
  CHECK_THAT(relative.err, Catch::Contains("place must be an absolute path, not \"rel\""));
}
