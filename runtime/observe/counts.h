// The run's tasks counted by where they are: what the run loop keeps and the
// monitor shows (monitor.h).
#pragma once

#include <cstddef>

namespace flowc::runtime {

struct Counts {
  size_t done = 0, cached = 0, running = 0, waiting = 0, failed = 0, retrying = 0;
  size_t total = 0;      // tasks known so far
  bool growing = false;  // more tasks are still to be planned
};

}  // namespace flowc::runtime
