/* An MPI program for the tests and bench/hpc: every rank joins an allreduce
 * of its rank over MPI_COMM_WORLD; rank 0 writes what it saw to OUT:
 *
 *   size=<ranks in MPI_COMM_WORLD> sum=<sum of their ranks> rounds=<allreduces done>
 *
 * A communicator shared with another MPI task would show a larger size or
 * sum. With --seconds S, the ranks keep doing allreduces for S seconds (a
 * workload for bench/hpc). With --nodes, rank 0 also writes the nodes the
 * ranks ran on, gathered over MPI_COMM_WORLD, in rank order, on a second line:
 *
 *   nodes=<node of rank 0>,<node of rank 1>,...
 *
 * Every rank prints "rank R of N on NODE" on its stdout.
 *
 *   mpi_probe OUT [--seconds S] [--nodes]
 */
#include <mpi.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int main(int argc, char** argv) {
  MPI_Init(&argc, &argv);
  int rank = 0, size = 0;
  MPI_Comm_rank(MPI_COMM_WORLD, &rank);
  MPI_Comm_size(MPI_COMM_WORLD, &size);
  if (argc < 2) {
    if (rank == 0) fprintf(stderr, "usage: mpi_probe OUT [--seconds S] [--nodes]\n");
    MPI_Abort(MPI_COMM_WORLD, 2);
  }
  double seconds = 0;
  int want_nodes = 0;
  for (int i = 2; i < argc; ++i) {
    if (strcmp(argv[i], "--seconds") == 0 && i + 1 < argc) seconds = atof(argv[++i]);
    else if (strcmp(argv[i], "--nodes") == 0) want_nodes = 1;
  }
  char node[MPI_MAX_PROCESSOR_NAME] = {0};
  int node_len = 0;
  MPI_Get_processor_name(node, &node_len);
  char* nodes = want_nodes && rank == 0 ? calloc((size_t)size, MPI_MAX_PROCESSOR_NAME) : NULL;
  if (want_nodes) {
    MPI_Gather(node, MPI_MAX_PROCESSOR_NAME, MPI_CHAR, nodes, MPI_MAX_PROCESSOR_NAME, MPI_CHAR, 0, MPI_COMM_WORLD);
  }

  long sum = 0, mine = rank;
  MPI_Allreduce(&mine, &sum, 1, MPI_LONG, MPI_SUM, MPI_COMM_WORLD);
  long rounds = 1;
  double start = MPI_Wtime();
  int more = seconds > 0;
  while (more) {
    double work[1024], total[1024];
    for (int i = 0; i < 1024; ++i) work[i] = rank + i * 1e-3;
    MPI_Allreduce(work, total, 1024, MPI_DOUBLE, MPI_SUM, MPI_COMM_WORLD);
    ++rounds;
    /* Rank 0 decides when to stop, so every rank does the same rounds. */
    more = MPI_Wtime() - start < seconds;
    MPI_Bcast(&more, 1, MPI_INT, 0, MPI_COMM_WORLD);
  }
  printf("rank %d of %d on %s\n", rank, size, node);
  if (rank == 0) {
    FILE* out = fopen(argv[1], "w");
    if (!out) {
      perror(argv[1]);
      MPI_Abort(MPI_COMM_WORLD, 3);
    }
    fprintf(out, "size=%d sum=%ld rounds=%ld\n", size, sum, rounds);
    if (nodes) {
      fprintf(out, "nodes=");
      for (int r = 0; r < size; ++r) fprintf(out, "%s%s", r ? "," : "", nodes + (size_t)r * MPI_MAX_PROCESSOR_NAME);
      fprintf(out, "\n");
      free(nodes);
    }
    fclose(out);
  }
  MPI_Finalize();
  return 0;
}
