// The command lines each container engine builds. Podman's and
// Charliecloud's are also run for real (container_test.cpp,
// charliecloud_test.cpp); docker and apptainer cannot be installed on the
// machines this suite runs on, so what they would be given is checked here.
#include <algorithm>

#include <catch2/catch.hpp>

#include "runtime/containers/charliecloud_engine.h"
#include "runtime/containers/container_engine.h"

using namespace flowc::runtime;
using Argv = std::vector<std::string>;

namespace {

ContainerTask sample_task() {
  ContainerTask t;
  t.name = "flowc-r1-42-7";
  t.image = "f196b20e00b8";
  t.work_dir = "/p/.flow/work/ab/cd";
  t.read_only = {"/data/a b,c.txt", "/data/say \"hi\".txt"};
  t.env = {{"GREETING", "hi there"}, {"FLOWC_TASK", "main.g[2]"}};
  t.labels = {{"flowc.run", "r1"}};
  t.command = {"/bin/sh", ".command.sh"};
  t.cpus = 2;
  t.mem_bytes = 1 << 30;
  t.uid = 0;
  t.gid = 0;
  return t;
}

}  // namespace

TEST_CASE("podman: run, stop, digest, probe and list command lines", "[containers]") {
  auto podman = make_container_engine("podman");
  REQUIRE(podman);
  CHECK(podman->run_argv(sample_task()) ==
        Argv{"podman",       "run",
             "--rm",         "--init",
             "--pull",       "never",
             "--name",       "flowc-r1-42-7",
             "--label",      "flowc.run=r1",
             "--user",       "0:0",
             "--network",    "none",
             "--mount",      "type=bind,src=/p/.flow/work/ab/cd,dst=/p/.flow/work/ab/cd",
             "--mount",      "type=bind,\"src=/data/a b,c.txt\",\"dst=/data/a b,c.txt\",readonly",
             "--mount",      "type=bind,\"src=/data/say \"\"hi\"\".txt\",\"dst=/data/say \"\"hi\"\".txt\",readonly",
             "--workdir",    "/p/.flow/work/ab/cd",
             "--env",        "GREETING=hi there",
             "--env",        "FLOWC_TASK=main.g[2]",
             "--cpus",       "2",
             "--memory",     "1073741824",
             "f196b20e00b8", "/bin/sh",
             ".command.sh"});
  CHECK(podman->stop_argv("flowc-r1-42-7") ==
        Argv{"podman", "rm", "--force", "--ignore", "--time", "0", "flowc-r1-42-7"});
  CHECK(podman->image_digest_argv("localhost/x:1") ==
        Argv{"podman", "image", "inspect", "--format", "{{.Id}}", "localhost/x:1"});
  CHECK(podman->probe_argv("abc") ==
        Argv{"podman", "run", "--rm", "--pull", "never", "--network", "none", "abc", "/bin/sh", "-c", "exit 0"});
  CHECK(podman->list_labelled_argv("flowc.state", "/p/.flow") ==
        Argv{"podman", "ps", "--all", "--filter", "label=flowc.state=/p/.flow", "--format", "{{.Names}}"});
  CHECK(podman->list_labelled_argv("flowc.state", "/p \"q\"/.flow") == Argv{"podman", "ps", "--all", "--filter",
                                                                            "\"label=flowc.state=/p \"\"q\"\"/.flow\"",
                                                                            "--format", "{{.Names}}"});
  CHECK(podman->run_reference("localhost/x:1", "sha256:abc") == "abc");
}

TEST_CASE("podman: a rootless user keeps their id, network and limits only when asked", "[containers]") {
  auto podman = make_container_engine("podman");
  ContainerTask t = sample_task();
  t.uid = 1000;
  t.gid = 100;
  t.network = true;
  t.cpus.reset();
  t.mem_bytes.reset();
  Argv argv = podman->run_argv(t);
  auto has = [&](const Argv& seq) {
    return std::search(argv.begin(), argv.end(), seq.begin(), seq.end()) != argv.end();
  };
  CHECK(has({"--userns", "keep-id", "--user", "1000:100"}));
  CHECK_FALSE(has({"--network"}));
  CHECK_FALSE(has({"--cpus"}));
  CHECK_FALSE(has({"--memory"}));
}

TEST_CASE("docker: the same run options, rm -f to stop, no userns", "[containers]") {
  auto docker = make_container_engine("docker");
  REQUIRE(docker);
  ContainerTask t = sample_task();
  t.uid = 1000;
  t.gid = 100;
  Argv argv = docker->run_argv(t);
  CHECK(argv.front() == "docker");
  CHECK(Argv(argv.begin() + 1, argv.begin() + 12) == Argv{"run", "--rm", "--init", "--pull", "never", "--name",
                                                          "flowc-r1-42-7", "--label", "flowc.run=r1", "--user",
                                                          "1000:100"});
  CHECK(std::find(argv.begin(), argv.end(), "--userns") == argv.end());
  CHECK(docker->stop_argv("n") == Argv{"docker", "rm", "--force", "n"});
  CHECK(docker->list_labelled_argv("k", "v \"w\"") ==
        Argv{"docker", "ps", "--all", "--filter", "label=k=v \"w\"", "--format", "{{.Names}}"});
  CHECK(docker->image_digest_argv("img") == Argv{"docker", "image", "inspect", "--format", "{{.Id}}", "img"});
}

