// mpirun of flowc-table for the tests (table_run.h).
#include "tests/table/table_run.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>

namespace flowc::test::table {

CommandResult run_table(int ranks, const std::vector<std::string>& args, const std::string& cwd) {
  std::vector<std::string> argv = {"mpirun", "-np", std::to_string(ranks), "--oversubscribe", "--bind-to", "none"};
  if (geteuid() == 0) argv.push_back("--allow-run-as-root");
  argv.push_back(FLOWC_TABLE_BINARY);
  argv.insert(argv.end(), args.begin(), args.end());

  char out_name[] = "/tmp/flowc-table-test-out-XXXXXX";
  char err_name[] = "/tmp/flowc-table-test-err-XXXXXX";
  ::close(mkstemp(out_name));
  ::close(mkstemp(err_name));
  pid_t pid = fork();
  if (pid == 0) {
    if (chdir(cwd.c_str()) != 0) _exit(127);
    int null_fd = open("/dev/null", O_RDONLY);
    int out_fd = open(out_name, O_WRONLY | O_TRUNC);
    int err_fd = open(err_name, O_WRONLY | O_TRUNC);
    dup2(null_fd, 0);
    dup2(out_fd, 1);
    dup2(err_fd, 2);
    sigset_t none;
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, nullptr);
    std::vector<char*> c_argv;
    for (std::string& a : argv) c_argv.push_back(a.data());
    c_argv.push_back(nullptr);
    execvp("mpirun", c_argv.data());
    _exit(127);
  }
  CommandResult r;
  r.exit_code = wait_exit(pid);
  r.out = read_file(out_name);
  r.err = read_file(err_name);
  unlink(out_name);
  unlink(err_name);
  return r;
}

Scratch::Scratch(const std::string& name) {
  static int n = 0;
  dir = std::filesystem::temp_directory_path() /
        ("flowc-table-" + name + "-" + std::to_string(::getpid()) + "-" + std::to_string(n++));
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
}

Scratch::~Scratch() {
  std::error_code ec;
  std::filesystem::remove_all(dir, ec);
}

std::string Scratch::write(const std::string& name, const std::string& text) const {
  write_file(path(name), text);
  return path(name);
}

}  // namespace flowc::test::table
