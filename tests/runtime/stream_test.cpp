// Streams end to end: the real flowc binary, real ZeroMQ sockets (ipc and
// tcp on 127.0.0.1), real commands, in a scratch folder per test.
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <numeric>
#include <sstream>

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "tests/support/lines.h"
#include "tests/support/project.h"
#include "tests/support/test_support.h"

namespace fs = std::filesystem;
using flowc::test::CommandResult;
using flowc::test::lines_of_text;
using nlohmann::json;

namespace {

// The shared scratch project, with the stream events picked out.
struct Project : flowc::test::Project {
  Project() : flowc::test::Project("flowc-stream") {}
  using flowc::test::Project::events;
  std::vector<json> events(const std::string& kind) const {
    std::vector<json> out;
    for (json& e : events()) {
      if (e["event"] == kind) out.push_back(std::move(e));
    }
    return out;
  }
  // The counts a task's stream port carried, from the `stream` events.
  json stream(const std::string& task, const std::string& direction) const {
    for (json& e : events("stream")) {
      if (e["task"] == task && e["direction"] == direction) return e;
    }
    return json();
  }
};

// The standard output of a shell command.
std::string sh(const std::string& command) {
  std::string out;
  if (FILE* f = ::popen(command.c_str(), "r")) {
    char buf[4096];
    for (size_t n; (n = std::fread(buf, 1, sizeof buf, f)) > 0;) out.append(buf, n);
    ::pclose(f);
  }
  return out;
}

std::vector<std::string> numbered(int from, int to, const std::string& prefix = "") {
  std::vector<std::string> out;
  for (int i = from; i <= to; ++i) out.push_back(prefix + std::to_string(i));
  return out;
}

// A flow of one producer `e` (op `emit`, called with `args`) feeding one
// consumer `c` (op `collect`, reading `input`, its output `all`): `ops`
// defines the two.
std::string lone_pair(const std::string& ops, const std::string& args = "", const std::string& input = "lines") {
  return ops + "\nworkflow main() -> (all: file) {\n    e = emit(" + args + ")\n    c = collect(" + input +
         " = e.out)\n    return (all = c.all)\n}\n";
}

const char* kPipeline = R"(
op emit(n: int) -> (out: stream[str]) { run "seq ${n}" }
op tag(lines: stream[str]) -> (out: stream[str]) { run "sed 's/^/r/'" }
op collect(lines: stream[str]) -> (all: file) { run "sort -t r -k 2 -n > ${all}" }
op count(f: file) -> (n: int) { run "wc -l < ${f} | tr -d ' ' > ${n}" }
workflow main(n: int = 1000, r: int = 3) -> (all: file, lines: int) {
    p = emit(n = n)
    t = tag(lines = p.out) with { replicas = r }
    a = collect(lines = t.out)
    k = count(f = a.all)
    return (all = a.all, lines = k.n)
}
)";

}  // namespace

TEST_CASE("a bridged str stream: producer to consumer, every line once", "[streams]") {
  for (std::string transport : {"ipc", "tcp"}) {
    DYNAMIC_SECTION(transport) {
      Project p;
      p.write("s.flow", R"(
op emit(n: int) -> (out: stream[str]) { run "seq ${n}" }
op collect(lines: stream[str]) -> (all: file) { run "cat > ${all}" }
workflow main(n: int = 2000) -> (all: file) {
    e = emit(n = n)
    c = collect(lines = e.out)
    return (all = c.all)
})");
      auto r = p.flowc({"run", "s.flow", "--stream-transport", transport});
      INFO(r.err);
      REQUIRE(r.exit_code == 0);
      CHECK(lines_of_text(p.read("flow-out/all/all")) == numbered(1, 2000));
      json out = p.stream("main.e", "out"), in = p.stream("main.c", "in");
      CHECK(out["messages"] == 2000);
      CHECK(in["messages"] == 2000);
      CHECK(in["producers"] == 1);
      // The two started together: the consumer did not wait for the producer to finish.
      auto started = p.events("started");
      CHECK(started.size() == 2);
    }
  }
}

