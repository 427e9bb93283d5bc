// Profiles: choosing an executor and its settings from a JSON file, and every
// mistake in one named with where it is.
#include <catch2/catch.hpp>

#include "runtime/executors/make_executor.h"
#include "runtime/containers/container_settings.h"
#include "runtime/executors/profile.h"
#include "tests/runtime/hpc_project.h"

using flowc::test::HpcProject;
using nlohmann::json;
namespace rt = flowc::runtime;

namespace {

std::string joined(const std::vector<std::string>& lines) {
  std::string out;
  for (const auto& l : lines) out += l + "\n";
  return out;
}

}  // namespace

TEST_CASE("a profile names the default executor and its settings, --executor wins", "[profile]") {
  HpcProject p("profile");
  std::string path = p.write("cluster.json", R"({
    // comments are allowed
    "executor": "slurm",
    "executors": {
      "slurm": {"partition": "short", "max_queued": 50, "poll_interval": "2s"},
      "local": {}
    }
  })");
  std::vector<std::string> errors;
  auto choice = rt::choose_executor(path, "", json::object(), &errors);
  REQUIRE(choice);
  CHECK(choice->name == "slurm");
  CHECK(choice->settings["partition"] == "short");
  auto made = rt::make_executor(*choice, &errors);
  INFO(joined(errors));
  REQUIRE(made);
  CHECK(made->name() == "slurm");
  CHECK(made->default_jobs() == 50);

  auto local = rt::choose_executor(path, "local", json::object(), &errors);
  REQUIRE(local);
  CHECK(local->name == "local");
  CHECK(rt::make_executor(*local, &errors)->name() == "local");

  auto none = rt::choose_executor("", "", json::object(), &errors);
  REQUIRE(none);
  CHECK(none->name == "local");
}

TEST_CASE("mistakes in a profile are all reported, with where they are", "[profile]") {
  HpcProject p("profile-bad");
  std::vector<std::string> errors;

  std::string broken = p.write("broken.json", "{\n  \"executor\": \"slurm\",\n  \"executors\": {,}\n}\n");
  CHECK_FALSE(rt::choose_executor(broken, "", json::object(), &errors));
  REQUIRE(errors.size() == 1);
  CHECK(errors[0].find("broken.json:3:") != std::string::npos);
  CHECK(errors[0].find("not valid JSON") != std::string::npos);

  errors.clear();
  std::string unknown = p.write("unknown.json", R"({"executor": "slurm", "exectors": {}, "executors": {"slrum": {}}})");
  CHECK_FALSE(rt::choose_executor(unknown, "", json::object(), &errors));
  std::string all = joined(errors);
  CHECK(all.find("unknown key `exectors`") != std::string::npos);
  CHECK(all.find("executors.slrum: unknown executor") != std::string::npos);

  errors.clear();
  std::string typo = p.write("typo.json", R"({"executors": {"slurm": {"partiton": "x", "max_queued": 0,
                                             "poll_interval": "fast"}}})");
  auto choice = rt::choose_executor(typo, "slurm", json::object(), &errors);
  REQUIRE(choice);
  CHECK_FALSE(rt::make_executor(*choice, &errors));
  all = joined(errors);
  CHECK(all.find("typo.json: executors.slurm: unknown setting `partiton`; the settings are: account,") !=
        std::string::npos);
  CHECK(all.find("executors.slurm.max_queued: expected a whole number of at least 1, found 0") != std::string::npos);
  CHECK(all.find("executors.slurm.poll_interval: expected a duration") != std::string::npos);

  errors.clear();
  auto nope = rt::choose_executor("", "kubernetes", json::object(), &errors);
  REQUIRE(nope);
  CHECK_FALSE(rt::make_executor(*nope, &errors));
  CHECK(joined(errors).find("unknown executor `kubernetes`; the executors are: local, slurm") != std::string::npos);
}

