// flowc-table against the single-process reference on random tables: every
// op, 1 to 4 ranks, tables of 0, 1 and thousands of rows, uniform, skewed
// and all-equal keys (so some ranks receive nothing), string and numeric
// keys, quoted fields, CRLF and blank lines, merged and per-rank output, and
// a shuffle forced into many rounds.
#include <catch2/catch.hpp>

#include <algorithm>
#include <filesystem>
#include <map>
#include <set>

#include "tests/table/random_table.h"
#include "tests/table/table_reference.h"
#include "tests/table/table_run.h"

using namespace flowc::test::table;
namespace fs = std::filesystem;

namespace {

struct Case {
  int ranks;
  TableShape shape;
  std::string label() const {
    const char* keys = shape.keys == Keys::Uniform ? "uniform" : shape.keys == Keys::Skewed ? "skewed" : "all-equal";
    return std::to_string(ranks) + " ranks, " + std::to_string(shape.rows) + " rows, " +
           std::to_string(shape.distinct) + " distinct " + keys + (shape.numeric ? " numeric" : " string") + " keys" +
           (shape.quirks ? ", CRLF/blank lines" : "");
  }
};

// One table per rank count (each mpirun costs ~1 s, so the edges are
// spread over the tests by their seed): on 1 rank an edge (no rows, one row,
// or five rows of one key), on 3 ranks all keys equal (two ranks receive
// nothing), on 2 and 4 ranks random tables, skewed or uniform.
std::vector<Case> cases(uint64_t seed, bool numeric) {
  std::mt19937_64 rng(seed);
  std::vector<TableShape> edges(3);
  edges[0].rows = 0;
  edges[1].rows = 1;
  edges[2].rows = 5;
  edges[2].distinct = 1;
  std::vector<Case> out;
  for (int ranks = 1; ranks <= 4; ++ranks) {
    TableShape shape;
    if (ranks == 1) {
      shape = edges[seed % edges.size()];
    } else if (ranks == 3) {
      shape.rows = 300 + rng() % 200;
      shape.keys = Keys::AllEqual;
      shape.quirks = true;
    } else {
      shape.rows = 200 + rng() % 1800;
      shape.distinct = 1 + rng() % 300;
      shape.keys = ranks == 2 || seed % 2 ? Keys::Skewed : Keys::Uniform;
      shape.quirks = rng() % 2 == 0;
    }
    shape.numeric = numeric;
    out.push_back(Case{ranks, shape});
  }
  return out;
}

std::vector<std::string> numeric_flag(bool numeric) {
  return numeric ? std::vector<std::string>{"--numeric"} : std::vector<std::string>{};
}

std::vector<std::string> concat(std::vector<std::string> a, const std::vector<std::string>& b) {
  a.insert(a.end(), b.begin(), b.end());
  return a;
}

// The parts a run with --output-dir wrote, in rank order.
std::vector<std::string> read_parts(const Scratch& s, const std::string& dir, int ranks) {
  std::vector<std::string> parts;
  for (const auto& e : fs::directory_iterator(s.path(dir))) parts.push_back(e.path().filename().string());
  std::sort(parts.begin(), parts.end());
  REQUIRE(parts.size() == static_cast<size_t>(ranks));
  std::vector<std::string> texts;
  for (int r = 0; r < ranks; ++r) {
    char name[32];
    std::snprintf(name, sizeof name, "part-%05d.csv", r);
    CHECK(parts[r] == name);
    texts.push_back(s.read(dir + "/" + name));
  }
  return texts;
}

std::string body_of(const std::string& text) {
  size_t nl = text.find('\n');
  return nl == std::string::npos ? "" : text.substr(nl + 1);
}

// The key's value of every row of a part.
std::vector<std::string> keys_of(const std::string& text, const std::string& key) {
  Csv csv = parse_csv(text);
  size_t k = column_of(csv, key);
  std::vector<std::string> out;
  for (const CsvRow& r : csv.rows) out.push_back(unquoted(r.fields[k]));
  return out;
}

// A key's identity: its value for numbers (so 1 and 1.0 are one key).
std::string key_identity(const std::string& key, bool numeric) {
  if (!numeric) return key;
  double v = std::strtod(key.c_str(), nullptr);
  if (v == 0) v = 0;
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.17g", v);
  return buf;
}

// Parts of a hash partition: each key in one part only, in key order
// within a part when `ordered`.
void check_parts_by_key(const std::vector<std::string>& parts, const std::string& key, bool numeric, bool ordered) {
  std::map<std::string, size_t> part_of;
  for (size_t p = 0; p < parts.size(); ++p) {
    std::vector<std::string> keys = keys_of(parts[p], key);
    for (size_t i = 0; i < keys.size(); ++i) {
      auto [it, inserted] = part_of.emplace(key_identity(keys[i], numeric), p);
      INFO("key `" << keys[i] << "` in parts " << it->second << " and " << p);
      CHECK(it->second == p);
      if (ordered && i > 0) CHECK(compare_key(keys[i - 1], keys[i], numeric) <= 0);
    }
  }
}

void sort_matches_reference(uint64_t seed, bool numeric) {
  for (const Case& c : cases(seed, numeric)) {
    INFO(c.label() << ", seed " << seed);
    Scratch s("sort");
    std::mt19937_64 rng(seed * 31 + c.ranks);
    std::string table = random_table(c.shape, rng);
    s.write("t.csv", table);
    std::string expected = sort_reference(parse_csv(table), "k", numeric);
    // Per-rank files on 4 ranks; a shuffle in 64-byte rounds on 3.
    bool per_rank = c.ranks == 4;
    std::vector<std::string> args = {"sort", "--input", "t.csv", "--by", "k"};
    args = concat(args, per_rank ? std::vector<std::string>{"--output-dir", "out"}
                                 : std::vector<std::string>{"--output", "sorted.csv"});
    if (c.ranks == 3) args = concat(args, {"--shuffle-chunk", "64"});
    auto r = run_table(c.ranks, concat(args, numeric_flag(numeric)), s.dir.string());
    INFO(r.err);
    REQUIRE(r.exit_code == 0);
    if (per_rank) {
      // Concatenated in rank order, the parts are the sorted table.
      std::string joined = first_line(expected) + "\n";
      for (const std::string& part : read_parts(s, "out", c.ranks)) {
        CHECK(first_line(part) == first_line(expected));
        joined += body_of(part);
      }
      CHECK(joined == expected);
    } else {
      CHECK(s.read("sorted.csv") == expected);
    }
  }
}

}  // namespace

