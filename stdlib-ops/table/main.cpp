// flowc-table: distributed sort, join, groupby_sum and partition of CSV
// tables, run by mpirun (std/table.flow's ops run it with `mpi { ranks }`).
//
// Every rank runs the same command. A mistake (in the command line, the
// files, the data, or a memory budget too small) is printed once and every
// rank leaves with the same exit code: 2 for the command line, 1 otherwise.
#include <sys/resource.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <exception>

#include "errors.h"
#include "ops.h"
#include "options.h"

using namespace flowc::table;

namespace {

uint64_t default_budget(const Comm& comm) {
  long pages = sysconf(_SC_PHYS_PAGES), page = sysconf(_SC_PAGESIZE);
  uint64_t memory = pages > 0 && page > 0 ? static_cast<uint64_t>(pages) * static_cast<uint64_t>(page) : 8ull << 30;
  return std::max<uint64_t>(64ull << 20, memory / 2 / static_cast<uint64_t>(comm.ranks_on_this_node()));
}

// One JSON line per rank on rank 0's stderr, in rank order.
void print_stats(const Comm& comm, const Options& o, const Context& c, double seconds) {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  char line[512];
  std::snprintf(line, sizeof line,
                "{\"op\": \"%s\", \"rank\": %d, \"ranks\": %d, \"rows_in\": %llu, \"rows_out\": %llu, "
                "\"bytes_sent\": %llu, \"bytes_received\": %llu, \"shuffle_rounds\": %d, \"bytes_written\": %llu, "
                "\"budget_peak_mib\": %.1f, \"peak_rss_mib\": %.1f, \"seconds\": %.3f}\n",
                o.command.c_str(), comm.rank, comm.size, static_cast<unsigned long long>(c.rows_in),
                static_cast<unsigned long long>(c.rows_out), static_cast<unsigned long long>(c.shuffle.bytes_sent),
                static_cast<unsigned long long>(c.shuffle.bytes_received), c.shuffle.rounds,
                static_cast<unsigned long long>(c.bytes_written), c.budget.peak() / 1048576.0, usage.ru_maxrss / 1024.0,
                seconds);
  std::vector<std::string> all = comm.all_gather_bytes(line);
  if (comm.rank == 0) {
    for (const std::string& l : all) std::fputs(l.c_str(), stderr);
  }
}

int run(const Comm& comm, const Options& o) {
  auto start = std::chrono::steady_clock::now();
  Context context(MemoryBudget(o.mem_per_rank ? *o.mem_per_rank : default_budget(comm), comm.rank, comm.size));
  context.kind = o.numeric ? KeyKind::Number : KeyKind::String;
  context.shuffle_chunk = o.shuffle_chunk;
  context.output = OutputTarget{o.output_file, o.output_dir};
  if (o.command == "sort") sort_table(comm, o.input, o.key, context);
  if (o.command == "join")
    join_tables(comm, o.left, o.right, o.key, o.how == "left" ? JoinHow::Left : JoinHow::Inner, context);
  if (o.command == "groupby_sum") groupby_sum(comm, o.input, o.key, o.sums, context);
  if (o.command == "partition") partition_table(comm, o.input, o.key, context);
  double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  if (o.stats) print_stats(comm, o, context, seconds);
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  MpiSession session(&argc, &argv);
  Comm comm = Comm::world();
  std::string error;
  std::optional<Options> options = parse_options(argc, argv, &error);
  if (!options) {
    if (comm.rank == 0) print_error(error + " (flowc-table --help lists the commands and options)");
    return kExitUsage;
  }
  if (options->help) {
    if (comm.rank == 0) std::fputs(kUsage, stdout);
    return 0;
  }
  try {
    return run(comm, *options);
  } catch (const Stop& stop) {
    return stop.exit_code;
  } catch (const std::exception& e) {
    // Outside any `together`: the other ranks may be waiting in a collective.
    print_error(std::string("internal error on rank ") + std::to_string(comm.rank) + ": " + e.what());
    MPI_Abort(comm.comm, 3);
  }
  return 3;
}
