// Process-wide memory set-up for the flowc executable.
#pragma once

namespace flowc::cli {

// Reserves the start of the heap and asks Linux to back it with transparent
// huge pages. On these VMs a first-touch page fault is expensive, and a
// compile allocates many small objects (ANTLR's tokens and parse tree, the
// AST): with 4 KiB pages `flowc check` of 10,000 lines took ~11,000 faults
// and 200 ms; with 2 MiB pages ~600 faults and ~80 ms (bench/compile).
// Harmless where huge pages are off: the heap is merely reserved.
void tune_heap_for_compiling();

}  // namespace flowc::cli