TEST_CASE("sort: string keys, the same bytes as a stable single-process sort", "[table][property]") {
  sort_matches_reference(1, false);
}

TEST_CASE("sort: numeric keys (1, 1.0, -0, 1e1), the same as the reference", "[table][property]") {
  sort_matches_reference(2, true);
}

namespace {

void join_matches_reference(uint64_t seed, bool numeric, bool left_join) {
  for (const Case& c : cases(seed, numeric)) {
    INFO(c.label() << ", seed " << seed << (left_join ? ", left join" : ", inner join"));
    Scratch s("join");
    std::mt19937_64 rng(seed * 17 + c.ranks);
    std::string left = random_table(c.shape, rng);
    TableShape right_shape = c.shape;
    right_shape.rows = std::min<size_t>(c.shape.rows / 3 + rng() % 5, 120);
    right_shape.distinct = c.shape.distinct + 3;  // keys the left lacks, and the other way round
    std::string right = random_table(right_shape, rng);
    s.write("l.csv", left);
    s.write("r.csv", right);
    std::string expected = join_reference(parse_csv(left), parse_csv(right), "k", left_join, numeric);
    bool per_rank = c.ranks >= 3;
    std::vector<std::string> args = {
        "join", "--left", "l.csv", "--right", "r.csv", "--on", "k", "--how", left_join ? "left" : "inner"};
    args = concat(args, per_rank ? std::vector<std::string>{"--output-dir", "out"}
                                 : std::vector<std::string>{"--output", "joined.csv"});
    auto r = run_table(c.ranks, concat(args, numeric_flag(numeric)), s.dir.string());
    INFO(r.err);
    REQUIRE(r.exit_code == 0);
    std::string all;
    if (per_rank) {
      std::vector<std::string> parts = read_parts(s, "out", c.ranks);
      check_parts_by_key(parts, "k", numeric, true);
      all = first_line(parts[0]) + "\n";
      for (const std::string& part : parts) {
        CHECK(first_line(part) == first_line(expected));
        all += body_of(part);
      }
    } else {
      all = s.read("joined.csv");
    }
    CHECK(first_line(all) == first_line(expected));
    CHECK(sorted_body(all) == sorted_body(expected));
  }
}

}  // namespace

