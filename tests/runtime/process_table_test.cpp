// What /proc says about a process: its start time, read field by field
// after the command name, whatever that name holds.
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fstream>
#include <sstream>
#include <string>

#include <catch2/catch.hpp>

#include "runtime/process/process_table.h"

using namespace flowc::runtime;

namespace {

// Field 22 (starttime) of /proc/PID/stat, read the slow, obvious way.
int64_t start_field(pid_t pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/stat");
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  std::istringstream fields(text.substr(text.rfind(')') + 2));
  std::string field;
  for (int i = 3; i <= 22; ++i) fields >> field;
  return std::stoll(field);
}

}  // namespace

TEST_CASE("process_start reads a process's start time, even when its name holds spaces and parentheses", "[process]") {
  CHECK(process_start(::getpid()) == start_field(::getpid()));
  CHECK(process_start(::getpid()) > 0);
  int ready[2];
  REQUIRE(::pipe(ready) == 0);
  pid_t child = ::fork();
  REQUIRE(child >= 0);
  if (child == 0) {
    ::prctl(PR_SET_NAME, "a) b (c) 1 2", 0, 0, 0);
    char c = 'x';
    (void)!::write(ready[1], &c, 1);
    ::pause();
    ::_exit(0);
  }
  char c = 0;
  REQUIRE(::read(ready[0], &c, 1) == 1);
  ::close(ready[0]);
  ::close(ready[1]);
  CHECK(process_start(child) == start_field(child));
  CHECK(process_start(child) >= process_start(::getpid()));
  ::kill(child, SIGKILL);
  int status = 0;
  ::waitpid(child, &status, 0);
  CHECK(process_start(child) == 0);  // gone
}
