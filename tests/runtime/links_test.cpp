// Links, hard links and special files in a task's outputs: what the task
// made is checked entry by entry before anything is hashed, cached or
// published (runtime/run/output_check.h, runtime/files/tree.h). Each case
// is what an attacker's op (or a careless one) would write.
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "tests/runtime/hostile_test_support.h"

namespace fs = std::filesystem;
using flowc::test::Project;
using flowc::test::run_bounded;
using nlohmann::json;

namespace {

// The events of the last run that concern `task`.
std::vector<std::string> task_events(const Project& p, const std::string& task) {
  std::vector<std::string> out;
  for (const json& e : p.events()) {
    if (e.value("task", "") == task) out.push_back(e["event"]);
  }
  return out;
}

json run_finished(const Project& p) {
  for (const json& e : p.events()) {
    if (e["event"] == "run_finished") return e;
  }
  return json();
}

// A workflow of one op `make` whose command is `command`, with a str input
// `arg` (not a file input: what it names is not given to the task).
std::string one_op(const std::string& output_type, const std::string& command) {
  return "op make(arg: str) -> (out: " + output_type + ") {\n    run \"\"\"\n" + command +
         "\n    \"\"\"\n}\nworkflow main(arg: str = \"\") -> (out: " + output_type +
         ") {\n    m = make(arg = arg)\n    return (out = m.out)\n}\n";
}

// An output the op makes with `command`, and what the refusal must say.
struct Refused {
  std::string type, command, expect;
};

// Each case fails its task (never hangs), saying what it expects, and
// publishes nothing.
void check_refused(Project& p, const std::vector<Refused>& cases, const std::string& arg) {
  for (const Refused& c : cases) {
    p.write("w.flow", one_op(c.type, c.command));
    auto r = run_bounded(p, {"run", "w.flow", "-p", "arg=" + arg}, 60);
    INFO(c.command << "\n" << r.err);
    REQUIRE_FALSE(r.timed_out);
    CHECK(r.exit_code == 1);
    CHECK_THAT(r.err, Catch::Contains(c.expect));
    CHECK_FALSE(p.exists("flow-out/out"));
  }
}

}  // namespace

TEST_CASE("a dir output holding a link out of the work dir fails its task: not cached, not published", "[run][links]") {
  Project p;
  p.write("w.flow", one_op("dir", "mkdir ${out}\nln -s /etc ${out}/etc\necho fine > ${out}/ok"));
  auto r = run_bounded(p, {"run", "w.flow"}, 60);
  INFO(r.err);
  REQUIRE_FALSE(r.timed_out);
  CHECK(r.exit_code == 1);
  CHECK_THAT(r.err, Catch::Contains("output `out` holds a link that leads outside the task's work dir") &&
                        Catch::Contains("is a link to `/etc`") && Catch::Contains("cp -L") &&
                        Catch::Contains("main.m (w.flow:"));
  // Nothing of /etc was published, and the events agree with the status.
  CHECK_FALSE(p.exists("flow-out/out"));
  CHECK(task_events(p, "main.m") == std::vector<std::string>{"started", "failed"});
  json end = run_finished(p);
  CHECK(end["status"] == "failed");
  CHECK(end["failed"] == 1);
  // Not cached: a rerun runs it again (and fails again).
  auto again = run_bounded(p, {"run", "w.flow"}, 60);
  CHECK(again.exit_code == 1);
  CHECK(task_events(p, "main.m") == std::vector<std::string>{"started", "failed"});
}

TEST_CASE("a link to / in an output is refused without walking the file system", "[run][links]") {
  Project p;
  p.write("w.flow", one_op("dir", "mkdir ${out}\nln -s / ${out}/root"));
  auto r = run_bounded(p, {"run", "w.flow"}, 60);
  INFO(r.err);
  REQUIRE_FALSE(r.timed_out);  // hashing / would take minutes
  CHECK(r.exit_code == 1);
  CHECK_THAT(r.err, Catch::Contains("is a link to `/`"));
  // A link to a folder that holds it, inside the work dir: a loop, refused.
  p.write("up.flow", one_op("dir", "mkdir -p ${out}/sub\nln -s ../.. ${out}/sub/up"));
  auto up = run_bounded(p, {"run", "up.flow"}, 60);
  INFO(up.err);
  REQUIRE_FALSE(up.timed_out);
  CHECK(up.exit_code == 1);
  CHECK_THAT(up.err, Catch::Contains("a folder that holds it"));
}

