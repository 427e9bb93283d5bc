// The all-to-all shuffle, in one call or in rounds (shuffle.h).
#include "shuffle.h"

#include <algorithm>
#include <climits>
#include <cstring>

#include "errors.h"

namespace flowc::table {

void shuffle(const Comm& comm, Outgoing&& outgoing, Rows& received, MemoryBudget& budget, uint64_t chunk,
             ShuffleStats* stats) {
  const int P = comm.size;
  std::vector<uint64_t> incoming(P);
  MPI_Alltoall(outgoing.counts.data(), 1, MPI_UINT64_T, incoming.data(), 1, MPI_UINT64_T, comm.comm);
  uint64_t total_in = 0, total_out = outgoing.bytes.size(), largest = 0;
  std::vector<uint64_t> in_at(P);
  for (int r = 0; r < P; ++r) {
    in_at[r] = total_in;
    total_in += incoming[r];
    largest = std::max({largest, incoming[r], outgoing.counts[r]});
  }
  // Rounds: as few as keep each pair's bytes under `chunk`, and each
  // call's displacements under INT_MAX.
  chunk = std::max<uint64_t>(1, std::min<uint64_t>(chunk, INT_MAX / static_cast<uint64_t>(P)));
  uint64_t rounds = comm.max((largest + chunk - 1) / chunk);
  bool direct = rounds <= 1 && comm.max(std::max(total_in, total_out)) <= static_cast<uint64_t>(INT_MAX);
  if (stats) {
    stats->rounds = static_cast<int>(direct ? 1 : rounds);
    stats->bytes_sent += total_out;
    stats->bytes_received += total_in;
  }

  Reservation round_buffers;
  together(comm, [&] {
    received.bytes_held =
        Reservation(budget, total_in, "the " + human_bytes(total_in) + " of rows it receives in the shuffle");
    if (!direct) round_buffers = Reservation(budget, 2 * chunk * P, "the shuffle's round buffers");
    if (P > 1) received.bytes = ByteBuffer(total_in);
  });

  if (P == 1) {
    received.bytes = std::move(outgoing.bytes);
  } else if (direct) {
    std::vector<int> send_counts(P), send_displs(P), recv_counts(P), recv_displs(P);
    uint64_t at = 0;
    for (int r = 0; r < P; ++r) {
      send_counts[r] = static_cast<int>(outgoing.counts[r]);
      send_displs[r] = static_cast<int>(at);
      at += outgoing.counts[r];
      recv_counts[r] = static_cast<int>(incoming[r]);
      recv_displs[r] = static_cast<int>(in_at[r]);
    }
    MPI_Alltoallv(outgoing.bytes.data(), send_counts.data(), send_displs.data(), MPI_BYTE, received.bytes.data(),
                  recv_counts.data(), recv_displs.data(), MPI_BYTE, comm.comm);
  } else {
    std::vector<uint64_t> out_at(P);
    uint64_t at = 0;
    for (int r = 0; r < P; ++r) {
      out_at[r] = at;
      at += outgoing.counts[r];
    }
    std::string send_round, recv_round;
    send_round.resize(std::min<uint64_t>(chunk * P, total_out));
    recv_round.resize(std::min<uint64_t>(chunk * P, total_in));
    std::vector<int> send_counts(P), send_displs(P), recv_counts(P), recv_displs(P);
    for (uint64_t k = 0; k < rounds; ++k) {
      uint64_t from = k * chunk;
      int s = 0, q = 0;
      for (int r = 0; r < P; ++r) {
        uint64_t n = outgoing.counts[r] > from ? std::min(chunk, outgoing.counts[r] - from) : 0;
        std::memcpy(send_round.data() + s, outgoing.bytes.data() + out_at[r] + from, n);
        send_counts[r] = static_cast<int>(n);
        send_displs[r] = s;
        s += static_cast<int>(n);
        uint64_t m = incoming[r] > from ? std::min(chunk, incoming[r] - from) : 0;
        recv_counts[r] = static_cast<int>(m);
        recv_displs[r] = q;
        q += static_cast<int>(m);
      }
      MPI_Alltoallv(send_round.data(), send_counts.data(), send_displs.data(), MPI_BYTE, recv_round.data(),
                    recv_counts.data(), recv_displs.data(), MPI_BYTE, comm.comm);
      for (int r = 0; r < P; ++r) {
        std::memcpy(received.bytes.data() + in_at[r] + from, recv_round.data() + recv_displs[r], recv_counts[r]);
      }
    }
  }
  outgoing.bytes.reset();
  outgoing.held.reset();
}

}  // namespace flowc::table