TEST_CASE("apptainer: exec with mounts, no names to stop, images are files", "[containers]") {
  auto apptainer = make_container_engine("apptainer");
  REQUIRE(apptainer);
  ContainerTask t = sample_task();
  t.image = "/images/tool.sif";
  CHECK(apptainer->run_argv(t) == Argv{"apptainer",
                                       "exec",
                                       "--containall",
                                       "--mount",
                                       "type=bind,src=/p/.flow/work/ab/cd,dst=/p/.flow/work/ab/cd",
                                       "--mount",
                                       "type=bind,\"src=/data/a b,c.txt\",\"dst=/data/a b,c.txt\",ro",
                                       "--mount",
                                       "type=bind,\"src=/data/say \"\"hi\"\".txt\",\"dst=/data/say \"\"hi\"\".txt\",ro",
                                       "--pwd",
                                       "/p/.flow/work/ab/cd",
                                       "--env",
                                       "GREETING=hi there",
                                       "--env",
                                       "FLOWC_TASK=main.g[2]",
                                       "--net",
                                       "--network",
                                       "none",
                                       "--cpus",
                                       "2",
                                       "--memory",
                                       "1073741824",
                                       "/images/tool.sif",
                                       "/bin/sh",
                                       ".command.sh"});
  CHECK(apptainer->stop_argv("x").empty());
  CHECK(apptainer->list_labelled_argv("k", "v").empty());
  CHECK(apptainer->image_digest_argv("/images/tool.sif") == Argv{"sha256sum", "--", "/images/tool.sif"});
  CHECK(apptainer->run_reference("/images/tool.sif", "sha256:abc") == "/images/tool.sif");
  std::string hex(64, 'a');
  CHECK(apptainer->parse_image_digest(hex + "  /images/tool.sif\n") == "sha256:" + hex);
}

TEST_CASE("charliecloud: ch-run by name from its storage, binds, read-only inputs, no network, only the op's env",
          "[containers]") {
  CharliecloudEngine charliecloud("/var/tmp/me.ch");
  CHECK(charliecloud.image_dir("localhost/flow-busybox") == "/var/tmp/me.ch/img/localhost%flow-busybox+latest");
  CHECK(charliecloud.image_dir("example.com:5050/a/b:v2") == "/var/tmp/me.ch/img/example.com+5050%a%b+v2");
  CHECK(charliecloud.image_dir("/images/tool") == "/images/tool");
  ContainerTask t = sample_task();
  t.image = "localhost/tool";
  t.read_only.push_back("/tmp/seen-through-tmp.txt");
  Argv argv = charliecloud.run_argv(t);
  // On the host: mount points for what ch-run binds (not what is under
  // /tmp, which the container sees through the host's /tmp), then ch-run
  // in a network namespace of its own.
  auto dash = std::find(argv.begin(), argv.end(), "--");
  REQUIRE(dash != argv.end());
  CHECK(Argv(argv.begin(), argv.begin() + 2) == Argv{"sh", "-c"});
  CHECK(Argv(argv.begin() + 3, dash) == Argv{"flowc-charliecloud", "/var/tmp/me.ch/img/localhost%tool+latest",
                                             "/p/.flow/work/ab/cd", "/data/a b,c.txt", "/data/say \"hi\".txt"});
  Argv rest(dash + 1, argv.end());
  CHECK(Argv(rest.begin(), rest.begin() + 5) == Argv{"unshare", "--net", "--map-root-user", "--", "ch-run"});
  auto has = [&](const Argv& seq) {
    return std::search(rest.begin(), rest.end(), seq.begin(), seq.end()) != rest.end();
  };
  CHECK(has({"-u", "0", "-g", "0", "--unset-env=*", "--env-no-expand"}));
  CHECK(has({"--set-env=GREETING='hi there'", "--set-env=FLOWC_TASK='main.g[2]'"}));
  CHECK(has({"-b", "/p/.flow/work/ab/cd:/p/.flow/work/ab/cd", "-b", "/data/a b,c.txt:/data/a b,c.txt"}));
  CHECK_FALSE(has({"-b", "/tmp/seen-through-tmp.txt:/tmp/seen-through-tmp.txt"}));
  CHECK(has({"-c", "/p/.flow/work/ab/cd", "-s", "/var/tmp/me.ch", "localhost/tool:latest", "--", "/bin/sh", "-c"}));
  // In the container: every input made read-only, then the command.
  CHECK(Argv(rest.end() - 6, rest.end()) ==
        Argv{"/data/a b,c.txt", "/data/say \"hi\".txt", "/tmp/seen-through-tmp.txt", "--", "/bin/sh", ".command.sh"});
  // Network when asked: ch-run alone.
  t.network = true;
  Argv online = charliecloud.run_argv(t);
  CHECK(std::find(online.begin(), online.end(), "unshare") == online.end());
  // Nothing to stop but the process group, no names, no sharing; an image
  // by path is given as it is.
  CHECK(charliecloud.stop_argv("x").empty());
  CHECK(charliecloud.list_labelled_argv("k", "v").empty());
  CHECK_FALSE(charliecloud.can_share());
  CHECK(charliecloud.run_reference("localhost/tool", "sha256:abc") == "localhost/tool");
  Argv probe = charliecloud.probe_argv("/images/tool");
  CHECK(Argv(probe.end() - 5, probe.end()) == Argv{"/images/tool", "--", "/bin/sh", "-c", "exit 0"});
  Argv digest = charliecloud.image_digest_argv("localhost/tool");
  CHECK(digest.back() == "/var/tmp/me.ch/img/localhost%tool+latest");
  REQUIRE(make_container_engine("charliecloud"));
  CHECK(make_container_engine("charliecloud")->program() == "ch-run");
}

