// What an executor over a batch system may use beyond the LaunchSpec:
// which tasks are alike (to hand them to the batch system together, as a
// Slurm job array) and which files to stage in node-local scratch. Only
// such an executor takes them (Executor::batch()); the run loop hands them
// over with submit_with_hints, and any other executor runs the spec alone.
#pragma once

#include <cstdint>
#include <string>

#include "runtime/executors/batch/staging.h"
#include "runtime/executors/executor.h"

namespace flowc::runtime {

struct BatchHints {
  // What tasks of one kind share (the op): tasks of the same kind and shape
  // may be handed to a batch system together (a Slurm job array). Empty:
  // never with others.
  std::string kind;
  StagingPlan staging;  // for a profile's `scratch`
};

// The capability (Executor::batch()): submit() with the hints.
class BatchSubmit {
 public:
  virtual ~BatchSubmit() = default;
  virtual uint64_t submit(const LaunchSpec& spec, const BatchHints& hints) = 0;
};

// Submits `spec` to `executor`, with `hints` when it takes them.
inline uint64_t submit_with_hints(Executor& executor, const LaunchSpec& spec, const BatchHints& hints) {
  if (BatchSubmit* batch = executor.batch()) return batch->submit(spec, hints);
  return executor.submit(spec);
}

}  // namespace flowc::runtime
