// What /proc says about a process: its start time, read field by field
// after the command name, whatever that name holds.
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <fstream>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include <catch2/catch.hpp>

#include "runtime/executors/local/local_executor.h"
#include "runtime/process/process_table.h"
#include "tests/support/project.h"

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

// The local executor knows a task's start from the clock around its spawn
// (boot_ticks_now), not from /proc: it must be exactly what /proc says, or
// a later run would take the task for another process (and leave it
// running) or another process for the task.
TEST_CASE("a local task's start, known at its spawn, is the one /proc gives", "[executor][process]") {
  flowc::test::Project p;
  LocalExecutor e(std::chrono::milliseconds(200));
  std::vector<uint64_t> handles;
  for (int i = 0; i < 60; ++i) {
    LaunchSpec spec;
    spec.work_dir = p.dir.string();
    spec.argv = {"/bin/sleep", "5"};
    spec.stdout_path = spec.stderr_path = "/dev/null";
    handles.push_back(e.submit(spec));
  }
  for (uint64_t h : handles) {
    JobRef ref = e.job_ref(h);
    REQUIRE(ref.pid > 0);
    CHECK(ref.pid_start == start_field(static_cast<pid_t>(ref.pid)));
    CHECK(ref.pid_start == process_start(static_cast<pid_t>(ref.pid)));
  }
  for (uint64_t h : handles) e.cancel(h);
  for (int i = 0; i < 500 && !handles.empty(); ++i) {
    for (const Outcome& o : e.collect()) std::erase(handles, o.handle);
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  CHECK(handles.empty());
}

// A journaled start of 0 (the task had ended when it was journaled) says
// nothing about who holds that pid now. Here it is a zombie (a leader that
// has exited, not yet reaped) whose process group still has a live member
// that is no task's: it must not be stopped.
TEST_CASE("a left-behind task whose start is unknown is not taken for the process with its pid",
          "[executor][process]") {
  flowc::test::Project p;
  pid_t leader = ::fork();
  REQUIRE(leader >= 0);
  if (leader == 0) {
    // Only async-signal-safe calls before the exec (a sanitizer's fork in
    // a child of a threaded process can hang); the shell starts the member.
    ::setpgid(0, 0);
    ::execl("/bin/sh", "sh", "-c", "sleep 30 & exit 0", static_cast<char*>(nullptr));
    ::_exit(127);
  }
  ::setpgid(leader, leader);
  struct Stop {  // whatever happens below
    pid_t pgid;
    ~Stop() {
      ::kill(-pgid, SIGKILL);
      int status = 0;
      ::waitpid(pgid, &status, 0);
    }
  } stop{leader};
  std::vector<pid_t> members;
  // Until the leader is a zombie (ended, not reaped) and its member is up.
  for (int i = 0; i < 300; ++i) {
    bool zombie = process_start(leader) == 0;  // first: then the members read cannot include it
    members = process_group_members(leader);
    if (zombie && !members.empty()) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  REQUIRE(members.size() == 1);
  REQUIRE(members[0] != leader);
  LocalExecutor e;
  e.settle({LeftBehind{JobRef{leader, 0, ""}, (p.dir / "gone").string()}});
  std::this_thread::sleep_for(std::chrono::milliseconds(100));
  CHECK(process_group_members(leader) == members);  // still running
}
