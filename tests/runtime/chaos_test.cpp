// Chaos: a daemon flowc relies on dies in the middle of a run. Each run must
// end in a clear error or a correct finish, and leave a state the next run
// resumes from. (The kill -9 test is in run_test.cpp; slurmctld restarted
// mid-run in slurm_chaos_test.cpp.)
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <thread>

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "tests/runtime/hostile_test_support.h"

namespace fs = std::filesystem;
using flowc::test::Project;
using nlohmann::json;

namespace {

// A port nobody listens on now (the kernel's choice for port 0).
int free_port() {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
  socklen_t len = sizeof addr;
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  ::close(fd);
  return ntohs(addr.sin_port);
}

bool redis_answers(int port) {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(port));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  bool ok = false;
  if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0) {
    const char ping[] = "PING\r\n";
    char reply[16] = {};
    ok = ::write(fd, ping, sizeof ping - 1) == static_cast<ssize_t>(sizeof ping - 1) &&
         ::read(fd, reply, sizeof reply - 1) > 0 && std::string(reply).rfind("+PONG", 0) == 0;
  }
  ::close(fd);
  return ok;
}

// A redis-server of this test's own on `port`, stopped by its pid.
class Redis {
 public:
  explicit Redis(int port) : port_(port) {
    pid_ = ::fork();
    if (pid_ == 0) {
      ::setpgid(0, 0);
      int null = ::open("/dev/null", O_RDWR);
      ::dup2(null, 0);
      ::dup2(null, 1);
      ::dup2(null, 2);
      std::string p = std::to_string(port);
      ::execlp("redis-server", "redis-server", "--port", p.c_str(), "--bind", "127.0.0.1", "--save", "", "--appendonly",
               "no", static_cast<char*>(nullptr));
      ::_exit(127);
    }
    for (int i = 0; i < 200 && !redis_answers(port_); ++i) std::this_thread::sleep_for(std::chrono::milliseconds(25));
  }
  ~Redis() { kill(); }
  Redis(const Redis&) = delete;
  Redis& operator=(const Redis&) = delete;
  bool up() const { return redis_answers(port_); }
  void kill() {
    if (pid_ <= 0) return;
    ::kill(pid_, SIGKILL);
    ::waitpid(pid_, nullptr, 0);
    pid_ = -1;
  }

 private:
  int port_;
  pid_t pid_ = -1;
};

// Two stream gangs one after the other: a slow producer and its collector,
// then a second stream made from the first one's file. The producer ends
// only once the test opens its gate (a file), so the registry dies while the
// first gang runs and before the second starts, however loaded the machine.
const char* kTwoGangs = R"(
op emit(n: int, gate: str) -> (out: stream[str]) {
    run "i=0; while [ $i -lt ${n} ]; do i=$((i + 1)); echo $i; sleep 0.01; done; while [ ! -e ${gate} ]; do sleep 0.02; done"
}
op collect(lines: stream[str]) -> (all: file) { run "cat > ${all}" }
op replay(f: file) -> (out: stream[str]) { run "cat ${f}" }
op count(lines: stream[str]) -> (n: int) { run "wc -l | tr -d ' ' > ${n}" }
workflow main(gate: str, lines: int = 300) -> (all: file, n: int) {
    a = emit(n = lines, gate = gate)
    c = collect(lines = a.out)
    r = replay(f = c.all)
    k = count(lines = r.out)
    return (all = c.all, n = k.n)
}
)";

}  // namespace

TEST_CASE("the Redis registry dying mid-stream: the stream ends well, the next stream fails clearly, a rerun resumes",
          "[streams][chaos]") {
  Project p("flowc-chaos-redis");
  p.write("s.flow", kTwoGangs);
  int port = free_port();
  std::string url = "redis://127.0.0.1:" + std::to_string(port);
  auto redis = std::make_unique<Redis>(port);
  REQUIRE(redis->up());

  std::string out = p.path("out.txt"), err = p.path("err.txt");
  std::string gate = p.path("gate");
  pid_t pid = flowc::test::start_flowc({"run", "s.flow", "--registry", url, "-p", "gate=" + gate}, p.dir.string(), {},
                                       out, err);
  // Once lines flow from the producer to the collector, kill the registry.
  std::string collected;
  bool flowing = flowc::test::eventually(
      [&] {
        for (const json& e : p.events()) {
          if (e["event"] == "started" && e["task"] == "main.c") collected = e["work_dir"].get<std::string>() + "/all";
        }
        std::error_code ec;
        return !collected.empty() && fs::file_size(collected, ec) > 0 && !ec;
      },
      60);
  redis->kill();
  std::ofstream(gate).put('\n');
  int code = flowc::test::wait_exit(pid);
  std::string messages = flowc::test::read_file(err);
  INFO(messages);
  REQUIRE(flowing);
  // The stream that was running ends well: its endpoints were known.
  std::string expected;
  for (int i = 1; i <= 300; ++i) expected += std::to_string(i) + "\n";
  CHECK(flowc::test::read_file(collected) == expected);
  // The stream that starts after fails, saying why.
  CHECK(code == 1);
  CHECK_THAT(messages, Catch::Contains("cannot reach the Redis registry at " + url));
  CHECK_THAT(messages, Catch::Contains("main.r") || Catch::Contains("main.k"));

  // Redis back: the rerun reuses the first gang whole and runs the second.
  redis = std::make_unique<Redis>(port);
  REQUIRE(redis->up());
  auto again = p.flowc({"run", "s.flow", "--registry", url, "-p", "gate=" + gate});
  INFO(again.err);
  REQUIRE(again.exit_code == 0);
  CHECK_THAT(again.err, Catch::Contains("(2 ran, 2 cached)"));
  CHECK(p.read("flow-out/all/all") == expected);
  CHECK(json::parse(p.read("flow-out/outputs.json"))["n"] == 300);
}
