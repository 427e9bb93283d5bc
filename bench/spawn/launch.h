// bench/spawn: what one launch is, shared by spawn_bench.cpp and the
// Boost.Process translation unit (boost_launch.cpp, which compiles slowly).
#pragma once

#include <string>
#include <vector>

namespace spawn_bench {

struct Launch {
  std::string exe;                // absolute path
  std::vector<std::string> args;  // after argv[0]
  std::string dir;                // working directory of the child
  std::string out, err;           // stdout and stderr, truncated
};

// In a child between fork and exec: an empty signal mask and every signal's
// default disposition, as POSIX_SPAWN_SETSIGMASK and POSIX_SPAWN_SETSIGDEF do
// for posix_spawn. Async-signal-safe.
void reset_signals_in_child();

// Whether this build has Boost.Process.
bool boost_available();

// Launches `l` `count` times through Boost.Process (`bp::child`, its own
// `bp::group`, stdin from bp::null, stdout/stderr to files, start_dir, the
// signal mask and dispositions reset in on_exec_setup, as the local executor
// does), at most `in_flight` at once, waiting for the oldest. With
// `use_vfork`, adds `bp::posix::use_vfork`. Returns the seconds it took in
// all, or -1 if a launch failed or a command did not exit 0.
double boost_launches(const Launch& l, int count, int in_flight, bool use_vfork);

}  // namespace spawn_bench
