// Node-local staging on its own (runtime/executors/batch/staging.h): the
// shell text around a command, run by /bin/sh without any batch system, and
// putting a work dir back after a job that ended without its clean-up; and
// how batch hints reach an executor (batch_hints.h).
#include <filesystem>
#include <string>
#include <vector>

#include <catch2/catch.hpp>

#include "runtime/executors/batch/batch_hints.h"
#include "runtime/executors/batch/staging.h"
#include "runtime/process/run_captured.h"
#include "tests/support/project.h"

namespace fs = std::filesystem;
using namespace flowc::runtime;

namespace {

// A work dir `work` whose command reads `in.txt` (a link to the input
// `source.txt` beside it) and writes `out.txt`, staged in `scratch`.
struct StagedTask {
  flowc::test::Project p{"staging-plan"};
  StagingPlan plan;
  StagedTask() {
    p.write("source.txt", "input\n");
    fs::create_directories(p.dir / "work");
    fs::create_symlink(p.path("source.txt"), p.dir / "work" / "in.txt");
    plan.inputs.push_back({p.path("work/in.txt"), p.path("source.txt")});
    plan.outputs.push_back(p.path("work/out.txt"));
  }
  // Runs `command` in the work dir between staging_start and staging_end.
  Captured run(const std::string& command) {
    std::string script = "cd " + p.path("work") + " || exit 97\n" + staging_start(plan, p.path("scratch"), ">&2") +
                         "if [ $rc -eq 0 ]; then\n" + command + "\nrc=$?\nfi\n" + staging_end(plan, ">&2") +
                         "exit $rc\n";
    return capture_output({"/bin/sh", p.write("staged.sh", script)}, {}, 30);
  }
  bool scratch_empty() const { return fs::is_empty(p.dir / "scratch"); }
};

}  // namespace

TEST_CASE("staging: the command reads a copy in scratch, and its output arrives whole in the work dir", "[staging]") {
  StagedTask t;
  auto r = t.run("readlink -f in.txt > where.txt && cat in.txt > out.txt");
  INFO(r.out << r.err << t.p.read("staged.sh"));
  REQUIRE(r.exit_code == 0);
  // It read the copy in scratch, not the input itself.
  CHECK(t.p.read("work/where.txt").rfind(t.p.path("scratch") + "/flowc-", 0) == 0);
  // The output is a file in the work dir now, no link into scratch.
  CHECK_FALSE(fs::is_symlink(t.p.dir / "work" / "out.txt"));
  CHECK(t.p.read("work/out.txt") == "input\n");
  CHECK_FALSE(t.p.exists("work/out.txt.flowc-moving"));
  // The link names the input again, and scratch is left clean.
  CHECK(fs::read_symlink(t.p.dir / "work" / "in.txt") == fs::path(t.p.path("source.txt")));
  CHECK(t.scratch_empty());
}

TEST_CASE("staging: a failing command leaves no half-written output, in the work dir or in scratch", "[staging]") {
  StagedTask t;
  auto r = t.run("echo half > out.txt; sh -c 'exit 4'");
  CHECK(r.exit_code == 4);
  CHECK_FALSE(fs::exists(fs::symlink_status(t.p.dir / "work" / "out.txt")));
  CHECK(fs::read_symlink(t.p.dir / "work" / "in.txt") == fs::path(t.p.path("source.txt")));
  CHECK(t.p.read("source.txt") == "input\n");
  CHECK(t.scratch_empty());
}

TEST_CASE("staging: an output the command wrote in the work dir itself is kept as it is", "[staging]") {
  StagedTask t;
  // It replaced the link with a file of its own: nothing to move back.
  auto r = t.run("rm out.txt && echo mine > out.txt");
  REQUIRE(r.exit_code == 0);
  CHECK_FALSE(fs::is_symlink(t.p.dir / "work" / "out.txt"));
  CHECK(t.p.read("work/out.txt") == "mine\n");
}

TEST_CASE("staging: unstage puts back a work dir whose job ended without its clean-up", "[staging]") {
  StagedTask t;
  // As a killed job left it: the input link into scratch, the output a
  // link into scratch, a second output half copied back.
  t.p.write("scratch/flowc-x/in/0/in.txt", "input\n");
  t.p.write("scratch/flowc-x/out/0/out.txt", "half\n");
  fs::remove(t.p.dir / "work" / "in.txt");
  fs::create_symlink(t.p.path("scratch/flowc-x/in/0/in.txt"), t.p.dir / "work" / "in.txt");
  fs::create_symlink(t.p.path("scratch/flowc-x/out/0/out.txt"), t.p.dir / "work" / "out.txt");
  t.plan.outputs.push_back(t.p.path("work/other.txt"));
  t.p.write("work/other.txt.flowc-moving", "half\n");
  unstage(t.plan);
  CHECK(fs::read_symlink(t.p.dir / "work" / "in.txt") == fs::path(t.p.path("source.txt")));
  CHECK_FALSE(fs::exists(fs::symlink_status(t.p.dir / "work" / "out.txt")));
  CHECK_FALSE(t.p.exists("work/other.txt.flowc-moving"));
  CHECK(t.p.read("source.txt") == "input\n");
  // Once put back, again changes nothing.
  unstage(t.plan);
  CHECK(fs::read_symlink(t.p.dir / "work" / "in.txt") == fs::path(t.p.path("source.txt")));
}

TEST_CASE("staging: a plan is empty until it has an input or an output", "[staging]") {
  StagingPlan plan;
  CHECK(plan.empty());
  plan.outputs.push_back("out");
  CHECK_FALSE(plan.empty());
  plan = {};
  plan.inputs.push_back({"in", "source"});
  CHECK_FALSE(plan.empty());
}

namespace {

// Counts how its tasks were submitted; `takes_hints`: it offers batch().
struct Counting : Executor, BatchSubmit {
  bool takes_hints = false;
  int plain = 0;
  std::vector<BatchHints> hinted;
  std::string name() const override { return "counting"; }
  int default_jobs() const override { return 1; }
  std::optional<Misfit> never_fits(const LaunchSpec&) const override { return std::nullopt; }
  bool has_room(const LaunchSpec&) const override { return true; }
  uint64_t submit(const LaunchSpec&) override { return ++plain; }
  uint64_t submit(const LaunchSpec&, const BatchHints& hints) override {
    hinted.push_back(hints);
    return 100 + hinted.size();
  }
  void cancel(uint64_t) override {}
  std::vector<Outcome> collect() override { return {}; }
  std::optional<Clock::time_point> next_deadline() const override { return std::nullopt; }
  BatchSubmit* batch() override { return takes_hints ? this : nullptr; }
};

}  // namespace

TEST_CASE("batch hints reach only an executor that takes them, the spec alone any other", "[staging]") {
  BatchHints hints;
  hints.kind = "align";
  hints.staging.outputs.push_back("out");
  Counting plain;
  CHECK(submit_with_hints(plain, LaunchSpec{}, hints) == 1);
  CHECK(plain.plain == 1);
  CHECK(plain.hinted.empty());
  Counting batch;
  batch.takes_hints = true;
  CHECK(submit_with_hints(batch, LaunchSpec{}, hints) == 101);
  CHECK(batch.plain == 0);
  REQUIRE(batch.hinted.size() == 1);
  CHECK(batch.hinted[0].kind == "align");
  CHECK(batch.hinted[0].staging.outputs == std::vector<std::string>{"out"});
}
