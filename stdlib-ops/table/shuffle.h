// The all-to-all shuffle: every rank sends each other rank its part of the
// rows and receives theirs (MPI_Alltoallv).
//
// MPI counts and displacements are ints: one call moves at most 2 GiB per
// rank. Bigger exchanges (or a smaller --shuffle-chunk) go in rounds, each
// moving at most `chunk` bytes between any two ranks through round buffers.
#pragma once

#include <cstdint>
#include <string>

#include "comm.h"
#include "memory_budget.h"
#include "partitioning.h"

namespace flowc::table {

struct ShuffleStats {
  int rounds = 0;
  uint64_t bytes_sent = 0, bytes_received = 0;
};

// Collective. Sends `outgoing` (released as soon as it is sent) and returns
// the bytes received, from rank 0's first then rank 1's..., each in the
// order its sender had them; their reservation is in received.bytes_held.
// A budget too small for what arrives stops every rank with the message.
void shuffle(const Comm& comm, Outgoing&& outgoing, Rows& received, MemoryBudget& budget, uint64_t chunk,
             ShuffleStats* stats);

}  // namespace flowc::table
