// The last line of defence: nothing unexpected may end flowc without a word.
// An exception that escapes a command, or std::terminate from anywhere (an
// exception leaving a thread, a noexcept function that threw), prints
//   flowc: internal error: WHAT (please report this as a bug in flowc)
// and exits with kExitInternal (70). Bad input never gets here: it has its
// own errors, exit 1 or 2; this is for flowc's own mistakes.
#pragma once

#include <functional>

namespace flowc::cli {

// Makes std::terminate print the internal error and exit with 70.
void install_terminate_handler();

// Runs `command` and returns its exit code, or prints the internal error and
// returns 70 if it threw.
int run_guarded(const std::function<int()>& command);

}  // namespace flowc::cli
