// See interrupt.h.
#include "runtime/files/interrupt.h"

#include <signal.h>

namespace flowc::runtime::files {

bool interrupt_pending() {
  sigset_t pending;
  if (::sigpending(&pending) != 0) return false;
  return sigismember(&pending, SIGINT) == 1 || sigismember(&pending, SIGTERM) == 1;
}

}  // namespace flowc::runtime::files
