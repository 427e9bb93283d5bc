// signalfd-based signal handling.
#include "runtime/run/signals.h"

#include <poll.h>
#include <sys/signalfd.h>
#include <unistd.h>

#include <cerrno>
#include <stdexcept>

namespace flowc::runtime {

SignalWatch::SignalWatch() {
  sigset_t mask;
  sigemptyset(&mask);
  sigaddset(&mask, SIGCHLD);
  sigaddset(&mask, SIGINT);
  sigaddset(&mask, SIGTERM);
  if (sigprocmask(SIG_BLOCK, &mask, &previous_) != 0) throw std::runtime_error("cannot block signals");
  fd_ = signalfd(-1, &mask, SFD_CLOEXEC | SFD_NONBLOCK);
  if (fd_ < 0) {
    sigprocmask(SIG_SETMASK, &previous_, nullptr);
    throw std::runtime_error("cannot create a signalfd");
  }
}

SignalWatch::~SignalWatch() {
  ::close(fd_);
  sigprocmask(SIG_SETMASK, &previous_, nullptr);
}

SignalWatch::Events SignalWatch::wait(std::chrono::milliseconds timeout) {
  Events events;
  pollfd p{fd_, POLLIN, 0};
  int ms = static_cast<int>(std::max<int64_t>(0, timeout.count()));
  int rc = ::poll(&p, 1, ms);
  if (rc <= 0) return events;
  signalfd_siginfo info;
  while (::read(fd_, &info, sizeof info) == static_cast<ssize_t>(sizeof info)) {
    if (info.ssi_signo == SIGCHLD) events.child = true;
    if (info.ssi_signo == SIGINT || info.ssi_signo == SIGTERM) events.interrupt = static_cast<int>(info.ssi_signo);
  }
  return events;
}

}  // namespace flowc::runtime
