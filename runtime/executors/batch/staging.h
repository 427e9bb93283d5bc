// Node-local staging (a profile's `scratch`): what a task reads and writes,
// so that an executor running it on a cluster's node can copy its inputs to
// the node's scratch, let it write its outputs there, and move them back
// once it succeeded. The task runner says what to stage (StagingPlan); the
// executors over a batch system that have a scratch (slurm, slurm-pilot)
// turn it into shell text around the command, here. An executor without
// scratch ignores the plan: the command reads and writes through its work
// dir's links as it would anyway.
#pragma once

#include <string>
#include <vector>

namespace flowc::runtime {

struct StagingPlan {
  // The command reads each input through a link in its work dir: `link`
  // names `source`. Staged, `source` is copied to scratch and `link`
  // repointed at the copy while the command runs.
  struct Input {
    std::string link;
    std::string source;
    // A companion of the input before it (an index): copied into the same
    // folder, since a tool may look for it beside the file a link leads to.
    bool beside_previous = false;
  };
  std::vector<Input> inputs;
  // Files the command writes (paths in its work dir): staged, it writes them
  // to scratch and they are moved into the work dir when it succeeded.
  std::vector<std::string> outputs;

  bool empty() const { return inputs.empty() && outputs.empty(); }
};

// The plan as shell text around a command that sets `rc`.
// staging_start copies each input into a fresh folder under `scratch`
// (`$stage`) and repoints its link in the work dir at the copy, and makes
// each output a link into `$stage`; it sets rc to 98 (saying why to `err`, a
// redirection such as ">&2") when it cannot. staging_end points the links
// back at the inputs, and when rc is 0 moves each output into the work dir
// atomically (a copy beside it, then a rename); otherwise it removes them,
// so no half-written output is left. Then it removes `$stage`.
std::string staging_start(const StagingPlan& plan, const std::string& scratch, const std::string& err);
std::string staging_end(const StagingPlan& plan, const std::string& err);
// The pieces of staging_start, for a stage folder `$stage` chosen elsewhere
// (a pilot's pre-fetch): copying the inputs in, pointing the links at the
// copies and the outputs into `$stage`, and saying why it failed (rc != 0).
std::string staging_copy(const StagingPlan& plan);
std::string staging_links(const StagingPlan& plan);
std::string staging_failed(const std::string& scratch, const std::string& err);
// Puts a staged task's work dir back after its job ended without running
// staging_end (its node failed, Slurm killed it): the input links name the
// inputs again, and each output that is still a link into the node's
// scratch, or a copy half moved back (`.flowc-moving`), is removed, so no
// half-written output is left in the work dir.
void unstage(const StagingPlan& plan);

}  // namespace flowc::runtime
