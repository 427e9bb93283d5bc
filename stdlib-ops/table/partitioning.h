// Which rank each row goes to, and the rows laid out for the shuffle.
#pragma once

#include <cstdint>
#include <cstring>
#include <string>
#include <vector>

#include "memory_budget.h"
#include "rows.h"

namespace flowc::table {

// Rows grouped by destination rank, in rank order; each a line ending "\n".
struct Outgoing {
  ByteBuffer bytes;
  std::vector<uint64_t> counts;  // bytes for each destination rank
  Reservation held;
};

// Lays out `rows` for the shuffle: row i goes to rank dest_of(i) (called
// twice per row: once to size, once to place); rows keep their order
// within a destination.
template <class DestOf>
Outgoing pack_for_ranks(const Rows& rows, int ranks, MemoryBudget& budget, DestOf&& dest_of) {
  Outgoing out;
  out.counts.assign(ranks, 0);
  for (size_t i = 0; i < rows.rows.size(); ++i) out.counts[dest_of(i)] += rows.rows[i].length + 1;
  uint64_t total = 0;
  std::vector<uint64_t> at(ranks);
  for (int r = 0; r < ranks; ++r) {
    at[r] = total;
    total += out.counts[r];
  }
  out.held = Reservation(budget, total, "the " + with_commas(rows.rows.size()) + " rows it sends in the shuffle");
  out.bytes = ByteBuffer(total);
  for (size_t i = 0; i < rows.rows.size(); ++i) {
    const Row& row = rows.rows[i];
    uint64_t& p = at[dest_of(i)];
    std::memcpy(out.bytes.data() + p, rows.bytes.data() + row.offset, row.length);
    out.bytes[p + row.length] = '\n';
    p += row.length + 1;
  }
  return out;
}

// The rank of row i in a hash partition over `ranks` ranks.
inline int hash_rank(const Rows& rows, size_t i, KeyKind kind, int ranks) {
  return static_cast<int>(key_hash(rows, rows.rows[i], kind) % static_cast<uint64_t>(ranks));
}

}  // namespace flowc::table