// A live stream: a consumer sees each line as it comes, not once the
// producer ends. The producer waits (up to 20 s) for the consumer to say it
// has seen the first three lines; a bridge that held them back until the
// stream ended would make it give up.
TEST_CASE("a bridged consumer sees lines while the producer still runs", "[streams]") {
  Project p;
  std::string gate = (p.dir / "gate").string();
  p.write("s.flow", R"(
op emit(gate: str) -> (out: stream[str]) {
    run """
        echo a; echo b; echo c
        i=0
        while [ ! -e ${gate} ]; do
            i=$((i + 1))
            if [ $i -gt 400 ]; then echo "the consumer never saw the first lines" >&2; exit 1; fi
            sleep 0.05
        done
        echo d
    """
}
op collect(gate: str, lines: stream[str]) -> (all: file) {
    run """
        for i in 1 2 3; do read -r line; echo "$line"; done > ${all}
        touch ${gate}
        cat >> ${all}
    """
}
workflow main(gate: str) -> (all: file) {
    e = emit(gate = gate)
    c = collect(gate = gate, lines = e.out)
    return (all = c.all)
})");
  auto r = p.flowc({"run", "s.flow", "-p", "gate=" + gate});
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  CHECK(lines_of_text(p.read("flow-out/all/all")) == std::vector<std::string>{"a", "b", "c", "d"});
}

TEST_CASE("replicas get the stream round-robin and fan in to one consumer", "[streams]") {
  Project p;
  p.write("s.flow", kPipeline);
  auto r = p.flowc({"run", "s.flow", "-p", "n=3000", "-p", "r=3"});
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  CHECK(lines_of_text(p.read("flow-out/all/all")) == numbered(1, 3000, "r"));
  uint64_t total = 0;
  for (int k = 0; k < 3; ++k) {
    json in = p.stream("main.t#" + std::to_string(k), "in");
    INFO("replica " << k);
    CHECK(in["messages"].get<uint64_t>() > 0);  // each got a share
    total += in["messages"].get<uint64_t>();
  }
  CHECK(total == 3000);  // and no message went to two
  CHECK(p.stream("main.a", "in")["messages"] == 3000);
  CHECK(p.stream("main.a", "in")["producers"] == 3);
  // The batch task after the gang ran when it had finished.
  CHECK(p.read("flow-out/outputs.json").find("\"lines\": 3000") != std::string::npos);
}

TEST_CASE("fan-in from a for of producers, a for over a consumer distributes", "[streams]") {
  Project p;
  p.write("s.flow", R"(
op emit(from: int, to: int) -> (out: stream[str]) { run "seq ${from} ${to}" }
op tag(lines: stream[str]) -> (out: stream[str]) { run "cat" }
op collect(lines: stream[str]) -> (all: file) { run "sort -n > ${all}" }
workflow main() -> (all: file) {
    for i in [0, 1, 2, 3] { e = emit(from = i * 100 + 1, to = i * 100 + 100) }
    for j in [1, 2] { t = tag(lines = e.out) }
    c = collect(lines = t.out)
    return (all = c.all)
})");
  auto r = p.flowc({"run", "s.flow"});
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  CHECK(lines_of_text(p.read("flow-out/all/all")) == numbered(1, 400));
  CHECK(p.stream("main.t[0]", "in")["producers"] == 4);
  CHECK(p.stream("main.t[0]", "in")["messages"].get<int>() + p.stream("main.t[1]", "in")["messages"].get<int>() == 400);
}

