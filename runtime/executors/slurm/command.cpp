// posix_spawnp with both output pipes read through poll() until they close.
#include "runtime/executors/slurm/command.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstring>

#include <fmt/format.h>

#include "runtime/process/spawn.h"

namespace flowc::runtime {
namespace {

// A pipe's two ends, closed on every path.
struct Pipe {
  int fd[2] = {-1, -1};
  Pipe() {
    if (::pipe2(fd, O_CLOEXEC) != 0) fd[0] = fd[1] = -1;
  }
  ~Pipe() {
    close_read();
    close_write();
  }
  void close_read() {
    if (fd[0] >= 0) ::close(fd[0]);
    fd[0] = -1;
  }
  void close_write() {
    if (fd[1] >= 0) ::close(fd[1]);
    fd[1] = -1;
  }
  Pipe(const Pipe&) = delete;
  Pipe& operator=(const Pipe&) = delete;
};

}  // namespace

std::string CommandOutput::why() const {
  std::string text = error.empty() ? err : error;
  while (!text.empty() && (text.back() == '\n' || text.back() == ' ')) text.pop_back();
  if (text.empty()) text = fmt::format("it exited with code {} and printed nothing", exit_code);
  return text;
}

std::string shell_quote(const std::string& text) {
  std::string out = "'";
  for (char c : text) {
    if (c == '\'') {
      out += "'\\''";
    } else {
      out += c;
    }
  }
  return out + "'";
}

CommandOutput run_command(const std::vector<std::string>& argv, const std::vector<std::string>& env,
                          double timeout_seconds) {
  CommandOutput result;
  Pipe out, err;
  if (out.fd[0] < 0 || err.fd[0] < 0) {
    result.error = fmt::format("cannot run `{}`: no pipe: {}", argv[0], std::strerror(errno));
    return result;
  }
  Spawn spawn;  // its own process group: a timeout kills all it started
  spawn.open(0, "/dev/null", O_RDONLY);
  spawn.dup2(out.fd[1], 1);
  spawn.dup2(err.fd[1], 2);
  pid_t pid = 0;
  int rc = spawn.start(&pid, argv, env, /*search_path=*/true);
  if (rc != 0) {
    result.error = fmt::format("cannot run `{}`: {}", argv[0], std::strerror(rc));
    return result;
  }
  out.close_write();
  err.close_write();

  auto deadline = std::chrono::steady_clock::now() + std::chrono::duration_cast<std::chrono::steady_clock::duration>(
                                                         std::chrono::duration<double>(timeout_seconds));
  bool killed = false;
  char buffer[4096];
  while (out.fd[0] >= 0 || err.fd[0] >= 0) {
    pollfd fds[2] = {{out.fd[0], POLLIN, 0}, {err.fd[0], POLLIN, 0}};
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) {
      ::kill(-pid, SIGKILL);
      killed = true;
      break;
    }
    int n = ::poll(fds, 2, static_cast<int>(left.count()));
    if (n < 0 && errno != EINTR) break;
    for (int i = 0; i < 2; ++i) {
      if (fds[i].fd < 0 || !(fds[i].revents & (POLLIN | POLLHUP | POLLERR))) continue;
      ssize_t got = ::read(fds[i].fd, buffer, sizeof buffer);
      if (got > 0) {
        (i == 0 ? result.out : result.err).append(buffer, static_cast<size_t>(got));
      } else if (got == 0 || errno != EINTR) {
        (i == 0 ? out : err).close_read();
      }
    }
  }
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  if (killed) {
    result.error = fmt::format("`{}` did not answer within {:g}s", argv[0], timeout_seconds);
  } else if (WIFEXITED(status)) {
    result.exit_code = WEXITSTATUS(status);
  } else {
    result.error = fmt::format("`{}` was killed by signal {}", argv[0], WTERMSIG(status));
  }
  return result;
}

}  // namespace flowc::runtime
