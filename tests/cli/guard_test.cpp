// The last line of defence (cli/guard.h): an exception that escapes a
// command, or std::terminate from a thread, ends flowc with "internal error"
// and exit 70, never with a bare abort. flowc's main() is exactly
// install_terminate_handler() + run_guarded(); these run them in a child
// process (as flowc would) and look at its exit code and stderr.
//
// Why not a hidden trigger in the flowc binary: a code path that exists
// only to be tested is one more way for a user to hit it; every crash the
// fuzzers and the hostile-input tests found is fixed, so no real input is
// left that reaches these handlers on purpose.
#include <fcntl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <functional>
#include <stdexcept>
#include <thread>

#include <catch2/catch.hpp>

#include "cli/guard.h"
#include "tests/support/test_support.h"

namespace {

struct Ended {
  int exit_code = -1;
  std::string err;
};

// Runs `body` in a forked child whose stderr is captured.
Ended in_child(const std::function<int()>& body) {
  char err_name[] = "/tmp/flowc-guard-err-XXXXXX";
  int err_fd = ::mkstemp(err_name);
  pid_t pid = ::fork();
  if (pid == 0) {
    ::dup2(err_fd, 2);
    ::_exit(body());
  }
  ::close(err_fd);
  int status = 0;
  ::waitpid(pid, &status, 0);
  Ended e;
  e.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  e.err = flowc::test::read_file(err_name);
  ::unlink(err_name);
  return e;
}

}  // namespace

TEST_CASE("an exception escaping a command is an internal error, exit 70", "[cli][guard]") {
  auto e = in_child([] {
    flowc::cli::install_terminate_handler();
    return flowc::cli::run_guarded([]() -> int { throw std::runtime_error("the plan lost a task"); });
  });
  CHECK(e.exit_code == 70);
  CHECK(e.err == "flowc: internal error: the plan lost a task (please report this as a bug in flowc)\n");
}

TEST_CASE("an exception that is no std::exception is an internal error too", "[cli][guard]") {
  auto e = in_child([] { return flowc::cli::run_guarded([]() -> int { throw 42; }); });
  CHECK(e.exit_code == 70);
  CHECK(e.err.find("internal error: an exception that is not a std::exception") != std::string::npos);
}

TEST_CASE("std::terminate from a thread is an internal error, exit 70", "[cli][guard]") {
  auto e = in_child([] {
    flowc::cli::install_terminate_handler();
    return flowc::cli::run_guarded([] {
      std::thread t([] { throw std::logic_error("a worker thread failed"); });
      t.join();
      return 0;
    });
  });
  CHECK(e.exit_code == 70);
  CHECK(e.err == "flowc: internal error: a worker thread failed (please report this as a bug in flowc)\n");
}

TEST_CASE("a message that is not UTF-8 is printed safely", "[cli][guard]") {
  auto e = in_child([] { return flowc::cli::run_guarded([]() -> int { throw std::runtime_error("bad \xff byte"); }); });
  CHECK(e.exit_code == 70);
  CHECK(e.err.find("internal error: bad \\xFF byte") != std::string::npos);
}

TEST_CASE("a command that returns normally keeps its exit code", "[cli][guard]") {
  CHECK(flowc::cli::run_guarded([] { return 2; }) == 2);
  CHECK(flowc::cli::run_guarded([] { return 0; }) == 0);
}

TEST_CASE("flowc documents exit code 70", "[cli][guard]") {
  auto h = flowc::test::run_flowc({"--help"});
  CHECK(h.out.find("70 a bug in flowc") != std::string::npos);
}
