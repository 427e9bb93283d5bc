// Something a batch executor does now and then while it has tasks — look at
// their exit status files, ask the batch system about its jobs, touch a
// heartbeat — and when it is next due, for next_deadline(). The Slurm and
// pilot executors follow their tasks with the same few chores.
#pragma once

#include <algorithm>

#include "runtime/executors/executor.h"

namespace flowc::runtime {

inline Clock::duration seconds_of(double s) {
  return std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(s));
}

class Chore {
 public:
  explicit Chore(Clock::duration every) : every_(every) {}

  // True when its time has come (and then it is next due a period later).
  bool due(Clock::time_point now) {
    if (now < next_) return false;
    next_ = now + every_;
    return true;
  }
  // Due no later than `when` (something changed: look sooner).
  void soon(Clock::time_point when) { next_ = std::min(next_, when); }
  Clock::time_point next() const { return next_; }

 private:
  Clock::duration every_;
  Clock::time_point next_{};
};

}  // namespace flowc::runtime
