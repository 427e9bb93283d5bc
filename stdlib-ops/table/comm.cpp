// Collective helpers over 64-bit values (comm.h).
#include "comm.h"

#include <climits>
#include <stdexcept>

namespace flowc::table {

int Comm::ranks_on_this_node() const {
  MPI_Comm node;
  MPI_Comm_split_type(comm, MPI_COMM_TYPE_SHARED, rank, MPI_INFO_NULL, &node);
  int n = 1;
  MPI_Comm_size(node, &n);
  MPI_Comm_free(&node);
  return n;
}

uint64_t Comm::sum(uint64_t v) const {
  uint64_t out = 0;
  MPI_Allreduce(&v, &out, 1, MPI_UINT64_T, MPI_SUM, comm);
  return out;
}

uint64_t Comm::max(uint64_t v) const {
  uint64_t out = 0;
  MPI_Allreduce(&v, &out, 1, MPI_UINT64_T, MPI_MAX, comm);
  return out;
}

uint64_t Comm::min(uint64_t v) const {
  uint64_t out = 0;
  MPI_Allreduce(&v, &out, 1, MPI_UINT64_T, MPI_MIN, comm);
  return out;
}

bool Comm::all(bool v) const {
  int in = v ? 1 : 0, out = 0;
  MPI_Allreduce(&in, &out, 1, MPI_INT, MPI_LAND, comm);
  return out != 0;
}

uint64_t Comm::exclusive_prefix_sum(uint64_t v) const {
  std::vector<uint64_t> each = all_gather(v);
  uint64_t before = 0;
  for (int r = 0; r < rank; ++r) before += each[r];
  return before;
}

std::vector<uint64_t> Comm::all_gather(uint64_t v) const {
  std::vector<uint64_t> out(size);
  MPI_Allgather(&v, 1, MPI_UINT64_T, out.data(), 1, MPI_UINT64_T, comm);
  return out;
}

std::vector<std::string> Comm::all_gather_bytes(const std::string& bytes) const {
  // Only small things go through here (samples, splitters): int counts suffice.
  std::vector<uint64_t> sizes = all_gather(bytes.size());
  std::vector<int> counts(size), displs(size);
  uint64_t total = 0;
  for (int r = 0; r < size; ++r) {
    if (sizes[r] > INT_MAX || total > INT_MAX - sizes[r]) throw std::length_error("gathered samples exceed 2 GiB");
    counts[r] = static_cast<int>(sizes[r]);
    displs[r] = static_cast<int>(total);
    total += sizes[r];
  }
  std::string all(total, '\0');
  MPI_Allgatherv(bytes.data(), static_cast<int>(bytes.size()), MPI_BYTE, all.data(), counts.data(), displs.data(),
                 MPI_BYTE, comm);
  std::vector<std::string> out(size);
  for (int r = 0; r < size; ++r) out[r] = all.substr(displs[r], counts[r]);
  return out;
}

}  // namespace flowc::table