TEST_CASE("flowc run says what is wrong with --executor, --profile and --nodes, and runs nothing", "[profile]") {
  HpcProject p("profile-cli");
  p.write("w.flow",
          "op a() -> (o: file) { run \"echo > ${o}\" }\nworkflow main() -> (o: file) { x = a()\n return (o = x.o) }\n");
  auto r = p.flowc({"run", "w.flow", "--executor", "kubernetes"});
  CHECK(r.exit_code == 2);
  CHECK(r.err.find("unknown executor `kubernetes`") != std::string::npos);
  CHECK(r.err.find("nothing was run") != std::string::npos);

  auto nodes = p.flowc({"run", "w.flow", "--nodes", "2"});
  CHECK(nodes.exit_code == 2);
  CHECK(nodes.err.find("use them with --executor slurm-pilot") != std::string::npos);

  p.write("local.json", R"({"executor": "local"})");
  auto ok = p.flowc({"run", "w.flow", "--profile", "local.json"});
  INFO(ok.err);
  CHECK(ok.exit_code == 0);
}

TEST_CASE("the local executor refuses gpus it does not have", "[profile]") {
  HpcProject p("local-gpu");
  p.write("g.flow", R"(
op train() -> (o: file) {
    resources { gpus = 1 }
    run "echo > ${o}"
}
workflow main() -> (o: file) {
    t = train()
    return (o = t.o)
}
)");
  auto r = p.flowc({"run", "g.flow"});
  INFO(r.err);
  CHECK(r.exit_code == 1);
  CHECK(r.err.find("op `train` at main.t (g.flow:7:5) asks for 1 gpu; the local executor has none") !=
        std::string::npos);
}

TEST_CASE("the container engine and group: --container-engine, then the profile, then podman",
          "[profile][containers]") {
  HpcProject p("profile-containers");
  std::vector<std::string> errors;
  auto plain = rt::choose_containers("", "", &errors);
  REQUIRE(plain);
  CHECK(plain->engine == "podman");
  CHECK(plain->group == 0);

  std::string good = p.write("c.json", R"({"containers": {"engine": "apptainer", "group": 10}})");
  auto from_profile = rt::choose_containers(good, "", &errors);
  REQUIRE(from_profile);
  CHECK(from_profile->engine == "apptainer");
  CHECK(from_profile->group == 10);
  auto overridden = rt::choose_containers(good, "docker", &errors);
  REQUIRE(overridden);
  CHECK(overridden->engine == "docker");
  CHECK(errors.empty());
  // The executor's reading of the same file accepts the key.
  CHECK(rt::choose_executor(good, "", json::object(), &errors));
  CHECK(errors.empty());

  std::string bad = p.write("bad.json", R"({"containers": {"engine": "lxc", "group": -2, "size": 3}})");
  CHECK_FALSE(rt::choose_containers(bad, "", &errors));
  std::string all = joined(errors);
  CHECK(all.find("bad.json: containers.engine: `lxc` is not a container engine flowc knows; the engines are: "
                 "podman, docker, apptainer, charliecloud") != std::string::npos);
  CHECK(all.find("bad.json: containers.group must be a whole number") != std::string::npos);
  CHECK(all.find("bad.json: containers.size: unknown setting") != std::string::npos);

  // On the command line, an unknown engine is refused before anything runs.
  p.write("w.flow",
          "op a() -> (o: file) { run \"echo > ${o}\" }\nworkflow main() -> (o: file) { x = a()\n return (o = x.o) }\n");
  auto r = p.flowc({"run", "w.flow", "--container-engine", "lxc"});
  CHECK(r.exit_code == 2);
  CHECK(r.err.find("lxc") != std::string::npos);
  auto from_file = p.flowc({"run", "w.flow", "--profile", "bad.json"});
  CHECK(from_file.exit_code == 2);
  CHECK(from_file.err.find("containers.engine: `lxc` is not a container engine") != std::string::npos);
  CHECK(from_file.err.find("nothing was run") != std::string::npos);
}

TEST_CASE("an op asking for an executor that does not exist is named with where it is, and nothing runs", "[profile]") {
  HpcProject p("op-executor");
  p.write("w.flow",
          "op a() -> (o: file) {\n    executor \"kubernetes\"\n    run \"echo > ${o}\"\n}\n"
          "workflow main() -> (o: file) { x = a()\n return (o = x.o) }\n");
  auto r = p.flowc({"run", "w.flow"});
  INFO(r.err);
  CHECK(r.exit_code == 2);
  CHECK(r.err.find("op `a` (w.flow:1:4) asks for executor `kubernetes`: unknown executor `kubernetes`; the "
                   "executors are: local, slurm, slurm-pilot") != std::string::npos);
  CHECK(r.err.find("nothing was run") != std::string::npos);
  CHECK_FALSE(std::filesystem::exists(p.dir / "flow-out"));
}
