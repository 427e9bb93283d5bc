// Helpers shared by the tests: compile text in memory, read files, run the
// flowc binary.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <map>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "compiler/driver/compilation.h"

namespace flowc::test {

// Files held in memory, for compiling test programs without touching disk.
class MemoryFiles : public check::FileProvider {
 public:
  explicit MemoryFiles(std::map<std::string, std::string> files) : files_(std::move(files)) {}
  std::optional<std::string> read(const std::string& path, ir::FileProblem* problem) override;

 private:
  std::map<std::string, std::string> files_;
};

// Compiles `text` as the file `path` (other files may be given for imports).
std::unique_ptr<Compilation> compile_text(const std::string& text, Stage until = Stage::Lower,
                                          std::map<std::string, std::string> more_files = {},
                                          const std::string& path = "test.flow");

// compile_text for a program the test expects to be correct: fails the test
// (showing the diagnostics) if it is not.
std::unique_ptr<Compilation> compile_ok(const std::string& text);

// The diagnostics as text (no colour), or their codes alone.
std::string diagnostics_text(const Compilation& c);
std::vector<std::string> diagnostic_codes(const Compilation& c);

std::string read_file(const std::string& path);
void write_file(const std::string& path, const std::string& text);
std::string source_path(const std::string& relative);  // under the source tree

// Whether `done()` comes true within `seconds` (asked every 20 ms).
template <typename F>
bool eventually(F done, double seconds = 60) {
  auto until = std::chrono::steady_clock::now() + std::chrono::duration<double>(seconds);
  while (std::chrono::steady_clock::now() < until) {
    if (done()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return done();
}

// /proc/PID/NAME of a process ("" once it has ended: reading the file of a
// process that ends meanwhile fails with ESRCH, which a stream would throw).
std::string read_proc_file(pid_t pid, const std::string& name);

// Every process but this one whose command line contains `word` (a test's
// own marker), from /proc. A process that ends while it is read is skipped
// (reading its cmdline then fails with ESRCH).
std::vector<pid_t> processes_with(const std::string& word);

struct CommandResult {
  int exit_code = -1;
  std::string out;  // stdout
  std::string err;  // stderr
};

// Runs the flowc binary with `args` (no shell), in `cwd` (default: the source
// tree), with `env` (NAME=value) added to the environment.
CommandResult run_flowc(const std::vector<std::string>& args, const std::string& cwd = "",
                        const std::vector<std::string>& env = {});

// Starts the flowc binary in the background; stdout and stderr go to the
// given files. Returns its pid (the caller waits for it).
pid_t start_flowc(const std::vector<std::string>& args, const std::string& cwd, const std::vector<std::string>& env,
                  const std::string& out_path, const std::string& err_path);

// Waits for a process started by start_flowc; returns its exit code
// (128 + signal if a signal ended it).
int wait_exit(pid_t pid);

}  // namespace flowc::test
