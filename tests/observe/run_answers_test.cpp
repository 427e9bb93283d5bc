// flowc serve's kept answers to GET /api/runs/{id} (runtime/serve/
// run_answers.h): a run's tasks are counted again only when its journal
// changed, its duration still moves, and a run that is not there is none.
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <latch>
#include <thread>
#include <vector>

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "runtime/serve/run_answers.h"
#include "runtime/store/store.h"
#include "tests/support/project.h"

using flowc::runtime::Store;
using flowc::runtime::TaskRecord;
using flowc::runtime::TaskState;
using flowc::runtime::serve::RunAnswers;
using flowc::runtime::serve::StateFolder;
using flowc::test::Project;
using nlohmann::json;
namespace fs = std::filesystem;

namespace {

TaskRecord task_of(const std::string& run, const std::string& path, const std::string& op, TaskState state) {
  TaskRecord t;
  t.run_id = run;
  t.path = path;
  t.op = op;
  t.state = state;
  return t;
}

// Past the time an answer is given again without a look at the journal.
void let_answer_age() { std::this_thread::sleep_for(RunAnswers::kFreshFor + std::chrono::milliseconds(30)); }

}  // namespace

TEST_CASE("a run's tasks are counted again only when its journal changed", "[serve]") {
  Project p;
  fs::create_directories(p.path(".flow"));
  auto writer = Store::open(p.path(".flow/flow.db"));
  std::string id = writer->begin_run(json{{"workflow", "main"}, {"pid", ::getpid()}});
  writer->record_task(task_of(id, "main.a[0]", "a", TaskState::Succeeded));
  writer->record_task(task_of(id, "main.a[1]", "a", TaskState::Running));
  writer->flush();

  StateFolder folder;
  folder.dir = p.path(".flow");
  folder.store = Store::open_for_reading(p.path(".flow/flow.db"));
  RunAnswers answers;

  json first = json::parse(answers.get(folder, id).value());
  CHECK(answers.counted() == 1);
  CHECK(first["tasks"] == 2);
  CHECK(first["ops"]["a"]["running"] == 1);
  CHECK(first["state_dir"] == folder.dir);

  SECTION("an unchanged journal is not counted again, but the duration moves on") {
    let_answer_age();
    json second = json::parse(answers.get(folder, id).value());
    CHECK(answers.counted() == 1);
    CHECK(second["counts"] == first["counts"]);
    CHECK(second["duration"].get<double>() > first["duration"].get<double>());
  }
  SECTION("within kFreshFor the same answer is given without a look") {
    writer->record_task(task_of(id, "main.a[1]", "a", TaskState::Succeeded));
    writer->flush();
    CHECK(answers.get(folder, id).value() == first.dump());
    CHECK(answers.counted() == 1);
  }
  SECTION("a change to the journal is counted once the answer has aged") {
    writer->record_task(task_of(id, "main.a[1]", "a", TaskState::Succeeded));
    writer->record_task(task_of(id, "main.b", "b", TaskState::Failed));
    writer->flush();
    let_answer_age();
    json second = json::parse(answers.get(folder, id).value());
    CHECK(answers.counted() == 2);
    CHECK(second["tasks"] == 3);
    CHECK(second["ops"]["a"]["succeeded"] == 2);
    CHECK(second["ops"]["b"]["failed"] == 1);
    CHECK_FALSE(second["ops"]["a"].contains("running"));
  }
  SECTION("a finished run is answered as finished and not counted again") {
    writer->finish_run(id, "succeeded");
    let_answer_age();
    json done = json::parse(answers.get(folder, id).value());
    CHECK(done["state"] == "succeeded");
    CHECK(answers.counted() == 2);
    let_answer_age();
    CHECK(answers.get(folder, id).value() == done.dump());
    CHECK(answers.counted() == 2);
  }
  SECTION("requests that come together count the tasks once: the others get the last answer") {
    writer->record_task(task_of(id, "main.a[1]", "a", TaskState::Succeeded));
    writer->flush();
    let_answer_age();
    std::vector<std::thread> pages;
    std::vector<std::string> seen(16);
    std::latch together(static_cast<std::ptrdiff_t>(seen.size()));
    for (size_t i = 0; i < seen.size(); ++i) {
      pages.emplace_back([&, i] {
        together.arrive_and_wait();
        seen[i] = answers.get(folder, id).value();
      });
    }
    for (std::thread& t : pages) t.join();
    CHECK(answers.counted() == 2);
    for (const std::string& text : seen) {
      int succeeded = json::parse(text)["ops"]["a"].value("succeeded", 0);
      CHECK((succeeded == 1 || succeeded == 2));  // the last answer, or the new one
    }
  }
  SECTION("a run the journal does not have is none") {
    CHECK_FALSE(answers.get(folder, "20990101-000000-00000").has_value());
  }
}