TEST_CASE("links out, relative or absolute or dangling, in a file or a dir output, are refused", "[run][links]") {
  Project p;
  std::string secret = p.write("secret.txt", "not the task's\n");
  check_refused(
      p,
      {
          {"dir", "mkdir ${out}\nln -s ../../../../../../../../../../etc/hostname ${out}/h",
           "is a link to `/etc/hostname`"},
          {"dir", "mkdir ${out}\nln -s ${arg} ${out}/s", "is a link to `" + secret + "`"},
          {"dir", "mkdir -p ${out}/a/b\nln -s /nonexistent/flowc-nothing ${out}/a/b/d", "which does not exist"},
          {"file", "ln -s ${arg} ${out}", "leads outside the task's work dir (to `" + secret + "`)"},
          {"dir", "ln -s /etc ${out}", "leads outside the task's work dir (to `/etc`)"},
      },
      secret);
}

TEST_CASE("links that stay inside a dir output are kept as links, and published as links", "[run][links]") {
  Project p;
  p.write("w.flow", one_op("dir", R"(mkdir -p ${out}/a
echo data > ${out}/a/f
ln -s a/f ${out}/rel
ln -s "$PWD/${out}/a" ${out}/abs
ln -s . ${out}/loop
ln -s a/not-yet ${out}/later)"));
  auto r = run_bounded(p, {"run", "w.flow"}, 60);
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  fs::path out = p.dir / "flow-out" / "out" / "out";
  CHECK(fs::read_symlink(out / "rel") == "a/f");
  CHECK(fs::read_symlink(out / "abs") == "a");
  CHECK(fs::read_symlink(out / "loop") == ".");
  CHECK(fs::read_symlink(out / "later") == "a/not-yet");
  CHECK(flowc::test::read_file((out / "rel").string()) == "data\n");
  CHECK(fs::is_regular_file(fs::symlink_status(out / "a" / "f")));
  // Cached, and the cache holds: a second run reuses it.
  auto again = run_bounded(p, {"run", "w.flow"}, 60);
  CHECK(again.exit_code == 0);
  CHECK_THAT(again.err, Catch::Contains("(0 ran, 1 cached)"));
}

TEST_CASE("an output may link to the task's inputs: publishing copies the user's files and links flowc's own",
          "[run][links]") {
  Project p;
  std::string data = p.write("data.txt", "the user's data\n");
  p.write("in/x.txt", "x\n");
  p.write("w.flow", R"(
op make() -> (o: file) { run "echo made > ${o}" }
op collect(f: file, d: dir, made: file) -> (out: dir) {
    run """
        mkdir ${out}
        ln -s "$PWD/${f}" ${out}/f
        ln -s "$PWD/${d}" ${out}/d
        ln -s "$PWD/${made}" ${out}/made
    """
}
workflow main(f: file, d: dir) -> (out: dir) {
    m = make()
    c = collect(f = f, d = d, made = m.o)
    return (out = c.out)
})");
  auto r = run_bounded(p, {"run", "w.flow", "-p", "f=data.txt", "-p", "d=in"}, 60);
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  fs::path out = p.dir / "flow-out" / "out" / "out";
  CHECK(flowc::test::read_file((out / "f").string()) == "the user's data\n");
  CHECK(flowc::test::read_file((out / "d" / "x.txt").string()) == "x\n");
  CHECK(flowc::test::read_file((out / "made").string()) == "made\n");
  // The user's file is copied (editing the published one must not edit
  // theirs); a file of flowc's work dirs is hard-linked.
  struct stat published {
  }, original{};
  REQUIRE(::stat((out / "f").c_str(), &published) == 0);
  REQUIRE(::stat(data.c_str(), &original) == 0);
  CHECK(published.st_ino != original.st_ino);
  CHECK(fs::is_regular_file(fs::symlink_status(out / "f")));
  struct stat made {};
  REQUIRE(::stat((out / "made").c_str(), &made) == 0);
  CHECK(made.st_nlink >= 2);
}

TEST_CASE("a hard link to a file outside the work dir is refused, to the task's own input it is not", "[run][links]") {
  Project p;
  std::string secret = p.write("secret.txt", "host secret\n");
  p.write("dir.flow", one_op("dir", "mkdir ${out}\nln ${arg} ${out}/s"));
  auto r = run_bounded(p, {"run", "dir.flow", "-p", "arg=" + secret}, 60);
  INFO(r.err);
  CHECK(r.exit_code == 1);
  CHECK_THAT(r.err, Catch::Contains("a hard link to a file outside the task's work dir (it has 2 names, 1 of them in "
                                    "the work dir)") &&
                        Catch::Contains("instead of linking it"));
  CHECK_FALSE(p.exists("flow-out/out"));
  p.write("file.flow", one_op("file", "ln ${arg} ${out}"));
  auto single = run_bounded(p, {"run", "file.flow", "-p", "arg=" + secret}, 60);
  CHECK(single.exit_code == 1);
  CHECK_THAT(single.err, Catch::Contains("a hard link to a file outside the task's work dir"));
  // Two names inside the work dir are fine, and so is an input passed on.
  p.write("ok.flow", R"(
op twice(f: file) -> (out: dir) {
    run """
        mkdir ${out}
        echo a > ${out}/a
        ln ${out}/a ${out}/b
        ln ${f} ${out}/input
    """
}
workflow main(f: file) -> (out: dir) { t = twice(f = f)  return (out = t.out) })");
  auto ok = run_bounded(p, {"run", "ok.flow", "-p", "f=" + secret}, 60);
  INFO(ok.err);
  CHECK(ok.exit_code == 0);
  CHECK(p.read("secret.txt") == "host secret\n");
}

TEST_CASE("a FIFO, a socket or a device in an output is refused instead of read", "[run][links][special]") {
  Project p;
  // A socket made here, moved into the output by the task.
  std::string sock = p.path("sock");
  REQUIRE(flowc::test::make_socket(sock));
  std::vector<Refused> cases = {
      {"file", "mkfifo ${out}", "is a FIFO (named pipe)"},  // reading it would block forever
      {"dir", "mkdir ${out}\nmkfifo ${out}/pipe", "holds a special file: `"},
      {"dir", "mkdir ${out}\nmv ${arg} ${out}/sock", "is a socket"},
      {"dir", "mkdir ${out}\nln -s /dev/zero ${out}/zero", "is a link to `/dev/zero`"},
  };
  if (::geteuid() == 0) cases.push_back({"dir", "mkdir ${out}\nmknod ${out}/null c 1 3", "is a character device"});
  check_refused(p, cases, sock);
}

TEST_CASE("publishing re-checks what it publishes: a link out slipped into a cached output is not followed",
          "[run][links]") {
  // As an entry cached by a flowc before these checks would be.
  Project p;
  p.write("w.flow", one_op("dir", "mkdir ${out}\necho one > ${out}/f"));
  REQUIRE(run_bounded(p, {"run", "w.flow"}, 60).exit_code == 0);
  std::string work_out;
  for (const json& e : p.events()) {
    if (e["event"] == "finished") work_out = e["work_dir"].get<std::string>() + "/out";
  }
  REQUIRE(!work_out.empty());
  // A link out to an empty folder, both with an old mtime: the output's
  // stamp (size, newest mtime) is unchanged, so the entry is reused.
  struct stat dir {};
  REQUIRE(::stat(work_out.c_str(), &dir) == 0);
  fs::create_directories(p.dir / "elsewhere");
  fs::create_symlink(p.dir / "elsewhere", work_out + "/ext");
  timespec old[2] = {{0, 0}, {0, 0}};
  REQUIRE(::utimensat(AT_FDCWD, (work_out + "/ext").c_str(), old, AT_SYMLINK_NOFOLLOW) == 0);
  REQUIRE(::utimensat(AT_FDCWD, p.path("elsewhere").c_str(), old, 0) == 0);
  timespec same[2] = {dir.st_atim, dir.st_mtim};
  REQUIRE(::utimensat(AT_FDCWD, work_out.c_str(), same, 0) == 0);
  auto r = run_bounded(p, {"run", "w.flow"}, 60);
  INFO(r.err);
  CHECK(r.exit_code == 1);
  CHECK_THAT(r.err, Catch::Contains("(0 ran, 1 cached)"));
  CHECK_THAT(r.err, Catch::Contains("cannot publish output `out`") &&
                        Catch::Contains("is a link to `" + p.path("elsewhere") + "`"));
  // The earlier publication is intact, and the run says why it failed.
  CHECK(p.read("flow-out/out/out/f") == "one\n");
  CHECK_FALSE(fs::exists(fs::symlink_status(p.dir / "flow-out" / "out" / "out" / "ext")));
  json end = run_finished(p);
  CHECK(end["status"] == "failed");
  CHECK_THAT(end.value("error", ""), Catch::Contains("cannot publish"));
}
