// `flowc run` against hostile conditions of its own machine: special files
// as inputs, a huge input and Ctrl-C, a task logging gigabytes, a full
// disk, a read-only state folder, a lock held by someone else.
#include <fcntl.h>
#include <signal.h>
#include <sys/file.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <thread>

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "runtime/store/store.h"
#include "tests/runtime/hostile_test_support.h"

namespace fs = std::filesystem;
using flowc::test::Project;
using flowc::test::run_bounded;
using nlohmann::json;

namespace {

const char* kCat = R"(
op cat(f: file) -> (o: file) { run "cat ${f} > ${o}" }
workflow main(f: file) -> (o: file) { c = cat(f = f)  return (o = c.o) }
)";

uint64_t free_space(const fs::path& dir) {
  struct statvfs s;
  return ::statvfs(dir.c_str(), &s) == 0 ? static_cast<uint64_t>(s.f_bfree) * s.f_frsize : 0;
}

// How many bytes process `pid` has read so far (/proc/PID/io), or -1.
long long bytes_read(pid_t pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/io");
  std::string key;
  long long value;
  while (in >> key >> value) {
    if (key == "rchar:") return value;
  }
  return -1;
}

}  // namespace

TEST_CASE("a special file as an input is refused before anything runs, naming the input", "[run][special]") {
  Project p;
  p.write("w.flow", kCat);
  std::string fifo = p.path("fifo");
  REQUIRE(::mkfifo(fifo.c_str(), 0644) == 0);
  std::string sock = p.path("sock");
  REQUIRE(flowc::test::make_socket(sock));
  struct Case {
    std::string path, kind;
  };
  for (const Case& c : {Case{"/dev/zero", "a character device"}, Case{fifo, "a FIFO (named pipe)"},
                        Case{sock, "a socket"}, Case{"/dev/stdin", ""}}) {
    auto r = run_bounded(p, {"run", "w.flow", "-p", "f=" + c.path}, 30);
    INFO(c.path << "\n" << r.err);
    REQUIRE_FALSE(r.timed_out);  // /dev/zero hashed forever, a FIFO blocked forever
    CHECK(r.exit_code == 2);
    CHECK_THAT(r.err, Catch::Contains("input `f`: `" + c.path + "` is " + c.kind) &&
                          Catch::Contains("must be a regular file or a folder") && Catch::Contains("nothing was run"));
  }
  // A special file a workflow names itself (not a -p input) is refused when
  // its task is prepared, instead of hanging there.
  p.write("lit.flow", R"(
op cat(f: file) -> (o: file) { run "cat ${f} > ${o}" }
workflow main() { c = cat(f = "/dev/zero") })");
  auto r = run_bounded(p, {"run", "lit.flow"}, 30);
  INFO(r.err);
  REQUIRE_FALSE(r.timed_out);
  CHECK(r.exit_code == 1);
  CHECK_THAT(r.err, Catch::Contains("`/dev/zero` is a character device, not a regular file"));
  // A FIFO read by read_lines() while the workflow is evaluated.
  p.write("lines.flow", R"(
op say(s: str) -> (o: file) { run "echo ${s} > ${o}" }
workflow main() { for s in read_lines("names.fifo") { x = say(s = s) } })");
  REQUIRE(::mkfifo(p.path("names.fifo").c_str(), 0644) == 0);
  auto lines = run_bounded(p, {"run", "lines.flow"}, 30);
  INFO(lines.err);
  REQUIRE_FALSE(lines.timed_out);
  // The survey before the run evaluates the list: nothing starts.
  CHECK(lines.exit_code == 2);
  CHECK_THAT(lines.err, Catch::Contains("names.fifo` is a FIFO (named pipe), not a regular file") &&
                            Catch::Contains("nothing was run"));
}

