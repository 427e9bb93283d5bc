// Huge-page backing for the heap (see process_tuning.h).
#include "cli/process_tuning.h"

#include <malloc.h>
#include <sys/mman.h>
#include <unistd.h>

#include <cstdint>
#include <cstdlib>

namespace flowc::cli {

void tune_heap_for_compiling() {
  constexpr size_t kReserve = size_t{64} << 20;
  constexpr uintptr_t kHugePage = uintptr_t{2} << 20;
  // Keep allocations (even large ones) on the heap, grow it in big steps,
  // and never hand the reserve back, so the advice below keeps applying.
  mallopt(M_MMAP_THRESHOLD, 256 << 20);
  mallopt(M_TOP_PAD, 16 << 20);
  mallopt(M_TRIM_THRESHOLD, 512 << 20);
  void* block = std::malloc(kReserve);
  if (!block) return;
  auto begin = reinterpret_cast<uintptr_t>(block);
  std::free(block);
  auto end = reinterpret_cast<uintptr_t>(sbrk(0));
  uintptr_t aligned = (begin + kHugePage - 1) & ~(kHugePage - 1);
  if (end > aligned) madvise(reinterpret_cast<void*>(aligned), end - aligned, MADV_HUGEPAGE);
}

}  // namespace flowc::cli
