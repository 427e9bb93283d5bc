// Test helpers.
#include "tests/support/test_support.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <csignal>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <sstream>
#include <stdexcept>

#include <catch2/catch.hpp>

#include "compiler/diag/render.h"

namespace flowc::test {

std::optional<std::string> MemoryFiles::read(const std::string& path, ir::FileProblem* problem) {
  auto it = files_.find(path);
  if (it == files_.end()) {
    *problem = {ir::FileProblem::Kind::Unreadable, "No such file or directory"};
    return std::nullopt;
  }
  return it->second;
}

std::unique_ptr<Compilation> compile_text(const std::string& text, Stage until,
                                          std::map<std::string, std::string> more_files, const std::string& path) {
  more_files[path] = text;
  MemoryFiles files(std::move(more_files));
  CompileOptions options;
  options.files = &files;
  options.until = until;
  return compile(path, options);
}

std::unique_ptr<Compilation> compile_ok(const std::string& text) {
  auto c = compile_text(text);
  INFO(text << "\n" << diagnostics_text(*c));
  REQUIRE(c->ok());
  REQUIRE(c->program.has_value());
  return c;
}

std::string diagnostics_text(const Compilation& c) { return render_text(c.diags, c.sources, TextStyle{false}); }

std::vector<std::string> diagnostic_codes(const Compilation& c) {
  std::vector<std::string> codes;
  for (const Diagnostic& d : c.diags.all()) codes.emplace_back(diag_info(d.id).code);
  return codes;
}

std::string read_proc_file(pid_t pid, const std::string& name) {
  std::string text;
  int fd = ::open(("/proc/" + std::to_string(pid) + "/" + name).c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return text;
  char buf[4096];
  ssize_t n;
  while ((n = ::read(fd, buf, sizeof buf)) > 0) text.append(buf, static_cast<size_t>(n));
  ::close(fd);
  return n < 0 ? std::string() : text;
}

std::vector<pid_t> processes_with(const std::string& word) {
  std::vector<pid_t> found;
  DIR* proc = ::opendir("/proc");
  if (!proc) return found;
  while (dirent* e = ::readdir(proc)) {
    pid_t pid = static_cast<pid_t>(std::atoi(e->d_name));
    if (pid <= 0 || pid == ::getpid()) continue;
    std::string cmdline = read_proc_file(pid, "cmdline");
    std::replace(cmdline.begin(), cmdline.end(), '\0', ' ');
    if (cmdline.find(word) != std::string::npos) found.push_back(pid);
  }
  ::closedir(proc);
  return found;
}

std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error("cannot read " + path);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

void write_file(const std::string& path, const std::string& text) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << text;
}

std::string source_path(const std::string& relative) { return std::string(FLOWC_SOURCE_DIR) + "/" + relative; }

pid_t start_flowc(const std::vector<std::string>& args, const std::string& cwd, const std::vector<std::string>& env,
                  const std::string& out_path, const std::string& err_path) {
  pid_t pid = fork();
  if (pid == 0) {
    if (chdir(cwd.empty() ? FLOWC_SOURCE_DIR : cwd.c_str()) != 0) _exit(127);
    int null_fd = open("/dev/null", O_RDONLY);
    int out_fd = open(out_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    int err_fd = open(err_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    dup2(null_fd, 0);
    dup2(out_fd, 1);
    dup2(err_fd, 2);
    for (const std::string& e : env) putenv(strdup(e.c_str()));
    // A signal mask or ignored signals inherited from the test runner must
    // not leak into flowc.
    sigset_t none;
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, nullptr);
    signal(SIGINT, SIG_DFL);
    signal(SIGTERM, SIG_DFL);
    std::vector<char*> argv;
    std::string binary = FLOWC_BINARY;
    argv.push_back(binary.data());
    std::vector<std::string> copies = args;
    for (std::string& a : copies) argv.push_back(a.data());
    argv.push_back(nullptr);
    execv(binary.c_str(), argv.data());
    _exit(127);
  }
  return pid;
}

int wait_exit(pid_t pid) {
  int status = 0;
  while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

CommandResult run_flowc(const std::vector<std::string>& args, const std::string& cwd,
                        const std::vector<std::string>& env) {
  // stdout and stderr go to temporary files: reading two pipes in turn could
  // deadlock when a child fills the other one.
  char out_name[] = "/tmp/flowc-test-out-XXXXXX";
  char err_name[] = "/tmp/flowc-test-err-XXXXXX";
  close(mkstemp(out_name));
  close(mkstemp(err_name));
  CommandResult r;
  r.exit_code = wait_exit(start_flowc(args, cwd, env, out_name, err_name));
  r.out = read_file(out_name);
  r.err = read_file(err_name);
  unlink(out_name);
  unlink(err_name);
  return r;
}

}  // namespace flowc::test
