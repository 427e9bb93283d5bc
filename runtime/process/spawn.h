// How the runtime starts every child process: posix_spawn (glibc uses
// clone(CLONE_VFORK), so the cost does not grow with flowc's memory; see
// bench/spawn), with every signal unblocked and back to its default (flowc
// blocks SIGCHLD, SIGINT and SIGTERM for its signalfd, and a child must not
// inherit that), by default in a process group of its own so that stopping
// it stops everything it started.
//
//     Spawn spawn;                               // own process group
//     spawn.open(0, "/dev/null", O_RDONLY);
//     spawn.dup2(pipe_write_end, 1);
//     int rc = spawn.start(&pid, argv, env);     // 0 or an errno value
#pragma once

#include <fcntl.h>
#include <spawn.h>
#include <sys/types.h>

#include <string>
#include <vector>

namespace flowc::runtime {

class Spawn {
 public:
  explicit Spawn(bool own_process_group = true);
  ~Spawn();
  Spawn(const Spawn&) = delete;
  Spawn& operator=(const Spawn&) = delete;

  // File actions, applied in the child in the order given.
  void chdir(const std::string& dir);
  void open(int fd, const std::string& path, int flags, mode_t mode = 0644);
  void dup2(int from, int to);

  // Starts argv (argv[0] a path, or a name looked up on PATH when
  // `search_path`) with `env` (NAME=value; empty: this process's own).
  // Returns 0, or the errno value saying why it could not start.
  int start(pid_t* pid, const std::vector<std::string>& argv, const std::vector<std::string>& env,
            bool search_path = false);

 private:
  posix_spawnattr_t attr_;
  posix_spawn_file_actions_t actions_;
};

}  // namespace flowc::runtime
