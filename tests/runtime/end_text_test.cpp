// The words for how a task ended come from its end reason alone, in one
// place (runtime/run/end_text.h): one case per reason.
#include <signal.h>

#include <catch2/catch.hpp>

#include "runtime/run/end_text.h"

using flowc::runtime::end_text;
using flowc::runtime::Outcome;
using How = Outcome::How;

namespace {

Outcome ended(How how) {
  Outcome o;
  o.how = how;
  return o;
}

}  // namespace

TEST_CASE("end text: an exit names its code", "[end_text]") {
  Outcome o = ended(How::Exited);
  o.exit_code = 3;
  CHECK(end_text(o, 0) == "exited with code 3");
}

TEST_CASE("end text: a signal is named, and SIGKILL suggests memory", "[end_text]") {
  Outcome o = ended(How::Signaled);
  o.signal = SIGTERM;
  CHECK(end_text(o, 0) == "was killed by SIGTERM (15)");
  o.signal = SIGKILL;
  CHECK(end_text(o, 0) == "was killed by SIGKILL (9) (out of memory, or killed from outside?)");
  o.signal = 77;  // no name
  CHECK(end_text(o, 0) == "was killed by signal 77");
}

TEST_CASE("end text: a timeout names the limit in the unit it was given", "[end_text]") {
  Outcome o = ended(How::TimedOut);
  CHECK(end_text(o, 90) == "ran longer than its timeout of 90s and was stopped");
  CHECK(end_text(o, 120) == "ran longer than its timeout of 2m and was stopped");
  CHECK(end_text(o, 7200) == "ran longer than its timeout of 2h and was stopped");
  CHECK(end_text(o, 0) == "ran longer than its timeout of ? and was stopped");  // the batch system's limit
}

TEST_CASE("end text: cancelled, not started and lost", "[end_text]") {
  CHECK(end_text(ended(How::Cancelled), 0) == "was stopped (the run was interrupted)");
  Outcome n = ended(How::NotStarted);
  n.error = "Slurm refused the job: bad partition";
  CHECK(end_text(n, 0) == "could not start: Slurm refused the job: bad partition");
  Outcome l = ended(How::Lost);
  l.error = "Slurm no longer knows job 12";
  CHECK(end_text(l, 0) == "was lost: Slurm no longer knows job 12");
}

TEST_CASE("end text: out of memory, a failed node and preemption say so without a borrowed signal", "[end_text]") {
  Outcome m = ended(How::OutOfMemory);
  m.signal = SIGKILL;
  CHECK(end_text(m, 0) == "ran out of memory and was killed; give it more (`resources { mem }`)");
  Outcome n = ended(How::NodeFailed);
  n.signal = SIGTERM;
  CHECK(end_text(n, 0) == "ended when the node it ran on failed");
  CHECK(end_text(ended(How::Preempted), 0) == "was preempted (stopped to make room for other work)");
  // Nothing about memory for a node that failed, whatever signal came with it.
  n.signal = SIGKILL;
  CHECK(end_text(n, 0).find("memory") == std::string::npos);
}

TEST_CASE("end text: what the executor knows comes after, in parentheses", "[end_text]") {
  Outcome o = ended(How::Preempted);
  o.detail = "Slurm job 7 was preempted; its job log: /w/.flowc-slurm.log";
  CHECK(end_text(o, 0) ==
        "was preempted (stopped to make room for other work) (Slurm job 7 was preempted; its job "
        "log: /w/.flowc-slurm.log)");
}
