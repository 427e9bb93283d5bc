// What the user aimed a run at, as Snakemake users expect:
//   --until CALL     run only what that call needs (it and every call it reads
//                    from, transitively); the rest is not started;
//   --rerun OP|CALL  run those tasks again even if an earlier result exists,
//                    and every call that reads from them (whatever their
//                    outputs turn out to be), without --fresh for the rest.
// Calls are matched by call site (runtime/observe/run_graph.h): `main.g`, or
// `g`, means every item of that call; `main.g[2]` that item alone (and, for
// --rerun, every call downstream of `main.g`). An OP names every call of it.
#pragma once

#include <set>
#include <string>
#include <vector>

#include "ir/ir.h"
#include "runtime/scheduler/plan.h"

namespace flowc::runtime {

class Targets {
 public:
  // Errors (a name that is no call and no op) go to `errors`.
  Targets(const ir::Program& program, const ir::Workflow& workflow, const std::vector<std::string>& rerun,
          const std::string& until, std::vector<std::string>* errors);

  bool limited() const { return !until_.empty(); }
  const std::string& until() const { return until_; }
  // Whether --until needs this task (always, without --until).
  bool needed(const Task& task) const;
  // Whether this task may reuse an earlier result (not when --rerun forces it).
  bool may_reuse(const Task& task) const;

 private:
  std::string site_of(const std::string& path) const;  // main.g[2] → main.g (or its sub-workflow call)
  bool in(const std::set<std::string>& sites, const std::string& path) const;

  std::set<std::string> sites_;  // every call site
  std::string until_;
  std::set<std::string> needed_sites_;  // --until: the call and what it reads from
  std::set<std::string> needed_paths_;  // --until of one item: that task's path
  std::set<std::string> forced_sites_;  // --rerun: whole call sites forced
  std::set<std::string> forced_paths_;  // --rerun of one item
};

}  // namespace flowc::runtime
