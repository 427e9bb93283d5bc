// Test helpers.
#include "tests/support/test_support.h"

#include <fcntl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fstream>
#include <sstream>
#include <stdexcept>

#include "compiler/diag/render.h"

namespace flowc::test {

std::optional<std::string> MemoryFiles::read(const std::string& path, std::string* error) {
  auto it = files_.find(path);
  if (it == files_.end()) {
    *error = "No such file or directory";
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

std::string diagnostics_text(const Compilation& c) { return render_text(c.diags, c.sources, TextStyle{false}); }

std::vector<std::string> diagnostic_codes(const Compilation& c) {
  std::vector<std::string> codes;
  for (const Diagnostic& d : c.diags.all()) codes.emplace_back(diag_info(d.id).code);
  return codes;
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

namespace {

std::string drain(int fd) {
  std::string out;
  char buf[65536];
  ssize_t n;
  while ((n = ::read(fd, buf, sizeof buf)) > 0) out.append(buf, static_cast<size_t>(n));
  return out;
}

}  // namespace

CommandResult run_flowc(const std::vector<std::string>& args, const std::string& cwd) {
  // stdout and stderr go to temporary files: reading two pipes in turn could
  // deadlock when a child fills the other one.
  char out_name[] = "/tmp/flowc-test-out-XXXXXX";
  char err_name[] = "/tmp/flowc-test-err-XXXXXX";
  int out_fd = mkstemp(out_name);
  int err_fd = mkstemp(err_name);
  pid_t pid = fork();
  if (pid == 0) {
    if (chdir(cwd.empty() ? FLOWC_SOURCE_DIR : cwd.c_str()) != 0) _exit(127);
    int null_fd = open("/dev/null", O_RDONLY);
    dup2(null_fd, 0);
    dup2(out_fd, 1);
    dup2(err_fd, 2);
    std::vector<char*> argv;
    std::string binary = FLOWC_BINARY;
    argv.push_back(binary.data());
    std::vector<std::string> copies = args;
    for (std::string& a : copies) argv.push_back(a.data());
    argv.push_back(nullptr);
    execv(binary.c_str(), argv.data());
    _exit(127);
  }
  int status = 0;
  waitpid(pid, &status, 0);
  CommandResult r;
  r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  lseek(out_fd, 0, SEEK_SET);
  lseek(err_fd, 0, SEEK_SET);
  r.out = drain(out_fd);
  r.err = drain(err_fd);
  close(out_fd);
  close(err_fd);
  unlink(out_name);
  unlink(err_name);
  return r;
}

}  // namespace flowc::test
