// Hostile input to the flowc command (issue 15): what a careful outsider
// tried, each ending in a clear error and a documented exit code, never a
// crash or a hang. Every case runs the real binary under a deadline, so a
// hang fails the test instead of stalling the suite.
#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <thread>

#include <catch2/catch.hpp>

#include "tests/support/scratch.h"
#include "tests/support/test_support.h"

namespace fs = std::filesystem;
using flowc::test::CommandResult;
using flowc::test::Scratch;

namespace {

// flowc with `args` in `cwd`, stdin from `stdin_fd` (default /dev/null),
// killed after `seconds`: then exit_code is -1.
CommandResult run_within(const std::vector<std::string>& args, const std::string& cwd, int seconds = 20,
                         int stdin_fd = -1) {
  char out_name[] = "/tmp/flowc-hostile-out-XXXXXX";
  char err_name[] = "/tmp/flowc-hostile-err-XXXXXX";
  ::close(::mkstemp(out_name));
  ::close(::mkstemp(err_name));
  pid_t pid = ::fork();
  if (pid == 0) {
    if (::chdir(cwd.c_str()) != 0) ::_exit(127);
    int in = stdin_fd >= 0 ? stdin_fd : ::open("/dev/null", O_RDONLY);
    ::dup2(in, 0);
    ::dup2(::open(out_name, O_WRONLY | O_TRUNC), 1);
    ::dup2(::open(err_name, O_WRONLY | O_TRUNC), 2);
    std::vector<std::string> copies = args;
    std::string binary = FLOWC_BINARY;
    std::vector<char*> argv = {binary.data()};
    for (std::string& a : copies) argv.push_back(a.data());
    argv.push_back(nullptr);
    ::execv(binary.c_str(), argv.data());
    ::_exit(127);
  }
  CommandResult r;
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(seconds);
  int status = 0;
  while (::waitpid(pid, &status, WNOHANG) == 0) {
    if (std::chrono::steady_clock::now() > deadline) {
      ::kill(pid, SIGKILL);
      ::waitpid(pid, &status, 0);
      status = -1;
      break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  r.exit_code = status == -1 ? -1 : WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  r.out = flowc::test::read_file(out_name);
  r.err = flowc::test::read_file(err_name);
  ::unlink(out_name);
  ::unlink(err_name);
  return r;
}

bool contains(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

const char* kEcho = R"FLOW(
op echo(s: str) -> (out: file) {
    run "printf '%s' ${s} > ${out}; touch ran.txt"
}
workflow main(s: str = "x", xs: list[list[int]] = [], n: int = 0) -> (out: file) {
    e = echo(s = s)
    return (out = e.out)
}
)FLOW";

}  // namespace

// ---- item 2: deeply nested JSON ------------------------------------------------------------------

TEST_CASE("a --params file nested 100,000 levels deep is a clear error, exit 2", "[cli][hostile]") {
  Scratch s;
  s.write("w.flow", kEcho);
  s.write("deep.json", "{\"xs\": " + std::string(100000, '[') + std::string(100000, ']') + "}");
  auto r = run_within({"run", "w.flow", "--params", "deep.json"}, s.dir.string());
  INFO(r.err);
  CHECK(r.exit_code == 2);
  CHECK(contains(r.err, "`deep.json` is not valid JSON: line 1, column 2007: nested more than 2000 levels deep"));
  CHECK_FALSE(fs::exists(s.dir / "ran.txt"));
}

TEST_CASE("a -p value nested 100,000 levels deep is a clear error, exit 2", "[cli][hostile]") {
  Scratch s;
  s.write("w.flow", kEcho);
  auto r = run_within({"run", "w.flow", "-p", "xs=" + std::string(100000, '[')}, s.dir.string());
  INFO(r.err);
  CHECK(r.exit_code == 2);
  CHECK(contains(r.err, "input `xs` should be list[list[int]]"));
  CHECK(contains(r.err, "nested more than 2000 levels deep"));
}

// ---- item 3: invalid UTF-8, and nothing escapes ------------------------------------------------

TEST_CASE("a -p value with bytes that are not UTF-8 is a clear error naming the input, exit 2", "[cli][hostile]") {
  Scratch s;
  s.write("w.flow", kEcho);
  auto r = run_within({"run", "w.flow", "-p", "s=ab\xff\xfe"}, s.dir.string());
  INFO(r.err);
  CHECK(r.exit_code == 2);
  CHECK(contains(r.err, "input `s` should be str: not UTF-8 text (byte 0xFF at byte 3)"));
  CHECK_FALSE(contains(r.err, "internal error"));
}

TEST_CASE("a --params file that is not UTF-8 says where", "[cli][hostile]") {
  Scratch s;
  s.write("w.flow", kEcho);
  s.write("p.json", "{\n  \"s\": \"caf\xc3\x28\"\n}\n");
  auto r = run_within({"run", "w.flow", "--params", "p.json"}, s.dir.string());
  INFO(r.err);
  CHECK(r.exit_code == 2);
  CHECK(contains(r.err, "`p.json` is not valid JSON: line 2, column 12: invalid UTF-8 (byte 0xC3)"));
  s.write("q.json", "[1, 2]");
  r = run_within({"run", "w.flow", "--params", "q.json"}, s.dir.string());
  CHECK(contains(r.err, "`q.json` must hold a JSON object of input names and values, found [1,2]"));
  s.write("t.json", "{\"s\": \"x\",\n \"n\": }");
  r = run_within({"run", "w.flow", "--params", "t.json"}, s.dir.string());
  CHECK(contains(r.err, "`t.json` is not valid JSON: line 2, column 7: syntax error while parsing value"));
}

// ---- item 4 (compiler half): special and huge source files --------------------------------------

TEST_CASE("an import of /dev/zero, /dev/stdin or a FIFO is refused at once", "[cli][hostile]") {
  Scratch s;
  ::mkfifo(s.path("pipe.flow").c_str(), 0600);
  for (const std::string& target : std::vector<std::string>{"/dev/zero", "/dev/stdin", s.path("pipe.flow")}) {
    s.write("main.flow", "import \"" + target + "\"\n");
    // stdin a pipe that nobody writes to and nobody closes: reading it would block.
    int fds[2];
    REQUIRE(::pipe(fds) == 0);
    auto r = run_within({"check", "main.flow"}, s.dir.string(), 20, fds[0]);
    ::close(fds[0]);
    ::close(fds[1]);
    INFO(target << "\n" << r.err);
    CHECK(r.exit_code == 1);
    CHECK(contains(r.err, "error[E0113]: cannot import `" + target + "`: it is a"));
    CHECK(contains(r.err, "not a regular file"));
  }
}

TEST_CASE("a main file that is a device or a FIFO is refused, exit 2", "[cli][hostile]") {
  Scratch s;
  ::mkfifo(s.path("pipe.flow").c_str(), 0600);
  auto zero = run_within({"check", "/dev/zero"}, s.dir.string());
  CHECK(zero.exit_code == 2);
  CHECK(contains(zero.err, "cannot read `/dev/zero`: it is a character device, not a regular file"));
  auto fifo = run_within({"check", "pipe.flow"}, s.dir.string());
  CHECK(fifo.exit_code == 2);
  CHECK(contains(fifo.err, "cannot read `pipe.flow`: it is a FIFO (named pipe), not a regular file"));
  auto ir = run_within({"run", "/dev/zero.json"}, s.dir.string());
  CHECK(ir.exit_code == 2);
  ::symlink("/dev/zero", s.path("zero.json").c_str());
  auto ir_link = run_within({"run", "zero.json"}, s.dir.string());
  CHECK(ir_link.exit_code == 2);
  CHECK(contains(ir_link.err, "cannot read `zero.json`: it is a character device, not a regular file"));
}

TEST_CASE("a source file over 16 MiB is refused, as main file and as import", "[cli][hostile]") {
  Scratch s;
  {
    std::string big = s.path("big.flow");
    int fd = ::open(big.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    REQUIRE(fd >= 0);
    REQUIRE(::ftruncate(fd, (off_t{17} << 20)) == 0);  // sparse: no disk used
    ::close(fd);
  }
  auto main = run_within({"check", "big.flow"}, s.dir.string());
  CHECK(main.exit_code == 2);
  CHECK(contains(main.err, "cannot read `big.flow`: it is 17.0 MiB; a source file may be at most 16.0 MiB"));
  s.write("main.flow", "import \"big.flow\"\n");
  auto import = run_within({"check", "main.flow"}, s.dir.string());
  CHECK(import.exit_code == 1);
  CHECK(contains(import.err, "error[E0114]: cannot import `"));
  CHECK(contains(import.err, "it is 17.0 MiB; a source file may be at most 16.0 MiB"));
}

// ---- item 8: late errors made early ----------------------------------------------------------------

TEST_CASE("an --outdir naming a file is an error before anything runs", "[cli][hostile]") {
  Scratch s;
  s.write("w.flow", kEcho);
  s.write("taken", "a file the user keeps\n");
  auto r = run_within({"run", "w.flow", "--outdir", "taken"}, s.dir.string());
  INFO(r.err);
  CHECK(r.exit_code == 2);
  CHECK(contains(r.err, "--outdir `taken` is a file, not a folder"));
  CHECK(contains(r.err, "nothing was run"));
  CHECK_FALSE(fs::exists(s.dir / "ran.txt"));
  CHECK_FALSE(fs::exists(s.dir / ".flow"));
  CHECK(flowc::test::read_file(s.path("taken")) == "a file the user keeps\n");
  auto below = run_within({"run", "w.flow", "--outdir", "taken/sub/dir"}, s.dir.string());
  CHECK(below.exit_code == 2);
  CHECK(contains(below.err, "is a file, so no folder can be made in it"));
  // A folder that does not exist yet is fine.
  auto fine = run_within({"run", "w.flow", "--outdir", "new/out"}, s.dir.string());
  INFO(fine.err);
  CHECK(fine.exit_code == 0);
  CHECK(fs::exists(s.dir / "new" / "out" / "outputs.json"));
}

TEST_CASE("an input given twice with -p is refused", "[cli][hostile]") {
  Scratch s;
  s.write("w.flow", kEcho);
  auto r = run_within({"run", "w.flow", "-p", "n=1", "-p", "n=2"}, s.dir.string());
  INFO(r.err);
  CHECK(r.exit_code == 2);
  CHECK(contains(r.err, "input `n` is given twice: `-p n=1` and `-p n=2`; give it once"));
  CHECK_FALSE(fs::exists(s.dir / "ran.txt"));
  // -p over a --params file is an override, as documented.
  s.write("p.json", "{\"n\": 1}");
  auto over = run_within({"run", "w.flow", "--params", "p.json", "-p", "n=2", "--dry-run"}, s.dir.string());
  INFO(over.err);
  CHECK(over.exit_code == 0);
}

// ---- item 9: the IR loader names the JSON path of every field ---------------------------------------

TEST_CASE("an IR file with a wrong field says where, not nlohmann's text", "[cli][hostile]") {
  Scratch s;
  s.write("w.flow", kEcho);
  REQUIRE(run_within({"build", "w.flow", "-o", "w.ir.json"}, s.dir.string()).exit_code == 0);
  auto ir = nlohmann::ordered_json::parse(flowc::test::read_file(s.path("w.ir.json")));
  ir["ops"][0]["cache"] = "yes";
  s.write("bad.json", ir.dump());
  auto r = run_within({"run", "bad.json"}, s.dir.string());
  INFO(r.err);
  CHECK(r.exit_code == 2);
  CHECK(contains(r.err, "`bad.json`: at /ops/0/cache: expected true or false"));
  CHECK_FALSE(contains(r.err, "json.exception"));
}
