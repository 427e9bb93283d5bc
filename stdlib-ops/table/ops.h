// The four table operations. Each is collective (every rank calls it) and
// writes its result through context.output.
#pragma once

#include <string>
#include <vector>

#include "comm.h"
#include "pipeline.h"

namespace flowc::table {

// Sample sort: rows ordered by `by`, equal keys in file order; the merged
// output is globally sorted (rank r holds keys between splitters r-1 and r).
void sort_table(const Comm& comm, const std::string& input, const std::string& by, Context& context);

enum class JoinHow { Inner, Left };
// Hash join on `on`: the key, the left table's other columns, then the
// right's (a right column whose name is taken gets the suffix `_right`).
// Left join: a left row without a match gets empty right fields.
void join_tables(const Comm& comm, const std::string& left, const std::string& right, const std::string& on,
                 JoinHow how, Context& context);

// One row per distinct `by`, with the sum of each of `sums` (integers
// summed exactly when every value is an integer; empty values left out).
void groupby_sum(const Comm& comm, const std::string& input, const std::string& by,
                 const std::vector<std::string>& sums, Context& context);

// The rows, hash-partitioned by `by`: part r holds the keys that hash to r,
// in file order.
void partition_table(const Comm& comm, const std::string& input, const std::string& by, Context& context);

}  // namespace flowc::table
