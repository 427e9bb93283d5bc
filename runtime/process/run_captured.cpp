// posix_spawn with both outputs on pipes, read with poll until every
// command has closed them (the one place the runtime does this).
#include "runtime/process/run_captured.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <cstring>
#include <sstream>

#include <fmt/format.h>

#include "runtime/process/find_program.h"
#include "runtime/process/spawn.h"

namespace flowc::runtime {
namespace {

// A file descriptor closed when it goes out of scope.
class Fd {
 public:
  Fd() = default;
  explicit Fd(int fd) : fd_(fd) {}
  Fd(Fd&& other) noexcept : fd_(other.release()) {}
  Fd& operator=(Fd&& other) noexcept {
    reset(other.release());
    return *this;
  }
  ~Fd() { reset(); }
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  int get() const { return fd_; }
  int release() {
    int fd = fd_;
    fd_ = -1;
    return fd;
  }
  void reset(int fd = -1) {
    if (fd_ >= 0) ::close(fd_);
    fd_ = fd;
  }

 private:
  int fd_ = -1;
};

struct Child {
  pid_t pid = -1;
  Fd out, err;  // the reading ends
  bool reaped = false;
};

int exit_code_of(int status) {
  if (WIFEXITED(status)) return WEXITSTATUS(status);
  if (WIFSIGNALED(status)) return 128 + WTERMSIG(status);
  return -1;
}

// Starts one command; its child is left in `child` (pid -1 if it could not start).
std::string start(const std::vector<std::string>& command, const std::vector<std::string>& env, Child& child) {
  if (command.empty()) return "no command";
  auto path = find_on_path(command[0]);
  if (!path) return fmt::format("`{}` was not found on PATH", command[0]);
  int out[2], err[2];
  if (::pipe2(out, O_CLOEXEC) != 0) return std::strerror(errno);
  child.out.reset(out[0]);
  Fd out_write(out[1]);
  if (::pipe2(err, O_CLOEXEC) != 0) return std::strerror(errno);
  child.err.reset(err[0]);
  Fd err_write(err[1]);

  Spawn spawn;  // its own process group: a deadline stops all it started
  spawn.open(0, "/dev/null", O_RDONLY);
  spawn.dup2(out_write.get(), 1);
  spawn.dup2(err_write.get(), 2);
  std::vector<std::string> argv = command;
  argv[0] = *path;
  int rc = spawn.start(&child.pid, argv, env);
  if (rc != 0) {
    child.pid = -1;
    return fmt::format("cannot start `{}`: {}", *path, std::strerror(rc));
  }
  return {};
}

}  // namespace

std::string Captured::why() const {
  std::string text = error.empty() ? err : error;
  while (!text.empty() && (text.back() == '\n' || text.back() == ' ')) text.pop_back();
  if (text.empty()) text = fmt::format("it exited with code {} and printed nothing", exit_code);
  return text;
}

Captured capture_output(const std::vector<std::string>& argv, const std::vector<std::string>& env,
                        double timeout_seconds) {
  return run_captured({argv}, timeout_seconds, env)[0];
}

std::vector<Captured> run_captured(const std::vector<std::vector<std::string>>& commands, double timeout_seconds,
                                   const std::vector<std::string>& env) {
  std::vector<Captured> results(commands.size());
  std::vector<Child> children(commands.size());
  for (size_t i = 0; i < commands.size(); ++i) results[i].error = start(commands[i], env, children[i]);

  auto deadline = std::chrono::steady_clock::now() + std::chrono::duration_cast<std::chrono::steady_clock::duration>(
                                                         std::chrono::duration<double>(timeout_seconds));
  bool killed = false;
  while (true) {
    std::vector<pollfd> fds;
    std::vector<std::pair<size_t, std::string*>> where;
    for (size_t i = 0; i < children.size(); ++i) {
      if (children[i].out.get() >= 0) {
        fds.push_back({children[i].out.get(), POLLIN, 0});
        where.emplace_back(i, &results[i].out);
      }
      if (children[i].err.get() >= 0) {
        fds.push_back({children[i].err.get(), POLLIN, 0});
        where.emplace_back(i, &results[i].err);
      }
    }
    if (fds.empty()) break;
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
    // Something the killed command started may still hold its pipes: give
    // up on them a moment later.
    if (killed && left.count() < -2000) break;
    if (left.count() <= 0 && !killed) {
      for (size_t i = 0; i < children.size(); ++i) {
        bool open = children[i].out.get() >= 0 || children[i].err.get() >= 0;
        if (children[i].pid > 0 && open) {
          ::kill(-children[i].pid, SIGKILL);
          // "did not answer within" is what the Slurm executor reads as "try later".
          results[i].error =
              fmt::format("`{}` did not answer within {:g}s and was stopped", commands[i][0], timeout_seconds);
        }
      }
      killed = true;
    }
    int ready = ::poll(fds.data(), fds.size(), killed ? 1000 : static_cast<int>(std::max<int64_t>(1, left.count())));
    if (ready < 0 && errno != EINTR) break;
    for (size_t k = 0; k < fds.size(); ++k) {
      if (!(fds[k].revents & (POLLIN | POLLHUP | POLLERR))) continue;
      char buffer[4096];
      ssize_t n = ::read(fds[k].fd, buffer, sizeof buffer);
      if (n > 0) {
        where[k].second->append(buffer, static_cast<size_t>(n));
      } else if (n == 0 || errno != EINTR) {
        Child& child = children[where[k].first];
        (child.out.get() == fds[k].fd ? child.out : child.err).reset();
      }
    }
  }
  for (size_t i = 0; i < children.size(); ++i) {
    if (children[i].pid <= 0) continue;
    int status = 0;
    while (::waitpid(children[i].pid, &status, 0) < 0 && errno == EINTR) {
    }
    results[i].exit_code = exit_code_of(status);
    if (WIFSIGNALED(status) && results[i].error.empty()) {
      results[i].error = fmt::format("`{}` was killed by signal {}", commands[i][0], WTERMSIG(status));
    }
  }
  return results;
}

}  // namespace flowc::runtime
