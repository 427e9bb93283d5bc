// One container several tasks run in, one after another (a call's
// `group = N`). Its command is a small shell loop (runner_command) that reads
// work dirs from its stdin and runs each one's `.command.sh` there, in the
// background, with the environment in `.flowc-env.sh`, its output to
// `.stdout`/`.stderr`, and its exit status written to `.flowc-exit`. On the
// host, each task is a waiter (waiter_argv) that the executor runs, times
// and stops like any task: it ends with that exit status. Starting a task
// costs a line on a pipe and a waiting shell, not an engine `exec` (~0.4 s
// with podman here).
//
// flowc holds the only writing end of the container's stdin, so the
// container ends however flowc ends — closed here, or by the kernel when
// flowc is killed outright: the loop reads the end of its input, kills
// what still runs, and leaves; `run --rm` removes the container.
#pragma once

#include <sys/types.h>

#include <string>
#include <vector>

namespace flowc::runtime {

class SharedContainer {
 public:
  // Starts `run_argv` (argv[0] a path; its command must print kReady once
  // the container runs, then read stdin to its end) and waits until it
  // said so, or ended, or `timeout_seconds` passed. `stop_argv` removes
  // the container at once. Check ok() / error().
  SharedContainer(std::string name, const std::vector<std::string>& run_argv, std::vector<std::string> stop_argv,
                  double timeout_seconds);
  ~SharedContainer();  // ends the container and waits for it
  SharedContainer(const SharedContainer&) = delete;
  SharedContainer& operator=(const SharedContainer&) = delete;

  static constexpr const char* kReady = "flowc-container-ready";
  static constexpr const char* kEnvFile = ".flowc-env.sh";
  static constexpr const char* kExitFile = ".flowc-exit";
  // The command the container runs (prints kReady, then runs work dirs).
  static std::vector<std::string> runner_command();
  // What runs on the host for a task sent to this container: it waits in
  // the task's work dir for kExitFile and exits with the status in it, or
  // with 125 (and a line in .stderr) if the container ends first.
  std::vector<std::string> waiter_argv() const;

  // Starts the task in `work_dir` (which the container mounts, holding
  // .command.sh and kEnvFile). False if the container is gone.
  bool send(const std::string& work_dir);

  bool ok() const { return error_.empty(); }
  const std::string& error() const { return error_; }
  const std::string& name() const { return name_; }
  // Still running (its engine client has not ended).
  bool alive();

 private:
  void end();

  std::string name_;
  std::vector<std::string> stop_argv_;
  pid_t pid_ = -1;
  int stdin_ = -1, stdout_ = -1, stderr_ = -1;  // our ends
  std::string error_;
};

}  // namespace flowc::runtime
