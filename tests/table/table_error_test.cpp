// flowc-table's errors: each printed once (whatever the number of ranks),
// naming the file and line or the budget, saying what to do, and every rank
// leaving with the same exit code — never a crash or a hang.
#include <catch2/catch.hpp>

#include "tests/table/random_table.h"
#include "tests/table/table_run.h"

using namespace flowc::test::table;
using flowc::test::CommandResult;

namespace {

size_t count(const std::string& text, const std::string& what) {
  size_t n = 0;
  for (size_t at = text.find(what); at != std::string::npos; at = text.find(what, at + 1)) ++n;
  return n;
}

// Exit code 1 and the message, printed once.
void check_error(const CommandResult& r, const std::string& message, int exit_code = 1) {
  INFO(r.err);
  CHECK(r.exit_code == exit_code);
  CHECK(count(r.err, "flowc-table: error:") == 1);
  CHECK(r.err.find(message) != std::string::npos);
}

// 1000 rows "i,i%7,text" with a header; `bad_line` (a file line number)
// replaced by `bad`.
std::string numbered_table(size_t bad_line = 0, const std::string& bad = "") {
  std::string out = "id,k,note\n";
  for (size_t line = 2; line <= 1001; ++line) {
    out += line == bad_line ? bad : std::to_string(line) + "," + std::to_string(line % 7) + ",n" + std::to_string(line);
    out += "\n";
  }
  return out;
}

}  // namespace

TEST_CASE("a missing column names the file and its columns", "[table][errors]") {
  Scratch s("missing-column");
  s.write("t.csv", numbered_table());
  auto r = run_table(3, {"sort", "--input", "t.csv", "--by", "key", "--output", "o.csv"}, s.dir.string());
  check_error(r, "`t.csv` has no column `key`; its columns are: id, k, note");
  auto j = run_table(2, {"join", "--left", "t.csv", "--right", "t.csv", "--on", "nope", "--output", "o.csv"},
                     s.dir.string());
  check_error(j, "has no column `nope`");
}

TEST_CASE("a ragged row is reported at its file:line, even in the last rank's share", "[table][errors]") {
  Scratch s("ragged");
  s.write("t.csv", numbered_table(950, "950,3"));
  auto r = run_table(3, {"groupby_sum", "--input", "t.csv", "--by", "k", "--sum", "id", "--output", "o.csv"},
                     s.dir.string());
  check_error(r, "t.csv:950: a ragged row: it has 2 fields, the header has 3");
  s.write("q.csv", numbered_table(12, "12,\"open,x"));
  auto q = run_table(2, {"sort", "--input", "q.csv", "--by", "k", "--output", "o.csv"}, s.dir.string());
  check_error(q, "q.csv:12: a quote opened at column 4 is never closed");
}

TEST_CASE("values that must be numbers: the key with --numeric, a summed column", "[table][errors]") {
  Scratch s("numbers");
  s.write("t.csv", numbered_table(600, "600,six,x"));
  auto r = run_table(2, {"sort", "--input", "t.csv", "--by", "k", "--numeric", "--output", "o.csv"}, s.dir.string());
  check_error(r, "t.csv:600: the key column `k` holds `six`, which is not a number");
  s.write("u.csv", numbered_table(33, "thirty,1,x"));
  auto g = run_table(2, {"groupby_sum", "--input", "u.csv", "--by", "k", "--sum", "id", "--output", "o.csv"},
                     s.dir.string());
  check_error(g, "u.csv:33: the column `id` holds `thirty`, which is not a number");
}

TEST_CASE("unreadable, empty and directory inputs, and an unwritable output", "[table][errors]") {
  Scratch s("unreadable");
  auto r = run_table(2, {"sort", "--input", "no-such.csv", "--by", "k", "--output", "o.csv"}, s.dir.string());
  check_error(r, "cannot read `no-such.csv`: No such file or directory");
  s.write("empty.csv", "");
  auto e = run_table(2, {"sort", "--input", "empty.csv", "--by", "k", "--output", "o.csv"}, s.dir.string());
  check_error(e, "`empty.csv` is empty: a table needs at least its header line");
  auto d = run_table(1, {"sort", "--input", ".", "--by", "k", "--output", "o.csv"}, s.dir.string());
  check_error(d, "cannot read `.`: it is a directory");
  s.write("t.csv", numbered_table());
  auto w = run_table(2, {"sort", "--input", "t.csv", "--by", "k", "--output", "no/such/dir/o.csv"}, s.dir.string());
  check_error(w, "cannot write `no/such/dir/o.csv`: No such file or directory");
}

TEST_CASE("command-line mistakes exit 2 with the usage hint", "[table][errors]") {
  Scratch s("usage");
  check_error(run_table(2, {"sort", "--input", "t.csv", "--by", "k"}, s.dir.string()),
              "`sort` needs one of --output FILE (one merged file) or --output-dir DIR", 2);
  check_error(run_table(1, {"shuffle", "--input", "t.csv"}, s.dir.string()), "unknown command `shuffle`", 2);
  check_error(run_table(1, {"join", "--left", "a", "--right", "b", "--on", "k", "--how", "outer", "--output", "o"},
                        s.dir.string()),
              "--how is inner or left, not `outer`", 2);
  check_error(run_table(1, {"sort", "--input", "t.csv", "--by", "k", "--output", "o", "--mem-per-rank", "lots"},
                        s.dir.string()),
              "--mem-per-rank takes a size such as 512MiB", 2);
}

TEST_CASE("a table bigger than the memory budget is a clear error, not a crash", "[table][errors][budget]") {
  Scratch s("budget");
  std::mt19937_64 rng(42);
  TableShape shape;
  shape.rows = 20000;
  s.write("t.csv", random_table(shape, rng));
  auto r = run_table(2, {"sort", "--input", "t.csv", "--by", "k", "--output", "o.csv", "--mem-per-rank", "256KiB"},
                     s.dir.string());
  check_error(r, "more than its memory budget of 256 KiB (--mem-per-rank); give each rank a larger budget");
  CHECK(!r.err.empty());
  // The same table within a budget that holds it.
  auto ok = run_table(2, {"sort", "--input", "t.csv", "--by", "k", "--output", "o.csv", "--mem-per-rank", "64MiB"},
                      s.dir.string());
  INFO(ok.err);
  CHECK(ok.exit_code == 0);
}

TEST_CASE("skewed keys: one rank receiving every row overflows its budget in the shuffle", "[table][errors][budget]") {
  // Each of 4 ranks reads a quarter of the table within its budget, but one
  // key hashes every row to one rank, which cannot hold them all.
  Scratch s("skew-budget");
  std::mt19937_64 rng(7);
  TableShape shape;
  shape.rows = 8000;
  shape.keys = Keys::AllEqual;
  std::string table = random_table(shape, rng);
  s.write("t.csv", table);
  std::string budget = std::to_string(table.size() * 9 / 10);  // < the whole table, > a quarter and its index
  auto r = run_table(4, {"partition", "--input", "t.csv", "--by", "k", "--output-dir", "p", "--mem-per-rank", budget},
                     s.dir.string());
  check_error(r, "of rows it receives in the shuffle");
  CHECK(r.err.find("--mem-per-rank") != std::string::npos);
}
