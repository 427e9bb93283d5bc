// The flowc executable's memory allocator: jemalloc, told to back its heap
// with transparent huge pages.
//
// Why: on these VMs a first-touch page fault costs ~10 us, more than the
// work done in the page. A compile allocates many small objects (ANTLR's
// tokens and parse tree, the AST) and a plan makes a few small objects per
// task, so with 4 KiB pages the faults dominated: `flowc check` of 10,000
// lines took ~11,000 faults (200 ms), and `flowc run --dry-run` of a
// 1,000,000-task fan-out ~120,000 faults (2.8 s, of which 0.4 s was the
// planning itself). With 2 MiB pages both drop to ~1,000 faults (bench/compile,
// bench/local). glibc can do the same only through an environment variable
// read at start-up (GLIBC_TUNABLES=glibc.malloc.hugetlb=1); jemalloc reads
// this built-in setting instead. Where huge pages are off it changes nothing.
//
// Linked into executables only (see the flow_allocator target), never into
// the libraries, which stay allocator-agnostic.
extern "C" {
// jemalloc's documented hook: a weak symbol it reads before its first allocation.
extern const char* malloc_conf;
const char* malloc_conf = "thp:always,metadata_thp:always";
}

#include <jemalloc/jemalloc.h>

#include "cli/allocator.h"

namespace flowc::cli {

void release_free_memory() {
  // Every arena's unused dirty pages go back to the system now, rather than
  // after jemalloc's decay time (which passes only while it is called).
  static_assert(MALLCTL_ARENAS_ALL == 4096, "the name below spells it");
  mallctl("arena.4096.purge", nullptr, nullptr, nullptr, 0);
}

}  // namespace flowc::cli
