// The MPI job as the table ops see it: MPI_Init/MPI_Finalize held by one
// object for the life of the program, and the communicator with its rank and
// size. Every collective the ops use goes through the few helpers here, so
// the MPI types of 64-bit counts are chosen in one place.
#pragma once

#include <mpi.h>

#include <cstdint>
#include <string>
#include <vector>

namespace flowc::table {

// MPI_Init on construction, MPI_Finalize on destruction (also when main
// returns early with an error: every rank then leaves cleanly, never aborts).
class MpiSession {
 public:
  MpiSession(int* argc, char*** argv) { MPI_Init(argc, argv); }
  ~MpiSession() { MPI_Finalize(); }
  MpiSession(const MpiSession&) = delete;
  MpiSession& operator=(const MpiSession&) = delete;
};

struct Comm {
  MPI_Comm comm = MPI_COMM_WORLD;
  int rank = 0;
  int size = 1;

  static Comm world() {
    Comm c;
    MPI_Comm_rank(c.comm, &c.rank);
    MPI_Comm_size(c.comm, &c.size);
    return c;
  }
  // How many ranks of this job share this node (for the default memory budget).
  int ranks_on_this_node() const;

  uint64_t sum(uint64_t v) const;
  uint64_t max(uint64_t v) const;
  uint64_t min(uint64_t v) const;
  bool all(bool v) const;
  // Sum of `v` over the ranks before this one (0 on rank 0).
  uint64_t exclusive_prefix_sum(uint64_t v) const;
  // One value from each rank, in rank order.
  std::vector<uint64_t> all_gather(uint64_t v) const;
  // Each rank's `bytes`, concatenated in rank order, on every rank.
  std::vector<std::string> all_gather_bytes(const std::string& bytes) const;
  void barrier() const { MPI_Barrier(comm); }
};

}  // namespace flowc::table
