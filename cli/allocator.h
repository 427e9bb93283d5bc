// What the executables' allocator (cli/allocator.cpp) offers beyond malloc.
#pragma once

namespace flowc::cli {

// Gives the memory that was freed but is still held by the allocator back
// to the system (the language server calls it after a large document).
void release_free_memory();

}  // namespace flowc::cli
