// Ops with an image, run for real with podman (scripts/podman-setup.sh, run
// by the `podman` CTest fixture, configures it and builds
// localhost/flow-busybox). Every container a test looks for is found by the
// label flowc puts on it naming the test's own state folder: other
// containers on the machine are never looked at or touched.
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <thread>

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "runtime/containers/container_engine.h"
#include "runtime/process/run_captured.h"
#include "tests/support/podman_containers.h"
#include "tests/support/project.h"
#include "tests/support/test_support.h"

namespace fs = std::filesystem;
using flowc::test::containers_started_for;
using flowc::test::Project;
using nlohmann::json;

namespace {

constexpr const char* kImage = "localhost/flow-busybox";

flowc::runtime::Captured podman(const std::vector<std::string>& args) {
  std::vector<std::string> argv = {"podman"};
  argv.insert(argv.end(), args.begin(), args.end());
  return flowc::runtime::run_captured({argv}, 120)[0];
}

// Waits (up to a minute: podman is slow on a loaded machine) until `ready`.
template <typename F>
bool wait_for(F ready) {
  for (int i = 0; i < 600; ++i) {
    if (ready()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  return false;
}

// Builds `tag` from the busybox image with one more Containerfile line.
void build_image(const Project& p, const std::string& tag, const std::string& extra) {
  fs::path dir = p.dir / ("image-" + std::to_string(std::hash<std::string>{}(tag + extra)));
  fs::create_directories(dir);
  flowc::test::write_file((dir / "Containerfile").string(), std::string("FROM ") + kImage + "\n" + extra + "\n");
  auto r = podman({"build", "--pull=never", "--quiet", "-t", tag, dir.string()});
  INFO(r.out << r.err << r.error);
  REQUIRE(r.exit_code == 0);
}

// Removes a test's images (by tag, and by id those a rebuild untagged)
// whatever happens to the test.
struct ImageGuard {
  std::string tag;
  std::vector<std::string> untagged;
  ~ImageGuard() {
    podman({"image", "rm", "--force", tag});
    for (const std::string& id : untagged) podman({"image", "rm", "--force", id});
  }
};

std::string unique_tag(const std::string& what) {
  return "localhost/flowc-test-" + what + "-" + std::to_string(::getpid()) + ":latest";
}

}  // namespace

TEST_CASE("an op with an image runs in it: mounts, read-only inputs, env, the user, exit codes", "[containers]") {
  // Spaces and quotes in every path the container mounts.
  Project p("flowc-ctr a b'c\"d");
  p.write("in put.txt", "one two three\n");
  p.write("c.flow", R"(
op inside(text: file, greeting: str) -> (out: file = "out.txt", n: int) {
    image "localhost/flow-busybox"
    env { GREETING = greeting }
    run """
        echo "sh=$(readlink /bin/sh) leak=$${HOST_ONLY:-unset} task=$FLOWC_TASK greeting=$GREETING" > ${out}
        if echo x >> ${text} 2>/dev/null; then echo "input writable" >> ${out}; fi
        wc -w < ${text} | tr -d ' ' > ${n}
    """
}
op fails(x: int) -> (out: file) {
    image "localhost/flow-busybox"
    run "echo broken on purpose >&2; exit ${x}"
}
workflow main(text: file = "in put.txt", code: int = 0) -> (out: file, n: int, f: file?) {
    i = inside(text = text, greeting = "hi 'there'")
    if code > 0 { f = fails(x = code) }
    return (out = i.out, n = i.n, f = f.out)
}
)");
  auto r = p.flowc({"run", "c.flow"}, {"HOST_ONLY=leaked"});
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  json out = json::parse(p.read("flow-out/outputs.json"));
  CHECK(flowc::test::read_file(out["out"]) == "sh=busybox leak=unset task=main.i greeting=hi 'there'\n");
  CHECK(out["n"] == 3);
  CHECK(p.read("in put.txt") == "one two three\n");
  struct stat st {};
  REQUIRE(::stat(out["out"].get<std::string>().c_str(), &st) == 0);
  CHECK(st.st_uid == ::getuid());
  CHECK(containers_started_for(p).empty());  // --rm

  // Reused, like any task.
  auto again = p.flowc({"run", "c.flow"});
  CHECK(again.err.find("(0 ran, 1 cached)") != std::string::npos);

  // The command's exit code and stderr, as for a local task.
  auto failed = p.flowc({"run", "c.flow", "-p", "code=3"});
  INFO(failed.err);
  CHECK(failed.exit_code == 1);
  CHECK(failed.err.find("op `fails` at main.f (c.flow:") != std::string::npos);
  CHECK(failed.err.find("exited with code 3") != std::string::npos);
  CHECK(failed.err.find("broken on purpose") != std::string::npos);
  CHECK(containers_started_for(p).empty());
}

TEST_CASE("outputs belong to the invoking user, and rebuilding the image reruns its tasks", "[containers]") {
  Project p;
  std::string tag = unique_tag("user");
  ImageGuard guard{tag, {}};
  // An image whose default user is nobody: without flowc's --user the
  // command could not even write to its work dir.
  build_image(p, tag, "USER 65534:65534\nLABEL flowc.test.rev=1");
  p.write("u.flow", "op who() -> (out: file) {\n    image \"" + tag + "\"\n    run \"id -u > ${out}\"\n}\n" +
                        "workflow main() -> (out: file) {\n    w = who()\n    return (out = w.out)\n}\n");
  auto first = p.flowc({"run", "u.flow"});
  INFO(first.err);
  REQUIRE(first.exit_code == 0);
  std::string out = json::parse(p.read("flow-out/outputs.json"))["out"];
  CHECK(flowc::test::read_file(out) == std::to_string(::getuid()) + "\n");
  struct stat st {};
  REQUIRE(::stat(out.c_str(), &st) == 0);
  CHECK(st.st_uid == ::getuid());
  CHECK(st.st_gid == ::getgid());
  {
    // If it ran again, explain says why (it did once under heavy load).
    auto again = p.flowc({"run", "u.flow"});
    bool cached = again.err.find("(0 ran, 1 cached)") != std::string::npos;
    INFO(again.err << (cached ? "" : p.flowc({"explain", "main.w"}).out));
    CHECK(cached);
  }

  // The same tag, another image: the task runs again, and explain says why.
  guard.untagged.push_back(podman({"image", "inspect", "--format", "{{.Id}}", tag}).out);
  while (!guard.untagged.back().empty() && guard.untagged.back().back() == '\n') guard.untagged.back().pop_back();
  build_image(p, tag, "USER 65534:65534\nLABEL flowc.test.rev=2");
  auto rebuilt = p.flowc({"run", "u.flow"});
  INFO(rebuilt.err);
  CHECK(rebuilt.err.find("(1 ran, 0 cached)") != std::string::npos);
  auto why = p.flowc({"explain", "main.w"});
  CHECK(why.out.find("its image `" + tag + "` was rebuilt: \"sha256:") != std::string::npos);
  CHECK(p.flowc({"run", "u.flow"}).err.find("(0 ran, 1 cached)") != std::string::npos);
}

TEST_CASE("a timeout inside a container stops it and leaves no container", "[containers]") {
  Project p;
  p.write("t.flow", R"(
op slow() -> (out: file) {
    image "localhost/flow-busybox"
    timeout 2s
    run "sleep 60; echo late > ${out}"
}
workflow main() -> (out: file) {
    s = slow()
    return (out = s.out)
}
)");
  auto r = p.flowc({"run", "t.flow"});
  INFO(r.err);
  CHECK(r.exit_code == 1);
  CHECK(r.err.find("ran longer than its timeout of 2s and was stopped") != std::string::npos);
  CHECK(containers_started_for(p).empty());
}

TEST_CASE("resource limits and the network are applied to the container", "[containers]") {
  Project p;
  p.write("r.flow", R"(
op limited(s: int) -> (out: file) {
    image "localhost/flow-busybox"
    resources { cpus = 1, mem = 96MiB }
    run "sleep ${s}; echo done > ${out}"
}
op online(s: int) -> (out: file) {
    image "localhost/flow-busybox"
    network true
    run "sleep ${s}; echo done > ${out}"
}
workflow main(s: int = 60) -> (a: file, b: file) {
    l = limited(s = s)
    o = online(s = s)
    return (a = l.out, b = o.out)
}
)");
  std::string out = (p.dir / "out.txt").string(), err = (p.dir / "err.txt").string();
  pid_t pid = flowc::test::start_flowc({"run", "r.flow", "-j", "2"}, p.dir.string(), {}, out, err);
  bool both = wait_for([&] {
    return containers_started_for(p, "main.l").size() == 1 && containers_started_for(p, "main.o").size() == 1;
  });
  INFO(flowc::test::read_file(err));
  CHECK(both);
  if (both) {
    std::string format = "{{.HostConfig.NanoCpus}} {{.HostConfig.Memory}} {{.HostConfig.NetworkMode}} {{.Config.User}}";
    auto limited = podman({"inspect", "--format", format, containers_started_for(p, "main.l")[0]});
    std::string user = std::to_string(::getuid()) + ":" + std::to_string(::getgid());
    CHECK(limited.out == "1000000000 100663296 none " + user + "\n");
    auto online = podman({"inspect", "--format", format, containers_started_for(p, "main.o")[0]});
    CHECK(online.out.find("0 0 ") == 0);
    CHECK(online.out.find("none") == std::string::npos);
  }
  ::kill(pid, SIGINT);
  CHECK(flowc::test::wait_exit(pid) == 130);
  CHECK(containers_started_for(p).empty());
}

TEST_CASE("Ctrl-C stops the containers, Ctrl-C twice too, kill -9 leaves them to the next run", "[containers]") {
  Project p;
  p.write("s.flow", R"(
op slow(i: int) -> (out: file) {
    image "localhost/flow-busybox"
    run "sleep 60; echo ${i} > ${out}"
}
workflow main(n: int = 2) -> (outs: list[file]) {
    for i in range(n) { s = slow(i = i) }
    return (outs = s.out)
}
)");
  std::string out = (p.dir / "out.txt").string(), err = (p.dir / "err.txt").string();
  auto run_until_containers = [&] {
    pid_t pid = flowc::test::start_flowc({"run", "s.flow", "-j", "2"}, p.dir.string(), {}, out, err);
    bool running = wait_for([&] { return containers_started_for(p).size() == 2; });
    INFO(flowc::test::read_file(err));
    REQUIRE(running);
    return pid;
  };

  SECTION("one Ctrl-C: SIGTERM, then the stop command") {
    pid_t pid = run_until_containers();
    ::kill(pid, SIGINT);
    CHECK(flowc::test::wait_exit(pid) == 130);
    CHECK(containers_started_for(p).empty());
    CHECK(p.count("cancelled") == 2);
  }
  SECTION("two: killed at once, the stop command still runs") {
    pid_t pid = run_until_containers();
    ::kill(pid, SIGINT);
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    ::kill(pid, SIGINT);
    CHECK(flowc::test::wait_exit(pid) == 130);
    CHECK(containers_started_for(p).empty());
  }
  SECTION("kill -9: the next run removes what was left") {
    pid_t pid = run_until_containers();
    ::kill(pid, SIGKILL);
    flowc::test::wait_exit(pid);
    // Nothing stopped them; the next run of this folder does, first thing.
    auto next = p.flowc({"run", "s.flow", "-p", "n=0"});
    INFO(next.err);
    CHECK(next.exit_code == 0);
    CHECK(containers_started_for(p).empty());
  }
}

TEST_CASE("a missing image, engine or shell is one error before anything (in the image) runs", "[containers]") {
  Project p;
  p.write("m.flow", R"(
op local_first() -> (out: file) { run "echo ran > ${out}" }
op needs(x: file) -> (out: file) {
    image "localhost/flowc-no-such-image:1"
    run "cat ${x} > ${out}"
}
workflow main() -> (out: file) {
    a = local_first()
    b = needs(x = a.out)
    return (out = b.out)
}
)");
  auto missing = p.flowc({"run", "m.flow"});
  INFO(missing.err);
  CHECK(missing.exit_code == 2);
  CHECK(missing.err.find("op `needs` (m.flow:3:4) runs in image `localhost/flowc-no-such-image:1`, which podman "
                         "does not have on this machine") != std::string::npos);
  CHECK(missing.err.find("nothing was run") != std::string::npos);
  CHECK(p.events().empty());  // not even the local op started

  auto no_engine = p.flowc({"run", "m.flow", "--container-engine", "docker"}, {"PATH=/nonexistent"});
  INFO(no_engine.err);
  CHECK(no_engine.exit_code == 2);
  CHECK(no_engine.err.find("the container engine `docker` is not installed") != std::string::npos);

  // An image with no shell: a single file imported as a root file system.
  std::string tag = unique_tag("noshell");
  ImageGuard guard{tag, {}};
  p.write("rootfs/hello.txt", "no shell here\n");
  auto imported = flowc::runtime::run_captured({{"/bin/sh", "-c", "tar -C \"$1\" -c . | podman import --quiet - \"$2\"",
                                                 "sh", (p.dir / "rootfs").string(), tag}},
                                               120)[0];
  REQUIRE(imported.exit_code == 0);
  p.write("n.flow", "op x() -> (out: file) {\n    image \"" + tag + "\"\n    run \"true\"\n}\n" +
                        "workflow main() -> (out: file) {\n    a = x()\n    return (out = a.out)\n}\n");
  // Found when its first task is about to start (a run that reuses every
  // task starts no container), and nothing starts after it.
  auto no_shell = p.flowc({"run", "n.flow"});
  INFO(no_shell.err);
  CHECK(no_shell.exit_code == 1);
  CHECK(p.count("started") == 0);
  CHECK(no_shell.err.find("op `x` (n.flow:1:4) runs in image `" + tag + "`, which has no /bin/sh") !=
        std::string::npos);
}

TEST_CASE("a container op asking for more cpus or memory than the machine has fails before it starts", "[containers]") {
  Project p;
  p.write("big.flow", R"(
op huge(i: int) -> (o: file) {
    image "localhost/flow-busybox"
    resources { cpus = 4096 }
    run "echo ${i} > ${o}"
}
op hungry() -> (o: file) {
    image "localhost/flow-busybox"
    resources { mem = 64TiB }
    run "echo > ${o}"
}
op fine() -> (o: file) {
    image "localhost/flow-busybox"
    run "echo fine > ${o}"
}
workflow main() {
    for i in range(2) { h = huge(i = i) with { group = 2 } }
    m = hungry()
    f = fine()
})");
  auto r = p.flowc({"run", "big.flow", "-k"});
  INFO(r.err);
  CHECK(r.exit_code == 1);
  CHECK(r.err.find("op `huge` at main.h[0] (big.flow:17:25) asks for 4096 cpus; this machine has") !=
        std::string::npos);
  CHECK(r.err.find("op `hungry` at main.m (big.flow:18:5) asks for 64TiB of memory") != std::string::npos);
  CHECK(r.err.find("lower its `resources`") != std::string::npos);
  CHECK(r.err.find("(1 ran, 0 cached, 3 failed)") != std::string::npos);  // the op that fits still ran
  CHECK(p.count("started") == 1);
}

TEST_CASE("examples/containers.flow runs in its image", "[containers][examples]") {
  Project p;
  auto r = p.flowc({"run", flowc::test::source_path("examples/containers.flow")});
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  std::string summary = json::parse(p.read("flow-out/outputs.json"))["summary"];
  CHECK(flowc::test::read_file(summary) == "words per file\n42\talpha.txt\n36\tbeta.txt\n");
}

// The image has no bash: the script falls back to busybox's sh, which has
// pipefail, so the strict mode holds; `shell "bash"` says there is none.
TEST_CASE("in a busybox image commands run under sh with -eu and pipefail; shell \"bash\" fails clearly",
          "[containers][shell]") {
  Project p;
  p.write("b.flow", R"(
op which() -> (out: str) {
    image "localhost/flow-busybox"
    run "echo \"$${BASH_VERSION:-busybox sh}\" > ${out}"
}
op plain_sh() -> (out: str) {
    image "localhost/flow-busybox"
    shell "sh"
    run "echo sh > ${out}"
}
op piped() -> (out: file) {
    image "localhost/flow-busybox"
    run "false | true; echo reached > ${out}"
}
op unset() -> (out: file) {
    image "localhost/flow-busybox"
    run "echo \"$FLOWC_TEST_NEVER_SET\" > ${out}"
}
op needs_bash() -> (out: file) {
    image "localhost/flow-busybox"
    shell "bash"
    run "echo hi > ${out}"
}
workflow main() -> (w: str, s: str) {
    w = which()
    s = plain_sh()
    a = piped() with { optional = true }
    b = unset() with { optional = true }
    c = needs_bash() with { optional = true }
    return (w = w.out, s = s.out)
}
)");
  auto r = p.flowc({"run", "b.flow"});
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  json out = json::parse(p.read("flow-out/outputs.json"));
  CHECK(out["w"] == "busybox sh");
  CHECK(out["s"] == "sh");
  CHECK(r.err.find("warning: op `piped` at main.a") != std::string::npos);
  CHECK(r.err.find("FLOWC_TEST_NEVER_SET: parameter not set") != std::string::npos);
  CHECK(r.err.find("op `needs_bash` runs its command with bash (shell \"bash\"), but there is no bash here") !=
        std::string::npos);
  CHECK(r.err.find("5 tasks (2 ran, 0 cached, 3 failed)") != std::string::npos);
}

TEST_CASE("links a container op makes out of its output are refused on the host, nothing of the host published",
          "[containers][links]") {
  Project p;
  // In the container `/`, `/etc` and `/root` are the image's; the links are
  // read on the host, where they would lead to the host's.
  p.write("c.flow", std::string(R"(
op sneaky() -> (out: dir) {
    image ")") + kImage +
                        R"("
    run """
        mkdir ${out}
        echo fine > ${out}/ok
        ln -s / ${out}/root
        ln -s /etc/hostname ${out}/hostname
    """
}
workflow main() -> (out: dir) { s = sneaky()  return (out = s.out) })");
  auto r = p.flowc({"run", "c.flow"});
  INFO(r.err);
  CHECK(r.exit_code == 1);
  CHECK_THAT(r.err, Catch::Contains("output `out` holds a link that leads outside the task's work dir") ||
                        Catch::Contains("a folder that holds it"));
  CHECK_FALSE(p.exists("flow-out/out"));
  CHECK(p.count("failed") == 1);
  CHECK(p.count("finished") == 0);
}

TEST_CASE("containers: a task sees its input and the input's companion by relative paths, read-only",
          "[containers][companions]") {
  Project p("flowc-container companions");
  p.write("data/x.txt", "main\n");
  p.write("data/x.txt.idx", "index\n");
  p.write("c.flow", std::string(R"(
op look(f: file with [".idx"]) -> (o: file = "seen.txt") {
    image ")") + kImage +
                        R"("
    run """
        echo ${f} > ${o}
        cat ${f} ${f}.idx >> ${o}
        if echo x >> ${f}.idx 2>/dev/null; then echo writable >> ${o}; else echo read-only >> ${o}; fi
    """
}
workflow main(f: file with [".idx"] = "data/x.txt") -> (o: file) {
    l = look(f = f)
    return (o = l.o)
})");
  auto r = p.flowc({"run", "c.flow"});
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  CHECK(p.output_file("o") == "inputs/f/x.txt\nmain\nindex\nread-only\n");
  CHECK(p.read("data/x.txt.idx") == "index\n");
}