TEST_CASE("image digests are read strictly, unknown engines are refused", "[containers]") {
  auto podman = make_container_engine("podman");
  std::string hex = "f196b20e00b82d14655f2f6073ddf2bc03c8d7c69f348472011179cd854bb79d";
  CHECK(podman->parse_image_digest(hex + "\n") == "sha256:" + hex);
  CHECK(podman->parse_image_digest("sha256:" + hex) == "sha256:" + hex);
  CHECK(podman->parse_image_digest("Error: no such image") == "");
  CHECK(podman->parse_image_digest(hex.substr(1)) == "");
  CHECK(make_container_engine("rkt") == nullptr);
  CHECK(csv_field("/plain/path") == "/plain/path");
  CHECK(csv_field("a,b") == "\"a,b\"");
  CHECK(csv_field("say \"x\"") == "\"say \"\"x\"\"\"");
}

TEST_CASE("a shared container is kept on its stdin and mounts every item", "[containers][group]") {
  ContainerTask shared = sample_task();
  shared.work_dir.clear();
  shared.read_write = {"/w/1", "/w/2"};
  shared.read_only.clear();
  shared.env.clear();
  shared.cpus.reset();
  shared.mem_bytes.reset();
  shared.keep_stdin = true;
  shared.command = {"/bin/sh", "-c", "wait"};
  auto podman = make_container_engine("podman");
  CHECK(podman->run_argv(shared) == Argv{"podman",
                                         "run",
                                         "--rm",
                                         "--init",
                                         "--pull",
                                         "never",
                                         "--name",
                                         "flowc-r1-42-7",
                                         "--interactive",
                                         "--label",
                                         "flowc.run=r1",
                                         "--user",
                                         "0:0",
                                         "--network",
                                         "none",
                                         "--mount",
                                         "type=bind,src=/w/1,dst=/w/1",
                                         "--mount",
                                         "type=bind,src=/w/2,dst=/w/2",
                                         "f196b20e00b8",
                                         "/bin/sh",
                                         "-c",
                                         "wait"});
  CHECK(podman->can_share());
  CHECK(make_container_engine("docker")->can_share());
  // Apptainer containers have no names to stop them by: each item its own.
  CHECK_FALSE(make_container_engine("apptainer")->can_share());
}

// No GPU on the machines this suite runs on: only the command lines are
// checked, never a container that uses one.
TEST_CASE("gpus: podman through CDI, docker by count, apptainer --nv, and none unless asked", "[containers]") {
  ContainerTask t = sample_task();
  auto has = [](const Argv& argv, const Argv& part) {
    return std::search(argv.begin(), argv.end(), part.begin(), part.end()) != argv.end();
  };
  auto before_image = [](const Argv& argv, const std::string& option) {
    auto o = std::find(argv.begin(), argv.end(), option);
    auto i = std::find(argv.begin(), argv.end(), std::string("f196b20e00b8"));
    return o < i;
  };
  auto podman = make_container_engine("podman"), docker = make_container_engine("docker"),
       apptainer = make_container_engine("apptainer");
  CHECK_FALSE(has(podman->run_argv(t), {"--device"}));
  CHECK_FALSE(has(docker->run_argv(t), {"--gpus"}));
  CHECK_FALSE(has(apptainer->run_argv(t), {"--nv"}));
  t.gpus = 2;
  CHECK(has(podman->run_argv(t), {"--device", "nvidia.com/gpu=all"}));
  CHECK(before_image(podman->run_argv(t), "--device"));
  CHECK(has(docker->run_argv(t), {"--gpus", "2"}));
  CHECK(before_image(docker->run_argv(t), "--gpus"));
  CHECK(has(apptainer->run_argv(t), {"--nv"}));
  CHECK(before_image(apptainer->run_argv(t), "--nv"));
}
