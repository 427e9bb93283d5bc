// Ops with an image, run for real with Charliecloud (`--container-engine
// charliecloud`): scripts/charliecloud-setup.sh (the `charliecloud` CTest
// fixture) converts podman's localhost/flow-busybox into a directory image
// in ch-image's storage. The container tests that apply to an engine without
// daemons, names or limits: mounts, read-only inputs, only the op's
// environment, no network, exit codes, the image in the cache key,
// timeouts and Ctrl-C leaving nothing behind, a missing image.
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <thread>

#include <catch2/catch.hpp>
#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "runtime/containers/charliecloud_engine.h"
#include "runtime/process/run_captured.h"
#include "tests/runtime/hpc_project.h"
#include "tests/support/project.h"
#include "tests/support/test_support.h"

namespace fs = std::filesystem;
using flowc::test::eventually;
using flowc::test::processes_with;
using flowc::test::Project;
using nlohmann::json;

namespace {

const std::vector<std::string> kEngine = {"--container-engine", "charliecloud"};

std::vector<std::string> with_engine(std::vector<std::string> args) {
  args.insert(args.end(), kEngine.begin(), kEngine.end());
  return args;
}

}  // namespace

TEST_CASE("charliecloud: an op runs in the image with its work dir, read-only inputs, only its env, no network",
          "[charliecloud]") {
  // Spaces and quotes in every path the container binds.
  Project p("flowc-ch a b'c\"d");
  p.write("in put.txt", "one two three\n");
  p.write("c.flow", R"(
op inside(text: file, greeting: str) -> (out: file = "out.txt", n: int, nets: int) {
    image "localhost/flow-busybox"
    env { GREETING = greeting }
    run """
        echo "sh=$(readlink /bin/sh) leak=$${HOST_ONLY:-unset} task=$FLOWC_TASK greeting=$GREETING" > ${out}
        if echo x >> ${text} 2>/dev/null; then echo "input writable" >> ${out}; fi
        wc -w < ${text} | tr -d ' ' > ${n}
        tail -n +3 /proc/net/dev | wc -l | tr -d ' ' > ${nets}
    """
}
op online() -> (nets: int) {
    image "localhost/flow-busybox"
    network true
    run "tail -n +3 /proc/net/dev | wc -l | tr -d ' ' > ${nets}"
}
op fails(x: int) -> (out: file) {
    image "localhost/flow-busybox"
    run "echo broken on purpose >&2; exit ${x}"
}
workflow main(text: file = "in put.txt", code: int = 0) -> (out: file, n: int, nets: int, online: int, f: file?) {
    i = inside(text = text, greeting = "hi 'there' $HOME")
    o = online()
    if code > 0 { f = fails(x = code) }
    return (out = i.out, n = i.n, nets = i.nets, online = o.nets, f = f.out)
}
)");
  auto r = p.flowc(with_engine({"run", "c.flow"}), {"HOST_ONLY=leaked"});
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  json out = json::parse(p.read("flow-out/outputs.json"));
  CHECK(flowc::test::read_file(out["out"]) == "sh=busybox leak=unset task=main.i greeting=hi 'there' $HOME\n");
  CHECK(out["n"] == 3);
  CHECK(p.read("in put.txt") == "one two three\n");
  CHECK(out["nets"] == 1);              // loopback only
  CHECK(out["online"].get<int>() > 1);  // the host's network
  struct stat st {};
  REQUIRE(::stat(out["out"].get<std::string>().c_str(), &st) == 0);
  CHECK(st.st_uid == ::getuid());

  // Reused, like any task: the mount points made in the image do not
  // change its digest.
  auto again = p.flowc(with_engine({"run", "c.flow"}));
  INFO(again.err);
  CHECK(again.err.find("(0 ran, 2 cached)") != std::string::npos);

  // The command's exit code and stderr, as for a local task.
  auto failed = p.flowc(with_engine({"run", "c.flow", "-p", "code=3"}));
  INFO(failed.err);
  CHECK(failed.exit_code == 1);
  CHECK(failed.err.find("op `fails` at main.f (c.flow:") != std::string::npos);
  CHECK(failed.err.find("exited with code 3") != std::string::npos);
  CHECK(failed.err.find("broken on purpose") != std::string::npos);
}

