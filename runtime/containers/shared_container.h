// One container several tasks run in, one after another (a call's
// `group = N`): it is started with a shell that only waits for its stdin to
// close, and each task runs in it through the engine's `exec`. flowc holds
// the only writing end of that stdin, so the container ends however flowc
// ends — closed here, or by the kernel when flowc is killed outright — and
// `run --rm` removes it.
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
  // The shell command the container runs (printed kReady, then waits).
  static std::vector<std::string> idle_command();

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
