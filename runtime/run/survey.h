// A run's plan surveyed before it starts: every task the inputs already
// tell of (a fan-out over a literal or parameter list, the steps after it,
// sub-workflows), which of them can start at once, what must wait for
// outputs to be planned at all, and every file those tasks would read that
// can be checked now (with the companions their types require). `flowc run`
// refuses to start when one is missing; `--dry-run` prints the survey.
//
// The plan runs in survey mode (PlanOptions::survey): each task ends at once
// with unknown outputs, so the steps after it are planned too, and whatever
// is computed from an output stays unknown.
#pragma once

#include <iosfwd>
#include <string>
#include <vector>

#include "ir/ir.h"
#include "runtime/scheduler/plan.h"

namespace flowc::runtime {

struct Survey {
  // The tasks of one call (main.align, main.sample.sort), in the order first met.
  struct Step {
    std::string step;  // the call path without item numbers
    std::string op;
    size_t now = 0;    // can start as soon as the run does
    size_t later = 0;  // wait for outputs of earlier steps
  };
  std::vector<Step> steps;
  size_t now = 0, later = 0;
  std::vector<Problem> waiting;     // `for` and `if` planned only once outputs are known
  std::vector<std::string> errors;  // what would fail the run: missing files, bad expressions
  bool complete = false;            // the survey reached the workflow's end
};

Survey survey_run(const ir::Program& program, const ir::Workflow& workflow, const Value& inputs, PlanOptions options);

// `--dry-run`'s report of a survey.
void print_survey(const Survey& survey, const ir::Program& program, const ir::Workflow& workflow, std::ostream& out);

}  // namespace flowc::runtime