TEST_CASE("join: inner join of string keys, the reference's rows", "[table][property]") {
  join_matches_reference(3, false, false);
}

TEST_CASE("join: left join, unmatched rows with empty right fields", "[table][property]") {
  join_matches_reference(4, false, true);
}

TEST_CASE("join: numeric keys meet by value (1 joins 1.0)", "[table][property]") {
  join_matches_reference(5, true, false);
}

TEST_CASE("groupby_sum: integer and float sums per key, as the reference", "[table][property]") {
  for (bool numeric : {false, true}) {
    for (const Case& c : cases(6 + numeric, numeric)) {
      INFO(c.label());
      Scratch s("groupby");
      std::mt19937_64 rng(c.ranks * 7 + numeric);
      std::string table = random_table(c.shape, rng);
      s.write("t.csv", table);
      std::string expected = groupby_sum_reference(parse_csv(table), "k", {"v", "x"}, numeric);
      auto r = run_table(c.ranks,
                         concat({"groupby_sum", "--input", "t.csv", "--by", "k", "--sum", "v,x", "--output", "g.csv"},
                                numeric_flag(numeric)),
                         s.dir.string());
      INFO(r.err);
      REQUIRE(r.exit_code == 0);
      std::string got = s.read("g.csv");
      CHECK(first_line(got) == first_line(expected));
      CHECK(sorted_body(got) == sorted_body(expected));
    }
  }
}

TEST_CASE("partition: every row in exactly one part, a key in one part, file order kept", "[table][property]") {
  for (const Case& c : cases(8, false)) {
    INFO(c.label());
    Scratch s("partition");
    std::mt19937_64 rng(c.ranks * 13);
    std::string table = random_table(c.shape, rng);
    s.write("t.csv", table);
    auto r =
        run_table(c.ranks, {"partition", "--input", "t.csv", "--by", "k", "--output-dir", "parts"}, s.dir.string());
    INFO(r.err);
    REQUIRE(r.exit_code == 0);
    Csv input = parse_csv(table);
    std::vector<std::string> parts = read_parts(s, "parts", c.ranks);
    check_parts_by_key(parts, "k", false, false);
    std::vector<std::string> all_rows;
    for (const std::string& part : parts) {
      Csv csv = parse_csv(part);
      CHECK(csv.header == input.header);
      size_t id = column_of(csv, "id");
      for (size_t i = 0; i < csv.rows.size(); ++i) {
        all_rows.push_back(csv.rows[i].line);
        if (i > 0) CHECK(std::stoul(csv.rows[i - 1].fields[id]) < std::stoul(csv.rows[i].fields[id]));
      }
    }
    std::vector<std::string> expected;
    for (const CsvRow& row : input.rows) expected.push_back(row.line);
    std::sort(expected.begin(), expected.end());
    std::sort(all_rows.begin(), all_rows.end());
    CHECK(all_rows == expected);
  }
}
