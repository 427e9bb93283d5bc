/* An MPI program for the tests and bench/hpc: every rank joins an allreduce
 * of its rank over MPI_COMM_WORLD; rank 0 writes what it saw to OUT:
 *
 *   size=<ranks in MPI_COMM_WORLD> sum=<sum of their ranks> rounds=<allreduces done>
 *
 * A communicator shared with another MPI task would show a larger size or
 * sum. With --seconds S, the ranks keep doing allreduces for S seconds (a
 * workload for bench/hpc).
 *
 *   mpi_probe OUT [--seconds S]
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
    if (rank == 0) fprintf(stderr, "usage: mpi_probe OUT [--seconds S]\n");
    MPI_Abort(MPI_COMM_WORLD, 2);
  }
  double seconds = 0;
  if (argc >= 4 && strcmp(argv[2], "--seconds") == 0) seconds = atof(argv[3]);

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
  printf("rank %d of %d\n", rank, size);
  if (rank == 0) {
    FILE* out = fopen(argv[1], "w");
    if (!out) {
      perror(argv[1]);
      MPI_Abort(MPI_COMM_WORLD, 3);
    }
    fprintf(out, "size=%d sum=%ld rounds=%ld\n", size, sum, rounds);
    fclose(out);
  }
  MPI_Finalize();
  return 0;
}
