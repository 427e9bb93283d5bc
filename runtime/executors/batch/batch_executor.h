// The skeleton every executor over a batch system shares (Nextflow's grid
// executor shape): tasks kept by handle until reported, their ends read
// from the exit status file each task's job leaves in its work dir
// (slurm/job_script.h: that file, not the batch system's memory, is what
// flowc believes), the batch system asked about its jobs once per poll
// interval, and collect()/next_deadline()/job_ref() built from those two
// chores. A subclass says how to submit and cancel, what to ask the batch
// system in a poll, and how to read an exit status it cannot take at face
// value. The one-job-per-task Slurm executor and the Slurm pilot are its
// two subclasses; both talk to Slurm through slurm::Commands, so tests fake
// sbatch and squeue (tests/runtime/slurm_states_test.cpp,
// tests/runtime/pilot_states_test.cpp).
#pragma once

#include <map>
#include <string>
#include <vector>

#include "runtime/executors/batch/batch_hints.h"
#include "runtime/executors/chore.h"
#include "runtime/executors/executor.h"
#include "runtime/executors/slurm/job_script.h"

namespace flowc::runtime {

// What the base knows of a task; a subclass's job type derives from it.
struct BatchJob {
  uint64_t handle = 0;
  LaunchSpec spec;
  BatchHints hints;         // which tasks are alike, what to stage
  bool cancelling = false;  // cancel() was called: a non-zero end is its cancellation
  Clock::time_point started;
};

template <class Job>
class BatchExecutor : public Executor, public Recovery, public BatchSubmit {
 public:
  // A cluster decides what fits on its nodes itself.
  std::optional<Misfit> never_fits(const LaunchSpec&) const override { return std::nullopt; }
  Recovery* recovery() override { return this; }
  BatchSubmit* batch() override { return this; }
  // A subclass submits with hints (BatchSubmit); without them a task goes
  // alone and nothing of it is staged.
  uint64_t submit(const LaunchSpec& spec) final { return submit(spec, BatchHints{}); }
  using BatchSubmit::submit;

  std::vector<Outcome> collect() final {
    auto now = Clock::now();
    before_checks(now);
    if (exit_check_.due(now)) check_exit_files();
    if (poll_.due(now)) poll(now);
    std::vector<Outcome> out;
    out.swap(done_);
    return out;
  }

  std::optional<Clock::time_point> next_deadline() const override {
    if (!done_.empty()) return Clock::now();
    std::optional<Clock::time_point> next = own_deadline();
    if (!jobs_.empty()) {
      for (Clock::time_point t : {exit_check_.next(), poll_.next()}) {
        if (!next || t < *next) next = t;
      }
    }
    return next;
  }

  // "<executor>:<id>" once the batch system knows the task; empty before.
  JobRef job_ref(uint64_t handle) const final {
    auto it = jobs_.find(handle);
    if (it == jobs_.end()) return {};
    std::string id = external_id(it->second);
    if (id.empty()) return {};
    return {0, 0, name() + ":" + id};
  }

  size_t running() const { return jobs_.size(); }

 protected:
  BatchExecutor(Clock::duration exit_check_every, Clock::duration poll_every)
      : exit_check_(exit_check_every), poll_(poll_every) {}

  // A new task, known by the next handle from now on.
  Job& add_job(const LaunchSpec& spec, const BatchHints& hints = {}) {
    uint64_t handle = next_handle_++;
    Job& job = jobs_[handle];
    job.handle = handle;
    job.spec = spec;
    job.hints = hints;
    job.started = Clock::now();
    return job;
  }

  // Reports `job` as ended with `outcome` (its handle, wall time and, when
  // the executor has nothing better, describe()'s detail filled in) and
  // forgets it: `job` is gone after this.
  void finish(Job& job, Outcome outcome) {
    forget(job);
    outcome.handle = job.handle;
    outcome.seconds = std::chrono::duration<double>(Clock::now() - job.started).count();
    if (outcome.detail.empty()) outcome.detail = describe(job);
    done_.push_back(std::move(outcome));
    jobs_.erase(job.handle);
  }

  // Reads the exit status of every task that may have ended; each found
  // goes to exit_status_found().
  void check_exit_files() {
    std::vector<std::pair<uint64_t, slurm::ExitStatus>> ended;  // first: finish() erases from jobs_
    for (auto& [handle, job] : jobs_) {
      if (!may_have_ended(job)) continue;
      if (auto status = slurm::read_exit_status(job.spec.work_dir)) ended.emplace_back(handle, *status);
    }
    for (auto& [handle, status] : ended) {
      auto it = jobs_.find(handle);
      if (it != jobs_.end()) exit_status_found(it->second, status);
    }
  }

  // What a subclass says.
  // Done at every collect() before the chores: submitting what waits,
  // cancelling, a heartbeat.
  virtual void before_checks(Clock::time_point) {}
  // Asks the batch system about its jobs (once per poll interval).
  virtual void poll(Clock::time_point now) = 0;
  // Whether looking for its exit status is worth it (not while it is known to wait).
  virtual bool may_have_ended(const Job&) const { return true; }
  // Its job left an exit status: by default that is how it ended.
  virtual void exit_status_found(Job& job, const slurm::ExitStatus& status) {
    finish(job, slurm::outcome_of(status, job.cancelling));
  }
  // How people find the task in the batch system (its job id and log).
  virtual std::string describe(const Job& job) const = 0;
  // Its id in the batch system, journaled (job_ref); empty while it has none.
  virtual std::string external_id(const Job& job) const = 0;
  // Drops what the subclass keeps of `job` beyond jobs_, just before it goes.
  virtual void forget(Job&) {}
  // When collect() is due for the subclass's own reasons (submissions waiting).
  virtual std::optional<Clock::time_point> own_deadline() const { return std::nullopt; }

  std::map<uint64_t, Job> jobs_;  // every task not yet reported
  std::vector<Outcome> done_;     // reported at the next collect()
  Chore exit_check_, poll_;

 private:
  uint64_t next_handle_ = 1;
};

}  // namespace flowc::runtime
