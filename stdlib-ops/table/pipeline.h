// The steps every op shares: read and check this rank's share of a table,
// and shuffle rows so that each key lands on one rank.
#pragma once

#include <string>
#include <vector>

#include "comm.h"
#include "csv.h"
#include "memory_budget.h"
#include "output.h"
#include "rows.h"
#include "shuffle.h"

namespace flowc::table {

// What an op is run with, besides its own arguments.
struct Context {
  explicit Context(MemoryBudget b) : budget(b) {}
  KeyKind kind = KeyKind::String;
  MemoryBudget budget;
  uint64_t shuffle_chunk = 256ull << 20;
  OutputTarget output;
  ShuffleStats shuffle;
  uint64_t rows_in = 0, rows_out = 0, bytes_written = 0;
};

struct Loaded {
  Header header;
  RowSpec spec;
  Rows rows;  // this rank's rows of the file, checked and indexed
};

// Collective: reads this rank's share of `path`, finds the key column (and
// the number columns), and checks every row. `integers` (one per number
// column) ends true where every value on every rank is an integer.
Loaded load_table(const Comm& comm, const std::string& path, const std::string& key, Context& context,
                  const std::vector<std::string>& number_columns = {}, std::vector<bool>* integers = nullptr);

// Collective: sends every row to the rank its key hashes to; returns the
// rows this rank received, indexed (in the order of the ranks that sent
// them, each in file order). `table.rows` is released on the way.
Rows shuffle_by_key(const Comm& comm, Loaded& table, Context& context);

// Sorts rows by key; equal keys keep the order they arrived in (their
// offset), so the result does not depend on the sort's algorithm.
void sort_by_key(Rows& rows, KeyKind kind);

// A value written as a CSV field (quoted when it must be).
std::string csv_field(const std::string& value);

}  // namespace flowc::table
