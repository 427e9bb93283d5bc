// How a failure on one rank becomes a clean exit of all of them.
//
// A rank that finds a problem (a missing column, a ragged row, a file it
// cannot read, a memory budget too small) must not leave the others blocked
// in a collective, nor abort the job. Work that can fail locally runs inside
// `together(comm, ...)`: afterwards every rank learns whether any failed; the
// lowest failing rank prints its message, and every rank throws Stop, which
// main turns into the exit code after MPI_Finalize.
#pragma once

#include <cstdio>
#include <new>
#include <optional>
#include <stdexcept>
#include <string>

#include "comm.h"

namespace flowc::table {

constexpr int kExitData = 1;   // the data or the files are wrong
constexpr int kExitUsage = 2;  // the command line is wrong

// A problem on this rank: the message says what is wrong, where (file:line)
// and what to do.
class TableError : public std::runtime_error {
 public:
  explicit TableError(const std::string& message, int exit_code = kExitData)
      : std::runtime_error(message), exit_code_(exit_code) {}
  int exit_code() const { return exit_code_; }

 private:
  int exit_code_;
};

// Every rank leaves with this exit code; the message was printed once.
struct Stop {
  int exit_code;
};

inline void print_error(const std::string& message) {
  std::fprintf(stderr, "flowc-table: error: %s\n", message.c_str());
  std::fflush(stderr);
}

// Runs `local` on every rank, then agrees on the outcome (a collective:
// every rank must call it at the same point).
template <class F>
void together(const Comm& comm, F&& local) {
  std::optional<TableError> failure;
  try {
    local();
  } catch (const TableError& e) {
    failure = e;
  } catch (const std::bad_alloc&) {
    failure = TableError(
        "rank " + std::to_string(comm.rank) +
        " ran out of memory before reaching its memory budget; lower --mem-per-rank to what the machine has, or "
        "run more ranks");
  }
  int mine = failure ? comm.rank : comm.size;
  int first = comm.size;
  MPI_Allreduce(&mine, &first, 1, MPI_INT, MPI_MIN, comm.comm);
  if (first == comm.size) return;
  int code = failure ? failure->exit_code() : kExitData;
  MPI_Bcast(&code, 1, MPI_INT, first, comm.comm);
  if (comm.rank == first) print_error(failure->what());
  throw Stop{code};
}

}  // namespace flowc::table
