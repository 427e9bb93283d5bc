// Turning escaped exceptions and std::terminate into "internal error", exit 70.
#include "cli/guard.h"

#include <unistd.h>

#include <cstdlib>
#include <exception>
#include <string>

#include "cli/commands.h"
#include "ir/utf8.h"

namespace flowc::cli {
namespace {

// What the exception in flight says, if there is one.
std::string describe(std::exception_ptr ep) {
  if (!ep) return "std::terminate was called without an exception";
  try {
    std::rethrow_exception(ep);
  } catch (const std::exception& e) {
    return ir::printable_utf8(e.what());
  } catch (...) {
    return "an exception that is not a std::exception";
  }
}

// write(2) only: this may run while the process is in a bad state (no
// iostreams, which may hold a lock or be half-written).
void report(const std::string& what) {
  std::string line = "flowc: internal error: " + what + " (please report this as a bug in flowc)\n";
  const char* p = line.data();
  size_t left = line.size();
  while (left > 0) {
    ssize_t n = ::write(STDERR_FILENO, p, left);
    if (n <= 0) break;
    p += n;
    left -= static_cast<size_t>(n);
  }
}

[[noreturn]] void on_terminate() {
  report(describe(std::current_exception()));
  std::_Exit(kExitInternal);
}

}  // namespace

void install_terminate_handler() { std::set_terminate(on_terminate); }

int run_guarded(const std::function<int()>& command) {
  try {
    return command();
  } catch (...) {
    report(describe(std::current_exception()));
    return kExitInternal;
  }
}

}  // namespace flowc::cli
