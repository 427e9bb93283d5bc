// The sanitizer build's stand-in for cli/allocator.cpp: AddressSanitizer
// brings its own allocator (jemalloc is not linked there), so giving freed
// memory back is asking it to purge its caches.
#include <sanitizer/allocator_interface.h>

#include "cli/allocator.h"

namespace flowc::cli {

void release_free_memory() { __sanitizer_purge_allocator(); }

}  // namespace flowc::cli