TEST_CASE("a slow consumer slows the producer down, nothing is lost", "[streams]") {
  Project p;
  p.write("s.flow", R"(
op emit(n: int, dir: str) -> (out: stream[str]) {
    run "printf '%01000d\n' $(seq ${n}); date +%s.%N > ${dir}/emitted_at"
}
op slow(lines: stream[str], dir: str) -> (n: int) {
    run "sleep 1.5; date +%s.%N > ${dir}/reading_at; wc -l | tr -d ' ' > ${n}"
}
workflow main(dir: str, lines: int = 20000) -> (n: int) {
    e = emit(n = lines, dir = dir)
    s = slow(lines = e.out, dir = dir)
    return (n = s.n)
})");
  auto r = p.flowc({"run", "s.flow", "-p", "dir=" + p.dir.string()}, {"FLOWC_STREAM_HWM=10"});
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  CHECK(p.read("flow-out/outputs.json").find("\"n\": 20000") != std::string::npos);
  CHECK(p.stream("main.e", "out")["messages"] == 20000);
  CHECK(p.stream("main.s", "in")["messages"] == 20000);
  // The producer could not finish before the consumer began to read: the
  // high-water marks, the pipes (up to 1 MiB each) and the socket buffers
  // hold far less than the 20 MB it writes.
  double emitted = std::stod(p.read("emitted_at"));
  double reading = std::stod(p.read("reading_at"));
  CHECK(emitted > reading);
}

TEST_CASE("bytes are length-prefixed frames, records are JSON lines", "[streams]") {
  Project p;
  p.write("s.flow", R"(
type Hit = { id: int, name: str }
op frames() -> (out: stream[bytes]) { run "printf '\\000\\000\\000\\005hello\\000\\000\\000\\000\\000\\000\\000\\003a\\nb'" }
op keep(data: stream[bytes]) -> (all: file) { run "cat > ${all}" }
op hits() -> (out: stream[Hit]) { run "printf '%s\\n' '{\"id\": 1, \"name\": \"a\"}' '' '{\"name\": \"b\", \"id\": 2}'" }
op names(h: stream[Hit]) -> (all: file) { run "cat > ${all}" }
workflow main() -> (frames: file, names: file) {
    f = frames()
    k = keep(data = f.out)
    h = hits()
    n = names(h = h.out)
    return (frames = k.all, names = n.all)
})");
  auto r = p.flowc({"run", "s.flow"});
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  std::string frames = p.read("flow-out/frames/all");
  CHECK(frames == std::string("\0\0\0\5hello\0\0\0\0\0\0\0\3a\nb", 20));
  CHECK(p.stream("main.k", "in")["messages"] == 3);  // an empty frame is a message too
  CHECK(lines_of_text(p.read("flow-out/names/all")) ==
        std::vector<std::string>{R"({"id": 1, "name": "a"})", R"({"name": "b", "id": 2})"});
}

TEST_CASE("a malformed record stream fails its producer, naming the line", "[streams]") {
  Project p;
  p.write("s.flow", R"(
op hits() -> (out: stream[{id: int}]) { run "printf '%s\\n' '{\"id\": 1}' '{\"id\": \"x\"}'" }
op names(h: stream[{id: int}]) -> (all: file) { run "cat > ${all}" }
workflow main() -> (names: file) {
    h = hits()
    n = names(h = h.out)
    return (names = n.all)
})");
  auto r = p.flowc({"run", "s.flow"});
  CHECK(r.exit_code == 1);
  CHECK_THAT(r.err, Catch::Contains("op `hits` at main.h") && Catch::Contains("line 2 of its output"));
}

