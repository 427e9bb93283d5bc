// Starting a shared container and ending it.
#include "runtime/containers/shared_container.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>

#include <fmt/format.h>

#include "runtime/process/run_captured.h"
#include "runtime/process/spawn.h"

namespace flowc::runtime {
namespace {

constexpr double kStopSeconds = 60;

void close_fd(int& fd) {
  if (fd >= 0) ::close(fd);
  fd = -1;
}

}  // namespace

std::vector<std::string> SharedContainer::idle_command() {
  // Only the shell's builtins: any image that can run a task can run this.
  return {"/bin/sh", "-c", std::string("echo ") + kReady + "; while read -r line; do :; done"};
}

SharedContainer::SharedContainer(std::string name, const std::vector<std::string>& run_argv,
                                 std::vector<std::string> stop_argv, double timeout_seconds)
    : name_(std::move(name)), stop_argv_(std::move(stop_argv)) {
  int in[2], out[2], err[2];
  // O_CLOEXEC: no task flowc starts later may hold the container's stdin.
  if (::pipe2(in, O_CLOEXEC) != 0) {
    error_ = std::strerror(errno);
    return;
  }
  stdin_ = in[1];
  int child_in = in[0];
  if (::pipe2(out, O_CLOEXEC) != 0 || ::pipe2(err, O_CLOEXEC) != 0) {
    error_ = std::strerror(errno);
    ::close(child_in);
    return;
  }
  stdout_ = out[0];
  stderr_ = err[0];
  Spawn spawn;  // a process group of its own: Ctrl-C on the terminal is flowc's to handle
  spawn.dup2(child_in, 0);
  spawn.dup2(out[1], 1);
  spawn.dup2(err[1], 2);
  int rc = spawn.start(&pid_, run_argv, {});
  ::close(child_in);
  ::close(out[1]);
  ::close(err[1]);
  if (rc != 0) {
    pid_ = -1;
    error_ = fmt::format("cannot start `{}`: {}", run_argv[0], std::strerror(rc));
    return;
  }

  // Wait for the shell's word; keep what the engine says on stderr for the error.
  std::string said, complaint;
  auto deadline = std::chrono::steady_clock::now() + std::chrono::duration_cast<std::chrono::steady_clock::duration>(
                                                          std::chrono::duration<double>(timeout_seconds));
  while (said.find(kReady) == std::string::npos) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) {
      error_ = fmt::format("the container did not start within {:g}s", timeout_seconds);
      break;
    }
    pollfd fds[2] = {{stdout_, POLLIN, 0}, {stderr_, POLLIN, 0}};
    if (::poll(fds, stderr_ >= 0 ? 2 : 1, static_cast<int>(left.count())) < 0 && errno != EINTR) {
      error_ = std::strerror(errno);
      break;
    }
    char buffer[4096];
    if (fds[1].revents) {
      ssize_t n = ::read(stderr_, buffer, sizeof buffer);
      if (n > 0) complaint.append(buffer, static_cast<size_t>(n));
      if (n == 0) close_fd(stderr_);
    }
    if (fds[0].revents) {
      ssize_t n = ::read(stdout_, buffer, sizeof buffer);
      if (n > 0) said.append(buffer, static_cast<size_t>(n));
      if (n == 0) {
        error_ = "the container ended before its command started";
        break;
      }
    }
  }
  if (!error_.empty()) {
    while (!complaint.empty() && complaint.back() == '\n') complaint.pop_back();
    if (!complaint.empty()) error_ += "; the engine said:\n" + complaint;
    end();
  }
}

SharedContainer::~SharedContainer() { end(); }

bool SharedContainer::alive() {
  if (stdout_ < 0) return false;
  // The engine's client ends with the container and closes its stdout.
  pollfd fd = {stdout_, POLLIN, 0};
  if (::poll(&fd, 1, 0) > 0) {
    char buffer[256];
    if (::read(stdout_, buffer, sizeof buffer) == 0) return false;
  }
  return true;
}

void SharedContainer::end() {
  close_fd(stdin_);  // the shell reads the end of its input and leaves
  if (pid_ > 0) {
    // Remove it at once: a task stopped inside may still be running there.
    if (!stop_argv_.empty()) run_captured({stop_argv_}, kStopSeconds);
    // The engine's client ends with the container, closing its stdout;
    // one that does not is killed.
    bool ended = stdout_ < 0;
    for (int i = 0; i < 100 && !ended; ++i) {
      pollfd fd = {stdout_, POLLIN, 0};
      char buffer[256];
      ended = ::poll(&fd, 1, 100) > 0 && ::read(stdout_, buffer, sizeof buffer) <= 0;
    }
    if (!ended) ::kill(-pid_, SIGKILL);
    // The local executor reaps any child it sees end; then there is nothing
    // to wait for (ECHILD).
    int status = 0;
    while (::waitpid(pid_, &status, 0) < 0 && errno == EINTR) {
    }
    pid_ = -1;
  }
  close_fd(stdout_);
  close_fd(stderr_);
}

}  // namespace flowc::runtime
