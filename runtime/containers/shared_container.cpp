// Starting a shared container and ending it.
#include "runtime/containers/shared_container.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
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

std::vector<std::string> SharedContainer::runner_command() {
  // Only the shell and its builtins: any image that can run a task can run
  // this. A task runs in the background so that the loop keeps reading:
  // the end of its input (flowc gone) kills whatever still runs (kill -1:
  // every process but PID 1 and the shell itself).
  std::string script = std::string("echo ") + kReady + R"(
while IFS= read -r dir; do
  ( cd "$dir" || exit 97
    if [ -r )" + kEnvFile +
                       R"( ]; then
      . ./)" + kEnvFile +
                       R"(
      /bin/sh .command.sh </dev/null >.stdout 2>.stderr
      echo $? >)" + kExitFile +
                       R"(
    else
      echo "flowc: the container does not see this task's files in $dir" >.stderr
      echo 126 >)" + kExitFile +
                       R"(
    fi ) &
done
kill -s KILL -1 2>/dev/null
)";
  return {"/bin/sh", "-c", script};
}

std::vector<std::string> SharedContainer::waiter_argv() const {
  // $1: the engine client that runs the container; it ends with it.
  std::string script = std::string(R"(while [ ! -s )") + kExitFile + R"( ]; do
  if ! kill -0 "$1" 2>/dev/null; then
    echo "flowc: the container this task shared with its group ended before the task did" >>.stderr
    exit 125
  fi
  sleep 0.05
done
read -r code <)" + kExitFile +
                       R"(
exit "$code")";
  return {"/bin/sh", "-c", script, "flowc-wait", std::to_string(pid_)};
}

bool SharedContainer::send(const std::string& work_dir) {
  if (stdin_ < 0 || work_dir.find('\n') != std::string::npos) return false;
  std::string line = work_dir + "\n";
  size_t done = 0;
  while (done < line.size()) {
    ssize_t n = ::send(stdin_, line.data() + done, line.size() - done, MSG_NOSIGNAL);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    done += static_cast<size_t>(n);
  }
  return true;
}

SharedContainer::SharedContainer(std::string name, const std::vector<std::string>& run_argv,
                                 std::vector<std::string> stop_argv, double timeout_seconds)
    : name_(std::move(name)), stop_argv_(std::move(stop_argv)) {
  int in[2], out[2], err[2];
  // A socket rather than a pipe for its stdin: send() can refuse with
  // EPIPE instead of raising SIGPIPE if the container is gone. CLOEXEC: no
  // task flowc starts later may hold the container's stdin.
  if (::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, in) != 0) {
    error_ = std::strerror(errno);
    return;
  }
  stdin_ = in[1];
  int child_in = in[0];
  ::shutdown(stdin_, SHUT_RD);  // it only listens
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