TEST_CASE("large frames and long lines cross the bridge byte for byte", "[streams]") {
  // Bodies from 64 KiB on reach a bridged command's stdin by reference
  // (vmsplice; runtime/streams/pipe_writer.h), random bytes show any byte
  // that changed on the way.
  Project p;
  p.write("s.flow", R"(
op frames(n: int, dir: str) -> (out: stream[bytes]) {
    run """
        for i in $(seq ${n}); do
            printf '\000\020\000\001'
            head -c 1048577 /dev/urandom | tee -a ${dir}/frames_sent
        done
    """
}
op keep(data: stream[bytes]) -> (all: file) { run "cat > ${all}" }
op lines(n: int, dir: str) -> (out: stream[str]) {
    run "for i in $(seq ${n}); do head -c 150000 /dev/urandom | base64 -w 0; echo; done | tee ${dir}/lines_sent"
}
op keep_lines(data: stream[str]) -> (all: file) { run "cat > ${all}" }
workflow main(dir: str, n: int = 12) -> (frames: file, lines: file) {
    f = frames(n = n, dir = dir)
    k = keep(data = f.out)
    l = lines(n = n, dir = dir)
    c = keep_lines(data = l.out)
    return (frames = k.all, lines = c.all)
})");
  auto r = p.flowc({"run", "s.flow", "-p", "dir=" + p.dir.string()});
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  std::string framed = p.read("flow-out/frames/all");
  std::string payloads;
  size_t frames = 0;
  for (size_t at = 0; at + 4 <= framed.size(); ++frames) {
    auto byte = [&](size_t k) { return static_cast<uint32_t>(static_cast<unsigned char>(framed[at + k])); };
    uint32_t len = (byte(0) << 24) | (byte(1) << 16) | (byte(2) << 8) | byte(3);
    REQUIRE(len == 1048577);
    payloads += framed.substr(at + 4, len);
    at += 4 + len;
  }
  CHECK(frames == 12);
  CHECK(payloads == p.read("frames_sent"));
  CHECK(p.read("flow-out/lines/all") == p.read("lines_sent"));
  CHECK(p.stream("main.k", "in")["messages"] == 12);
  CHECK(p.stream("main.c", "in")["messages"] == 12);
}

// A lone stdin/stdout producer and consumer on one host meet through a
// named pipe (runtime/streams/local_pipe.h), not ZeroMQ: the same bytes,
// the same counts, whichever way.
TEST_CASE("a lone stdin/stdout pair meets through a local pipe, byte for byte as through ZeroMQ", "[streams]") {
  const char* flow = R"(
op frames() -> (out: stream[bytes]) {
    run """
        printf '\000\000\000\005hello\000\000\000\000'
        printf '\000\002\000\000'; head -c 131072 /dev/zero | tr '\0' 'z'
        printf '\000\000\000\003a\nb'
    """
}
op keep(data: stream[bytes]) -> (all: file) { run "cat > ${all}" }
op lines() -> (out: stream[str]) { run "printf 'a\\n\\nccc\\nno newline'" }
op keep_lines(l: stream[str]) -> (all: file) { run "cat > ${all}" }
workflow main() -> (frames: file, lines: file) {
    f = frames()
    k = keep(data = f.out)
    l = lines()
    c = keep_lines(l = l.out)
    return (frames = k.all, lines = c.all)
})";
  std::map<std::string, std::string> frames, lines;
  std::map<std::string, json> frame_counts, line_counts;
  for (std::string pipes : {"1", "0"}) {
    Project p;
    p.write("s.flow", flow);
    auto r = p.flowc({"run", "s.flow"}, {"FLOWC_STREAM_LOCAL_PIPES=" + pipes});
    INFO(r.err);
    REQUIRE(r.exit_code == 0);
    frames[pipes] = p.read("flow-out/frames/all");
    lines[pipes] = p.read("flow-out/lines/all");
    frame_counts[pipes] = p.stream("main.k", "in");
    line_counts[pipes] = p.stream("main.c", "in");
    CHECK(p.stream("main.f", "out")["messages"] == 4);
    CHECK(p.stream("main.l", "out")["messages"] == 4);
    // Which way it went.
    CHECK(frame_counts[pipes].value("pipe", false) == (pipes == "1"));
    CHECK(line_counts[pipes].value("pipe", false) == (pipes == "1"));
  }
  CHECK(frames["1"] == frames["0"]);
  CHECK(frames["1"].size() == 9 + 4 + 4 + 131072 + 7);
  CHECK(lines["1"] == "a\n\nccc\nno newline\n");  // the last line given its newline
  CHECK(lines["1"] == lines["0"]);
  for (const char* field : {"messages", "bytes", "discarded", "producers"}) {
    CHECK(frame_counts["1"][field] == frame_counts["0"][field]);
    CHECK(line_counts["1"][field] == line_counts["0"][field]);
  }
  CHECK(frame_counts["1"]["messages"] == 4);
  CHECK(frame_counts["1"]["bytes"] == 5 + 0 + 131072 + 3);
  CHECK(line_counts["1"]["bytes"] == 1 + 0 + 3 + 10);
}