// Starts flowc with `args`, waits until it has read 256 MiB (of a huge
// file it hashes), sends `sig`; whether it ended within 30 s, and how.
struct Stopped {
  bool ended = false;
  int status = 0;
  std::string err;
};
Stopped signal_while_hashing(const Project& p, const std::vector<std::string>& args, int sig) {
  std::string err = p.path("err.txt");
  pid_t pid = flowc::test::start_flowc(args, p.dir.string(), {}, p.path("out.txt"), err);
  auto until = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  while (bytes_read(pid) < (256ll << 20) && std::chrono::steady_clock::now() < until) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  Stopped s;
  auto sent = std::chrono::steady_clock::now();
  ::kill(pid, sig);
  while (std::chrono::steady_clock::now() - sent < std::chrono::seconds(30)) {
    if (::waitpid(pid, &s.status, WNOHANG) == pid) {
      s.ended = true;
      break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  if (!s.ended) {
    ::kill(pid, SIGKILL);
    ::waitpid(pid, &s.status, 0);
  }
  s.err = flowc::test::read_file(err);
  return s;
}

TEST_CASE("SIGTERM or Ctrl-C while flowc hashes a huge input or output stops it at once, the state intact",
          "[run][signals][special]") {
  Project p;
  p.write("w.flow", kCat);
  // A sparse terabyte: reading it all would take many minutes.
  std::string huge = p.path("huge.bin");
  {
    int fd = ::open(huge.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    REQUIRE(fd >= 0);
    REQUIRE(::ftruncate(fd, 1ll << 40) == 0);
    ::close(fd);
  }
  for (int sig : {SIGTERM, SIGINT}) {
    Stopped s = signal_while_hashing(p, {"run", "w.flow", "-p", "f=huge.bin"}, sig);
    INFO("signal " << sig << "\n" << s.err);
    REQUIRE(s.ended);  // without the fix it reads on (or forever, for /dev/zero)
    CHECK(WIFEXITED(s.status));
    CHECK(WEXITSTATUS(s.status) == 130);
    CHECK_THAT(s.err, !Catch::Contains("error: op `cat`"));  // interrupted, not failed
  }
  // The state folder is intact: the next run works.
  p.write("small.txt", "small\n");
  auto r = run_bounded(p, {"run", "w.flow", "-p", "f=small.txt"}, 60);
  INFO(r.err);
  CHECK(r.exit_code == 0);
  CHECK(p.read("flow-out/o/o") == "small\n");

  // A task's huge output, hashed when it ends: the task is cancelled, not failed.
  p.write("out.flow", R"(
op huge() -> (o: file) { run "truncate -s 1T ${o}" }
workflow main() -> (o: file) { h = huge()  return (o = h.o) })");
  Stopped out = signal_while_hashing(p, {"run", "out.flow"}, SIGTERM);
  INFO(out.err);
  REQUIRE(out.ended);
  CHECK(WEXITSTATUS(out.status) == 130);
  std::vector<std::string> states;
  for (const json& e : p.events()) {
    if (e.value("task", "") == "main.h" && e["event"] != "started") states.push_back(e["event"]);
  }
  CHECK(states == std::vector<std::string>{"cancelled"});
}

TEST_CASE("a failing task's huge stderr is read from its end only", "[run][memory]") {
  Project p;
  // 2 GiB of stderr (sparse, so the test is quick), then the reason.
  p.write("w.flow", R"(
op noisy() -> (o: file) {
    run """
        echo "an early line" >&2
        truncate -s 2G "$FLOWC_WORK_DIR/.stderr"
        echo "the real reason it failed" >> "$FLOWC_WORK_DIR/.stderr"
        exit 4
    """
}
workflow main() { n = noisy() })");
  auto r = run_bounded(p, {"run", "w.flow"}, 120);
  INFO(r.err);
  REQUIRE_FALSE(r.timed_out);
  CHECK(r.exit_code == 1);
  CHECK_THAT(r.err, Catch::Contains("exited with code 4") && Catch::Contains("the real reason it failed"));
  CHECK_THAT(r.err, !Catch::Contains("an early line"));
  // flowc itself stays small (it read the whole file before: over 2 GB).
  CHECK(r.max_rss_kb < 200 * 1024);
}

TEST_CASE("a full disk: the task fails clearly, its partial output is removed, clean works, a later run works",
          "[run][disk]") {
  flowc::test::ScratchTmpfs disk("flowc-full", 24);
  if (!disk.ok) {
    WARN("cannot mount a tmpfs here (" << disk.why << "; mounting needs root): the full-disk test did not run");
    return;
  }
  Project p;  // only for its helpers: the project lives on the small disk
  fs::path dir = disk.dir;
  auto flowc = [&](const std::vector<std::string>& args) { return flowc::test::run_flowc(args, dir.string()); };
  flowc::test::write_file((dir / "w.flow").string(), R"(
op big(mb: int) -> (o: file) { run "dd if=/dev/zero of=${o} bs=1M count=${mb}" }
op small(s: str) -> (o: file) { run "echo ${s} > ${o}" }
workflow main(mb: int = 0, s: str = "ok") -> (o: file) {
    if mb > 0 { b = big(mb = mb) }
    t = small(s = s)
    return (o = t.o)
})");
  auto r = flowc({"run", "w.flow", "-p", "mb=50"});
  INFO(r.err);
  CHECK(r.exit_code == 1);
  // (dd's own complaint may be lost: its stderr is on the full disk too.)
  CHECK_THAT(r.err, Catch::Contains("op `big` at main.b") && Catch::Contains("exited with code 1"));
  CHECK_THAT(r.err, Catch::Contains("no space left on device in `" + (dir / ".flow" / "work").string()) &&
                        Catch::Contains("free space on that file system") &&
                        Catch::Contains("flowc removed this failed task's partial outputs"));
  // The partial output does not hold the disk hostage.
  CHECK(free_space(dir) > (16u << 20));
  // The journal is intact: the failure is recorded.
  {
    auto store = flowc::runtime::Store::open((dir / ".flow" / "flow.db").string());
    auto runs = store->recent_runs(1);
    REQUIRE(runs.size() == 1);
    auto task = store->task(runs[0].id, "main.b");
    REQUIRE(task);
    CHECK(task->state == flowc::runtime::TaskState::Failed);
  }

  // The user fills the disk: a run fails clearly, clean still works.
  {
    std::ofstream filler(dir / "filler", std::ios::binary);
    std::string block(1 << 20, 'x');
    while (filler.write(block.data(), block.size())) {
    }
  }
  auto full = flowc({"run", "w.flow", "-p", "s=again"});
  INFO(full.err);
  CHECK(full.exit_code != 0);
  CHECK_THAT(full.err, Catch::Contains("no space left on device in `"));
  auto clean = flowc({"clean"});
  INFO(clean.err);
  CHECK(clean.exit_code == 0);
  CHECK_THAT(clean.err, Catch::Contains("removed"));

  // Space freed: the next run works and the journal took it.
  fs::remove(dir / "filler");
  auto later = flowc({"run", "w.flow", "-p", "s=later"});
  INFO(later.err);
  CHECK(later.exit_code == 0);
  CHECK(flowc::test::read_file((dir / "flow-out" / "o" / "o").string()) == "later\n");
}

TEST_CASE("a read-only state folder is reported as not writable, not as a lock held", "[run][lock]") {
  Project p;
  p.write("w.flow", kCat);
  p.write("a.txt", "a\n");
  REQUIRE(p.flowc({"run", "w.flow", "-p", "f=a.txt"}).exit_code == 0);  // .flow/lock names a process now gone
  fs::path state = p.dir / ".flow";
  if (::mount(state.c_str(), state.c_str(), nullptr, MS_BIND, nullptr) != 0) {
    WARN("cannot bind-mount here (" << std::strerror(errno) << "; needs root): the read-only test did not run");
    return;
  }
  bool ro = ::mount(nullptr, state.c_str(), nullptr, MS_REMOUNT | MS_BIND | MS_RDONLY, nullptr) == 0;
  auto r = p.flowc({"run", "w.flow", "-p", "f=a.txt"});
  auto c = p.flowc({"clean"});
  ::umount2(state.c_str(), MNT_DETACH);
  REQUIRE(ro);
  INFO(r.err);
  CHECK(r.exit_code == 2);
  CHECK_THAT(r.err,
             Catch::Contains("the state folder `" + state.string() + "` is not writable (Read-only file system)") &&
                 Catch::Contains("--state-dir"));
  CHECK_THAT(r.err, !Catch::Contains("is running a workflow"));
  CHECK(c.exit_code == 2);
  CHECK_THAT(c.err, Catch::Contains("is not writable"));
}

TEST_CASE("a held lock names its holder only if that process is alive and older than the lock", "[run][lock]") {
  Project p;
  p.write("w.flow", kCat);
  p.write("a.txt", "a\n");
  REQUIRE(p.flowc({"run", "w.flow", "-p", "f=a.txt"}).exit_code == 0);
  std::string lock = p.path(".flow/lock");
  // This test process holds the lock; the file names first a dead process,
  // then a live one that started after the file was written, then itself.
  int fd = ::open(lock.c_str(), O_RDWR | O_CLOEXEC);
  REQUIRE(fd >= 0);
  REQUIRE(::flock(fd, LOCK_EX | LOCK_NB) == 0);
  pid_t dead = ::fork();
  if (dead == 0) _exit(0);
  ::waitpid(dead, nullptr, 0);
  flowc::test::write_file(lock, std::to_string(dead) + "\n");
  auto r = p.flowc({"run", "w.flow", "-p", "f=a.txt"});
  CHECK(r.exit_code == 2);
  CHECK_THAT(r.err, Catch::Contains("another process (not " + std::to_string(dead)) &&
                        Catch::Contains("it has ended") && Catch::Contains("holds `" + lock + "`"));

  std::this_thread::sleep_for(std::chrono::milliseconds(1100));
  pid_t young = ::fork();
  if (young == 0) {
    ::pause();
    _exit(0);
  }
  std::this_thread::sleep_for(std::chrono::milliseconds(50));
  timespec old[2] = {{1, 0}, {1, 0}};
  flowc::test::write_file(lock, std::to_string(young) + "\n");
  REQUIRE(::utimensat(AT_FDCWD, lock.c_str(), old, 0) == 0);  // written long before it started
  auto reused = p.flowc({"run", "w.flow", "-p", "f=a.txt"});
  ::kill(young, SIGKILL);
  ::waitpid(young, nullptr, 0);
  CHECK_THAT(reused.err, Catch::Contains("another process (not " + std::to_string(young)));

  flowc::test::write_file(lock, std::to_string(::getpid()) + "\n");
  auto live = p.flowc({"run", "w.flow", "-p", "f=a.txt"});
  CHECK(live.exit_code == 2);
  CHECK_THAT(live.err,
             Catch::Contains("process " + std::to_string(::getpid()) + " is running a workflow in this folder"));
  ::close(fd);
  CHECK(p.flowc({"run", "w.flow", "-p", "f=a.txt"}).exit_code == 0);
}

TEST_CASE("a value output that is a FIFO or huge fails its task instead of hanging or filling memory",
          "[run][special][memory]") {
  Project p;
  for (const std::string& command : {std::string("mkfifo ${n}"), std::string("truncate -s 1G ${n}")}) {
    p.write("v.flow", "op count() -> (n: int) { run \"" + command + "\" }\nworkflow main() { c = count() }\n");
    auto r = run_bounded(p, {"run", "v.flow"}, 60);
    INFO(command << "\n" << r.err);
    REQUIRE_FALSE(r.timed_out);
    CHECK(r.exit_code == 1);
    CHECK_THAT(r.err, Catch::Contains("value output `n` (int)") && Catch::Contains("a value is read whole"));
    CHECK(r.max_rss_kb < 200 * 1024);
  }
}