TEST_CASE("charliecloud: changing the image reruns its tasks", "[charliecloud]") {
  Project p("flowc-ch-digest");
  // A directory image of the test's own, named by its path: a copy of the
  // converted busybox.
  flowc::runtime::CharliecloudEngine engine;
  fs::path image = p.dir / "image";
  auto copied =
      flowc::runtime::capture_output({"cp", "-a", engine.image_dir("localhost/flow-busybox"), image.string()}, {}, 60);
  REQUIRE(copied.ok());
  p.write("d.flow", fmt::format(R"(
op look() -> (out: file) {{
    image "{}"
    run "cat /etc/flowc-version > ${{out}} 2>/dev/null || echo none > ${{out}}"
}}
workflow main() -> (out: file) {{
    l = look()
    return (out = l.out)
}}
)",
                                image.string()));
  auto first = p.flowc(with_engine({"run", "d.flow"}));
  INFO(first.err);
  REQUIRE(first.exit_code == 0);
  CHECK(p.output_file("out") == "none\n");
  auto same = p.flowc(with_engine({"run", "d.flow"}));
  CHECK(same.err.find("(0 ran, 1 cached)") != std::string::npos);
  flowc::test::write_file((image / "etc" / "flowc-version").string(), "2\n");
  auto changed = p.flowc(with_engine({"run", "d.flow"}));
  INFO(changed.err);
  REQUIRE(changed.exit_code == 0);
  CHECK(changed.err.find("(1 ran, 0 cached)") != std::string::npos);
  CHECK(p.output_file("out") == "2\n");
}

TEST_CASE("charliecloud: a timeout and Ctrl-C leave nothing running", "[charliecloud]") {
  Project p("flowc-ch-stop");
  std::string marker = fmt::format("{}", 1000 + ::getpid() % 50000);
  p.write("t.flow", fmt::format(R"(
op slow(t: int) -> (out: file) {{
    image "localhost/flow-busybox"
    timeout 2s
    run "sleep {0}${{t}}; echo late > ${{out}}"
}}
op slower(t: int) -> (out: file) {{
    image "localhost/flow-busybox"
    run "touch $FLOWC_WORK_DIR/started; sleep {0}${{t}}; echo late > ${{out}}"
}}
workflow main(stop: bool = false) -> (out: file?) {{
    if stop {{ s = slower(t = 1) }} else {{ s = slow(t = 2) }}
    return (out = s.out)
}}
)",
                                marker));
  auto r = p.flowc(with_engine({"run", "t.flow"}));
  INFO(r.err);
  CHECK(r.exit_code == 1);
  CHECK(r.err.find("ran longer than its timeout of 2s and was stopped") != std::string::npos);
  CHECK(eventually([&] { return processes_with("sleep " + marker + "2").empty(); }, 10));

  flowc::test::BackgroundFlowc run(p, with_engine({"run", "t.flow", "-p", "stop=true"}));
  REQUIRE(eventually([&] { return !processes_with("sleep " + marker + "1").empty(); }));
  run.signal(SIGINT);
  CHECK(run.wait() == 130);
  CHECK(eventually([&] { return processes_with("sleep " + marker + "1").empty(); }, 10));
}

TEST_CASE("charliecloud: a missing image is one error before anything runs", "[charliecloud]") {
  Project p("flowc-ch-missing");
  p.write("m.flow", R"(
op needs() -> (out: file) {
    image "localhost/flowc-no-such-image:1"
    run "echo hi > ${out}"
}
workflow main() -> (out: file) {
    n = needs()
    return (out = n.out)
}
)");
  auto r = p.flowc(with_engine({"run", "m.flow"}));
  INFO(r.err);
  CHECK(r.exit_code == 2);
  CHECK(r.err.find("op `needs` (m.flow:2:4) runs in image `localhost/flowc-no-such-image:1`, which charliecloud does "
                   "not have on this machine") != std::string::npos);
  CHECK(r.err.find("there is no image folder /") != std::string::npos);
  CHECK(r.err.find("flowc: nothing was run") != std::string::npos);
}