TEST_CASE("through a local pipe, a producer that fails mid-stream gives its consumer no end", "[streams]") {
  // The consumer would publish the partial stream as its result if it saw
  // an end of input: it must be stopped instead, with the producer's failure.
  Project p;
  p.write("s.flow", lone_pair(R"(
op emit() -> (out: stream[str]) { run "seq 1000; echo 'the producer broke' >&2; exit 4" }
op collect(lines: stream[str]) -> (all: file) { run "cat > ${all}" })"));
  auto r = p.flowc({"run", "s.flow"});
  CHECK(r.exit_code == 1);
  CHECK_THAT(r.err, Catch::Contains("op `emit` at main.e") && Catch::Contains("exited with code 4") &&
                        Catch::Contains("the producer broke"));
  CHECK(p.events("succeeded").empty());
  CHECK_FALSE(p.exists("flow-out/all"));
  auto cancelled = p.events("cancelled");
  REQUIRE(cancelled.size() == 1);
  CHECK(cancelled[0]["task"] == "main.c");
}

TEST_CASE("through a local pipe, a consumer that stops reading early does not stall its producer", "[streams]") {
  Project p;
  p.write("s.flow", lone_pair(R"(
op emit(n: int) -> (out: stream[str]) { run "seq ${n}" }
op collect(lines: stream[str]) -> (all: file) { run "head -n 3 > ${all}" })",
                              "n = 3000000"));
  auto r = p.flowc({"run", "s.flow"});
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  CHECK(lines_of_text(p.read("flow-out/all/all")) == numbered(1, 3));
  json in = p.stream("main.c", "in");
  CHECK(in["pipe"] == true);
  CHECK(in["messages"] == 3000000);
  // What did not fit in its stdin's pipe when it left was read and dropped.
  CHECK(in["discarded"].get<uint64_t>() > 2000000);
  CHECK(in["discarded"].get<uint64_t>() < 3000000);
}

TEST_CASE("through a local pipe, a producer's broken frame fails it, saying where", "[streams]") {
  Project p;
  p.write("s.flow", lone_pair(R"(
op emit() -> (out: stream[bytes]) { run "printf '\\000\\000\\000\\002ok\\000\\000\\000\\005hel'" }
op collect(data: stream[bytes]) -> (all: file) { run "cat > ${all}" })",
                              "", "data"));
  auto r = p.flowc({"run", "s.flow"});
  CHECK(r.exit_code == 1);
  CHECK_THAT(r.err,
             Catch::Contains("op `emit` at main.e") && Catch::Contains("its output ended 3 bytes into a frame of 5"));
  CHECK_FALSE(p.exists("flow-out/all"));
}

