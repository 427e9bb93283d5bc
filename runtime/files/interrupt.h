// Whether the user asked flowc to stop. While the run loop holds SIGINT and
// SIGTERM blocked (runtime/run/signals.h reads them from a signalfd), a
// long step of flowc's own — hashing a big input, walking a folder,
// copying an output — would not notice them until it ends, or never (an
// input that is /dev/zero). Such steps ask this between blocks of work and
// stop, so that Ctrl-C is obeyed within a fraction of a second. When the
// signals are not blocked, their default action ends flowc at once and this
// is never true.
#pragma once

namespace flowc::runtime::files {

// True when SIGINT or SIGTERM is pending (blocked and not yet read). Costs
// one system call.
bool interrupt_pending();

}  // namespace flowc::runtime::files
