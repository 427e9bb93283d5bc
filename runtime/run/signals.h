// Signals as events: while a SignalWatch exists, SIGCHLD, SIGINT and SIGTERM
// are blocked and read from a signalfd, so the run loop waits for "a child
// ended", "stop" or a deadline in one poll() — no handler races.
#pragma once

#include <chrono>
#include <signal.h>

namespace flowc::runtime {

class SignalWatch {
 public:
  SignalWatch();
  ~SignalWatch();  // restores the previous signal mask
  SignalWatch(const SignalWatch&) = delete;
  SignalWatch& operator=(const SignalWatch&) = delete;

  struct Events {
    bool child = false;  // a child process ended (maybe several)
    int interrupt = 0;   // SIGINT or SIGTERM received (the last one), or 0
  };
  // Waits at most `timeout` for a signal; returns what arrived.
  Events wait(std::chrono::milliseconds timeout);

 private:
  int fd_ = -1;
  sigset_t previous_;
};

}  // namespace flowc::runtime
