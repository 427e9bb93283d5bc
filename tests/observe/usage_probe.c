/* A task whose resources are known, for the resource tests:
 *   usage_probe MIB CPU_SECONDS WRITE_BYTES FILE
 * allocates MIB MiB and touches every page (its peak resident size is at
 * least that), burns CPU_SECONDS of CPU time in user mode (by its own CPU
 * clock, so a loaded machine only makes it take longer), and writes
 * WRITE_BYTES bytes to FILE. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static double cpu_seconds(void) {
  struct timespec t;
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);
  return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

int main(int argc, char** argv) {
  if (argc != 5) {
    fprintf(stderr, "usage: usage_probe MIB CPU_SECONDS WRITE_BYTES FILE\n");
    return 2;
  }
  size_t bytes = (size_t)atol(argv[1]) * 1024 * 1024;
  double burn = atof(argv[2]);
  long write_bytes = atol(argv[3]);
  volatile char* memory = malloc(bytes ? bytes : 1);
  if (!memory) return 3;
  for (size_t i = 0; i < bytes; i += 4096) memory[i] = (char)i;
  double start = cpu_seconds();
  volatile unsigned long spin = 0;
  while (cpu_seconds() - start < burn) {
    for (int i = 0; i < 100000; ++i) spin += (unsigned long)i * 2654435761u;
  }
  FILE* out = fopen(argv[4], "w");
  if (!out) return 4;
  char block[4096];
  memset(block, 'x', sizeof block);
  for (long left = write_bytes; left > 0; left -= (long)sizeof block) {
    fwrite(block, 1, left < (long)sizeof block ? (size_t)left : sizeof block, out);
  }
  fclose(out);
  printf("allocated %s MiB, burned %.2f s\n", argv[1], cpu_seconds() - start);
  return memory[0] == 0 ? 0 : 0;
}
