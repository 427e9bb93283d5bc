// std/stream.flow, run for real through `flowc run`: a file streamed to
// several consumers at once (each gets every message), split by key into
// files and by hash into parts, filtered, counted and summed.
#include <algorithm>
#include <filesystem>
#include <map>
#include <set>

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "tests/support/lines.h"
#include "tests/support/project.h"
#include "tests/support/test_support.h"

namespace fs = std::filesystem;
using namespace flowc::test;

namespace {

nlohmann::json outputs(const Project& p) { return nlohmann::json::parse(p.read("flow-out/outputs.json")); }

const char* kStreams = R"(import "std/stream.flow"
workflow main(f: file, parts: int = 3) -> (all: file, blue: file, by_key: list[file], partitions: list[file],
                                          n: int, counts: file, total: float, sums: file) {
    s = file_to_stream(f = f)
    a = stream_to_file(lines = s.lines, name = "all.txt")
    b = select_key(lines = s.lines, key = "blue")
    bw = stream_to_file(lines = b.selected, name = "blue.txt")
    k = split_by_key(lines = s.lines)
    p = partition_by_key(lines = s.lines, parts = parts)
    n = count_messages(lines = s.lines)
    c = count_by_key(lines = s.lines)
    t = sum_field(lines = s.lines, value_field = 2)
    m = sum_by_key(lines = s.lines)
    return (all = a.out, blue = bw.out, by_key = k.parts, partitions = p.partitions,
            n = n.n, counts = c.counts, total = t.total, sums = m.sums)
}
)";

}  // namespace

TEST_CASE("stream: one file streamed to every helper at once", "[stdlib][stream]") {
  Project p("flowc-std stream");
  p.write("w.flow", kStreams);
  // 300 messages over 5 keys (one of them awkward as a file name), values 0..299.
  const std::vector<std::string> keys = {"red", "blue", "green", "a/b", ".hidden"};
  std::string input;
  std::map<std::string, int> count;
  std::map<std::string, long> sum;
  std::vector<std::string> blue;
  for (int i = 0; i < 300; ++i) {
    const std::string& key = keys[(i * 7) % keys.size()];
    std::string line = key + " " + std::to_string(i);
    input += line + "\n";
    count[key]++;
    sum[key] += i;
    if (key == "blue") blue.push_back(line);
  }
  p.write("in put.txt", input);

  auto r = p.flowc({"run", "w.flow", "-p", "f=in put.txt"});
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  auto out = outputs(p);
  CHECK(read_file(out["all"]) == input);
  CHECK(lines_of_text(read_file(out["blue"])) == blue);
  CHECK(out["n"] == 300);
  CHECK(out["total"] == 300 * 299 / 2);

  std::string counts, sums;
  for (const auto& [key, n] : count) counts += key + "\t" + std::to_string(n) + "\n";
  for (const auto& [key, s] : sum) sums += key + "\t" + std::to_string(s) + "\n";
  CHECK(read_file(out["counts"]) == counts);
  CHECK(read_file(out["sums"]) == sums);

  // One file per key, named by the key (escaped where it must be), in order.
  std::map<std::string, std::string> by_key;
  for (const auto& path : out["by_key"]) {
    by_key[fs::path(path.get<std::string>()).filename().string()] = read_file(path.get<std::string>());
  }
  CHECK(by_key.size() == 5);
  CHECK(lines_of_text(by_key["blue"]) == blue);
  CHECK(by_key.count("a%2Fb") == 1);
  CHECK(by_key.count("%2Ehidden") == 1);
  CHECK(lines_of_text(by_key["a%2Fb"]).size() == static_cast<size_t>(count["a/b"]));

  // Exactly `parts` partitions; every message in one, every key in one.
  REQUIRE(out["partitions"].size() == 3);
  std::multiset<std::string> all_lines;
  std::map<std::string, std::set<size_t>> parts_of_key;
  for (size_t i = 0; i < 3; ++i) {
    for (const std::string& line : lines_of_text(read_file(out["partitions"][i]))) {
      all_lines.insert(line);
      parts_of_key[line.substr(0, line.find(' '))].insert(i);
    }
  }
  auto expected = lines_of_text(input);
  CHECK(all_lines == std::multiset<std::string>(expected.begin(), expected.end()));
  for (const auto& [key, parts] : parts_of_key) {
    INFO(key);
    CHECK(parts.size() == 1);
  }
}

TEST_CASE("stream: an empty file, separators, and bad arguments", "[stdlib][stream]") {
  Project p;
  p.write("w.flow", kStreams);
  p.write("empty.txt", "");
  auto r = p.flowc({"run", "w.flow", "-p", "f=empty.txt", "-p", "parts=2"});
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  auto out = outputs(p);
  CHECK(read_file(out["all"]).empty());
  CHECK(out["n"] == 0);
  CHECK(out["total"] == 0);
  CHECK(out["by_key"].empty());
  CHECK(out["partitions"].size() == 2);
  CHECK(read_file(out["counts"]).empty());

  auto bad = p.flowc({"run", "w.flow", "-p", "f=empty.txt", "-p", "parts=0"});
  CHECK(bad.exit_code == 1);
  CHECK_THAT(bad.err, Catch::Contains("partition_by_key: parts must be at least 1, not 0"));

  p.write("csv.flow", R"(import "std/stream.flow"
workflow main(f: file) -> (sums: file, picked: file) {
    s = file_to_stream(f = f)
    m = sum_by_key(lines = s.lines, field = 2, value_field = 3, sep = ",")
    k = select_key(lines = s.lines, key = "10", field = 1, sep = ",")
    w = stream_to_file(lines = k.selected)
    return (sums = m.sums, picked = w.out)
}
)");
  // Keys with spaces; "10" and "10.0" are different keys (compared as strings).
  p.write("t.csv", "10,new york,1.5\n10.0,new york,2\n1e1,boston,4\n10,boston,0.25\n");
  auto csv = p.flowc({"run", "csv.flow", "-p", "f=t.csv"});
  INFO(csv.err);
  REQUIRE(csv.exit_code == 0);
  CHECK(read_file(outputs(p)["sums"]) == "boston\t4.25\nnew york\t3.5\n");
  CHECK(read_file(outputs(p)["picked"]) == "10,new york,1.5\n10,boston,0.25\n");
}
