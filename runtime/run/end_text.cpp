#include "runtime/run/end_text.h"

#include <signal.h>
#include <string.h>

#include <cmath>

#include <fmt/format.h>

namespace flowc::runtime {

namespace {

std::string duration_text(double seconds) {
  if (seconds >= 3600 && std::fmod(seconds, 3600) == 0) return fmt::format("{}h", seconds / 3600);
  if (seconds >= 60 && std::fmod(seconds, 60) == 0) return fmt::format("{}m", seconds / 60);
  return fmt::format("{}s", seconds);
}

std::string reason_text(const Outcome& outcome, double timeout_seconds) {
  using How = Outcome::How;
  switch (outcome.how) {
    case How::Exited: return fmt::format("exited with code {}", outcome.exit_code);
    case How::Signaled: {
      std::string what = fmt::format("was killed by {}", signal_name(outcome.signal));
      // A process killed outright: the kernel's OOM killer does that, and
      // only the batch system can tell (OutOfMemory) when it was that.
      if (outcome.signal == SIGKILL) what += " (out of memory, or killed from outside?)";
      return what;
    }
    case How::TimedOut:
      return fmt::format("ran longer than its timeout of {} and was stopped",
                         timeout_seconds > 0 ? duration_text(timeout_seconds) : "?");
    case How::Cancelled: return "was stopped (the run was interrupted)";
    case How::NotStarted: return "could not start: " + outcome.error;
    case How::Lost: return "was lost: " + outcome.error;
    case How::OutOfMemory: return "ran out of memory and was killed; give it more (`resources { mem }`)";
    case How::NodeFailed: return "ended when the node it ran on failed";
    case How::Preempted: return "was preempted (stopped to make room for other work)";
  }
  return "ended";
}

}  // namespace

std::string signal_name(int signal) {
  const char* name = sigabbrev_np(signal);
  return name ? fmt::format("SIG{} ({})", name, signal) : fmt::format("signal {}", signal);
}

std::string end_text(const Outcome& outcome, double timeout_seconds) {
  std::string what = reason_text(outcome, timeout_seconds);
  if (!outcome.detail.empty()) what += fmt::format(" ({})", outcome.detail);
  return what;
}

}  // namespace flowc::runtime