// The run's ipc folder is in the shared /tmp under a name others can
// guess: one that is already there and not private to this user (made by
// someone else to reach the run's sockets and pipes) is refused, and left
// as it was.
TEST_CASE("a stream socket folder that is not private to the user is refused, not used", "[streams]") {
  Project p;
  p.write("s.flow", lone_pair(R"(
op emit() -> (out: stream[str]) { run "seq 3" }
op collect(lines: stream[str]) -> (all: file) { run "cat > ${all}" })"));
  std::string id = "20261207-000000-t" + std::to_string(::getpid());
  fs::path dir = fs::temp_directory_path() / ("flowc-streams-" + std::to_string(::getuid()) + "-" + id);
  fs::remove_all(dir);
  fs::path elsewhere = p.dir / "elsewhere";
  fs::create_directories(elsewhere);
  std::string expect;
  SECTION("open to everyone") {
    fs::create_directories(dir);
    fs::permissions(dir, fs::perms::all);
    expect = "mode 0777";
  }
  SECTION("a symbolic link to another folder") {
    fs::create_directory_symlink(elsewhere, dir);
    expect = "a symbolic link";
  }
  auto r = p.flowc({"run", "s.flow", "--run-id", id});
  CHECK(r.exit_code == 1);
  CHECK_THAT(r.err, Catch::Contains("is already there and is not a private folder of yours") &&
                        Catch::Contains(expect) && Catch::Contains(dir.string()));
  CHECK_FALSE(p.exists("flow-out/all"));
  // Left as it was: nothing made in it, nothing removed.
  CHECK(fs::exists(fs::symlink_status(dir)));
  CHECK(fs::is_empty(elsewhere));
  fs::remove_all(dir);
  // Once it is gone, the same run id runs.
  auto again = p.flowc({"run", "s.flow", "--run-id", id + "b"});
  INFO(again.err);
  CHECK(again.exit_code == 0);
}

TEST_CASE("native commands speak ZeroMQ themselves, counts prove every message", "[streams]") {
  Project p;
  p.write("s.flow", R"(
op emit(tool: str, n: int, size: int) -> (out: stream[bytes]) { streams "native" run "${tool} emit ${n} ${size}" }
op relay(tool: str, frames: stream[bytes]) -> (out: stream[bytes]) { streams "native" run "${tool} relay" }
op sink(tool: str, frames: stream[bytes]) -> (summary: file) { streams "native" run "${tool} sink ${summary}" }
op sink_stdio(tool: str, frames: stream[bytes]) -> (summary: file) { run "${tool} sink ${summary} --stdio" }
workflow main(tool: str, n: int = 5000, size: int = 100) -> (native: file, bridged: file) {
    e = emit(tool = tool, n = n, size = size)
    r = relay(tool = tool, frames = e.out) with { replicas = 2 }
    s = sink(tool = tool, frames = r.out)
    b = sink_stdio(tool = tool, frames = e.out)
    return (native = s.summary, bridged = b.summary)
})");
  auto r = p.flowc({"run", "s.flow", "-p", std::string("tool=") + FLOWC_STREAM_TOOL});
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  // Both consumers of `e` got all 5000 (every group gets every message), with the same checksum.
  json native = json::parse(p.read("flow-out/native/summary"));
  json bridged = json::parse(p.read("flow-out/bridged/summary"));
  CHECK(native["messages"] == 5000);
  CHECK(bridged["messages"] == 5000);
  CHECK(native["checksum"] == bridged["checksum"]);
  CHECK(p.stream("main.e", "out")["per_consumer"].size() == 3);  // two relays and the bridge
  CHECK(p.stream("main.r#0", "in")["messages"].get<int>() + p.stream("main.r#1", "in")["messages"].get<int>() == 5000);
}

TEST_CASE("a native command's tcp input is a socket flowc already listens on: no port to race for", "[streams]") {
  Project p;
  // The sink records what it was given, then reads the stream: an endpoint
  // with a port, and the listening socket's descriptor to bind through.
  p.write("s.flow", R"(
op emit(tool: str, n: int) -> (out: stream[bytes]) { streams "native" run "${tool} emit ${n} 10" }
op sink(tool: str, frames: stream[bytes]) -> (summary: file, given: file) {
    streams "native"
    run """
        echo "$FLOWC_STREAM_IN_frames" > ${given}
        ls -l /proc/self/fd/$FLOWC_STREAM_FD_frames >> ${given}
        ${tool} sink ${summary}
    """
}
workflow main(tool: str) -> (summary: file, given: file) {
    e = emit(tool = tool, n = 300)
    s = sink(tool = tool, frames = e.out)
    return (summary = s.summary, given = s.given)
})");
  auto r = p.flowc({"run", "s.flow", "--stream-transport", "tcp", "-p", std::string("tool=") + FLOWC_STREAM_TOOL});
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  CHECK(json::parse(p.output_file("summary"))["messages"] == 300);
  auto given = lines_of_text(p.output_file("given"));
  REQUIRE(given.size() == 2);
  CHECK_THAT(given[0], Catch::Matches("tcp://127\\.0\\.0\\.1:[0-9]+ 1"));
  CHECK_THAT(given[1], Catch::Contains("socket:["));
}

TEST_CASE("a consumer that crashes mid-stream fails the gang, other results are kept", "[streams]") {
  Project p;
  p.write("s.flow", R"(
op emit() -> (out: stream[str]) { run "seq 100000000" }
op crash(lines: stream[str]) -> (all: file) { run "head -n 5 > ${all}; echo 'the consumer gave up' >&2; exit 3" }
op other(x: int) -> (y: int) { run "echo ${x} > ${y}" }
workflow main() -> (all: file, y: int) {
    o = other(x = 7)
    e = emit()
    c = crash(lines = e.out)
    return (all = c.all, y = o.y)
})");
  auto r = p.flowc({"run", "s.flow", "--keep-going"});
  CHECK(r.exit_code == 1);
  CHECK_THAT(r.err, Catch::Contains("op `crash` at main.c") && Catch::Contains("exited with code 3") &&
                        Catch::Contains("the consumer gave up"));
  auto cancelled = p.events("cancelled");
  REQUIRE(cancelled.size() == 1);
  CHECK(cancelled[0]["task"] == "main.e");
  CHECK_THAT(cancelled[0]["error"].get<std::string>(), Catch::Contains("`main.c`, of the same stream, failed"));
  // The unrelated task's result is kept: the next run reuses it.
  auto again = p.flowc({"run", "s.flow", "--keep-going"});
  auto cached = p.events("cached");
  REQUIRE(cached.size() == 1);
  CHECK(cached[0]["task"] == "main.o");
}

TEST_CASE("a producer that never ends is stopped by its timeout", "[streams]") {
  Project p;
  p.write("s.flow", R"(
op forever() -> (out: stream[str]) { timeout 1s run "while true; do echo x; sleep 0.01; done" }
op collect(lines: stream[str]) -> (all: file) { run "cat > ${all}" }
workflow main() -> (all: file) {
    f = forever()
    c = collect(lines = f.out)
    return (all = c.all)
})");
  auto r = p.flowc({"run", "s.flow"});
  CHECK(r.exit_code == 1);
  CHECK_THAT(r.err, Catch::Contains("op `forever` at main.f") && Catch::Contains("timeout of 1s"));
  auto cancelled = p.events("cancelled");
  REQUIRE(cancelled.size() == 1);
  CHECK(cancelled[0]["task"] == "main.c");
}

TEST_CASE("a stream gang is reused only whole", "[streams]") {
  Project p;
  p.write("s.flow", kPipeline);
  REQUIRE(p.flowc({"run", "s.flow", "-p", "n=50", "-p", "r=2"}).exit_code == 0);
  auto again = p.flowc({"run", "s.flow", "-p", "n=50", "-p", "r=2"});
  INFO(again.err);
  REQUIRE(again.exit_code == 0);
  CHECK(p.events("cached").size() == 5);  // the gang of four, and the count after it
  CHECK(p.events("started").empty());
  // One member's result is gone: the whole gang runs again, none is half-reused.
  std::string key;
  for (json& e : p.events("cached")) {
    if (e["task"] == "main.a") key = e["work_dir"];
  }
  REQUIRE(!key.empty());
  fs::remove(fs::path(key) / "all");
  auto third = p.flowc({"run", "s.flow", "-p", "n=50", "-p", "r=2"});
  INFO(third.err);
  REQUIRE(third.exit_code == 0);
  CHECK(p.events("started").size() == 4);
  CHECK(lines_of_text(p.read("flow-out/all/all")) == numbered(1, 50, "r"));
}

TEST_CASE("ipc streams are refused when a batch executor may put the tasks on different nodes", "[streams]") {
  Project p;
  p.write("s.flow", kPipeline);
  auto r = p.flowc({"run", "s.flow", "--executor", "slurm", "--stream-transport", "ipc"});
  CHECK(r.exit_code == 2);
  CHECK_THAT(r.err, Catch::Contains("--stream-transport ipc cannot connect tasks on different nodes") &&
                        Catch::Contains("nothing was run"));
}

TEST_CASE("an unreachable Redis registry stops the run before anything starts", "[streams]") {
  Project p;
  p.write("s.flow", kPipeline);
  auto r = p.flowc({"run", "s.flow", "--registry", "redis://127.0.0.1:1"});
  CHECK(r.exit_code == 2);
  CHECK_THAT(r.err, Catch::Contains("cannot reach the Redis registry at redis://127.0.0.1:1") &&
                        Catch::Contains("nothing was run"));
}

// Needs the redis-server the CTest fixture starts (tests/streams/redis.sh).
TEST_CASE("with a Redis registry, endpoints are registered and found there", "[streams][redis]") {
  const char* port = std::getenv("FLOWC_TEST_REDIS_PORT");
  if (!port) {
    std::string file = std::string(FLOWC_BINARY_DIR) + "/redis-fixture/port";
    std::ifstream in(file);
    static std::string text;
    in >> text;
    REQUIRE_FALSE(text.empty());
    port = text.c_str();
  }
  Project p;
  p.write("s.flow", kPipeline);
  std::string url = std::string("redis://127.0.0.1:") + port;
  auto r = p.flowc({"run", "s.flow", "--registry", url, "-p", "n=500", "-p", "r=2"});
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  CHECK(lines_of_text(p.read("flow-out/all/all")) == numbered(1, 500, "r"));
  // The consumers' endpoints are in Redis, under this run's id, on tcp.
  std::string run_id = p.events("run_started")[0]["run_id"];
  auto names = lines_of_text(sh(std::string("redis-cli -p ") + port + " --raw KEYS 'flowc:" + run_id + ":*'"));
  std::sort(names.begin(), names.end());
  CHECK(names == std::vector<std::string>{"flowc:" + run_id + ":main.a/lines", "flowc:" + run_id + ":main.t#0/lines",
                                          "flowc:" + run_id + ":main.t#1/lines"});
  std::string value = sh(std::string("redis-cli -p ") + port + " --raw GET 'flowc:" + run_id + ":main.a/lines'");
  CHECK_THAT(value, Catch::StartsWith("tcp://127.0.0.1:"));
}

TEST_CASE("examples/detector.flow: frames reduced by replicas, summarised", "[streams][examples]") {
  Project p;
  auto r = p.flowc({"run", flowc::test::source_path("examples/detector.flow"), "-p", "frames=300", "-p", "pixels=16",
                    "-p", "replicas=3"});
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  int64_t sum = 0, max = 0;
  std::vector<std::string> per_frame;
  for (int f = 0; f < 300; ++f) {
    int64_t s = 0, m = 0;
    for (int i = 0; i < 16; ++i) {
      int64_t v = (f * 31 + i * 17) % 256;
      s += v;
      m = std::max(m, v);
    }
    sum += s;
    max = std::max(max, m);
    per_frame.push_back(std::to_string(f) + " " + std::to_string(s) + " " + std::to_string(m));
  }
  CHECK(p.read("flow-out/summary/summary.txt") ==
        "frames 300\nsum " + std::to_string(sum) + "\nmax " + std::to_string(max) + "\n");
  CHECK(lines_of_text(p.read("flow-out/per_frame/frames.txt")) == per_frame);
  uint64_t shared = 0;
  for (int k = 0; k < 3; ++k) shared += p.stream("main.r#" + std::to_string(k), "in")["messages"].get<uint64_t>();
  CHECK(shared == 300);
}

TEST_CASE("examples/tour.flow runs, streams included", "[streams][examples]") {
  Project p;
  auto r = p.flowc({"run", flowc::test::source_path("examples/tour.flow")});
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  CHECK(p.stream("main.found", "in")["producers"] == 2);  // the two grep replicas fan in
}
