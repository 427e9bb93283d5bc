// The command lines each container engine builds. Podman's are also run for
// real (container_test.cpp); docker and apptainer cannot be installed on the
// machines this suite runs on, so what they would be given is checked here.
#include <catch2/catch.hpp>

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
        Argv{"podman", "run", "--rm", "--init", "--pull", "never", "--name", "flowc-r1-42-7", "--label",
             "flowc.run=r1", "--user", "0:0", "--network", "none", "--mount",
             "type=bind,src=/p/.flow/work/ab/cd,dst=/p/.flow/work/ab/cd", "--mount",
             "type=bind,\"src=/data/a b,c.txt\",\"dst=/data/a b,c.txt\",readonly", "--mount",
             "type=bind,\"src=/data/say \"\"hi\"\".txt\",\"dst=/data/say \"\"hi\"\".txt\",readonly", "--workdir",
             "/p/.flow/work/ab/cd", "--env", "GREETING=hi there", "--env", "FLOWC_TASK=main.g[2]", "--cpus", "2",
             "--memory", "1073741824", "f196b20e00b8", "/bin/sh", ".command.sh"});
  CHECK(podman->stop_argv("flowc-r1-42-7") == Argv{"podman", "rm", "--force", "--ignore", "--time", "0", "flowc-r1-42-7"});
  CHECK(podman->image_digest_argv("localhost/x:1") ==
        Argv{"podman", "image", "inspect", "--format", "{{.Id}}", "localhost/x:1"});
  CHECK(podman->probe_argv("abc") ==
        Argv{"podman", "run", "--rm", "--pull", "never", "--network", "none", "abc", "/bin/sh", "-c", "exit 0"});
  CHECK(podman->list_labelled_argv("flowc.state", "/p/.flow") ==
        Argv{"podman", "ps", "--all", "--filter", "label=flowc.state=/p/.flow", "--format", "{{.Names}}"});
  CHECK(podman->list_labelled_argv("flowc.state", "/p \"q\"/.flow") ==
        Argv{"podman", "ps", "--all", "--filter", "\"label=flowc.state=/p \"\"q\"\"/.flow\"", "--format", "{{.Names}}"});
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
  auto has = [&](const Argv& seq) { return std::search(argv.begin(), argv.end(), seq.begin(), seq.end()) != argv.end(); };
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
  CHECK(Argv(argv.begin() + 1, argv.begin() + 12) ==
        Argv{"run", "--rm", "--init", "--pull", "never", "--name", "flowc-r1-42-7", "--label", "flowc.run=r1", "--user",
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
  CHECK(apptainer->run_argv(t) ==
        Argv{"apptainer", "exec", "--containall", "--mount", "type=bind,src=/p/.flow/work/ab/cd,dst=/p/.flow/work/ab/cd",
             "--mount", "type=bind,\"src=/data/a b,c.txt\",\"dst=/data/a b,c.txt\",ro", "--mount",
             "type=bind,\"src=/data/say \"\"hi\"\".txt\",\"dst=/data/say \"\"hi\"\".txt\",ro", "--pwd",
             "/p/.flow/work/ab/cd", "--env", "GREETING=hi there", "--env", "FLOWC_TASK=main.g[2]", "--net", "--network",
             "none", "--cpus", "2", "--memory", "1073741824", "/images/tool.sif", "/bin/sh", ".command.sh"});
  CHECK(apptainer->stop_argv("x").empty());
  CHECK(apptainer->list_labelled_argv("k", "v").empty());
  CHECK(apptainer->image_digest_argv("/images/tool.sif") == Argv{"sha256sum", "--", "/images/tool.sif"});
  CHECK(apptainer->run_reference("/images/tool.sif", "sha256:abc") == "/images/tool.sif");
  std::string hex(64, 'a');
  CHECK(apptainer->parse_image_digest(hex + "  /images/tool.sif\n") == "sha256:" + hex);
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
