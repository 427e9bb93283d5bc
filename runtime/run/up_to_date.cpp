// A no-op rerun told by the run's summary (runtime/run/run_summary.h): the
// run loop's steps that write a summary at the end of a run in which
// everything succeeded, and that read it at the start of the next, where
// nothing changed, to do what an ordinary no-op rerun does (journal every
// task as cached, emit their events, print the same lines) without planning,
// hashing or looking up a single task.
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>

#include <fmt/format.h>

#include "ir/ir_json.h"
#include "runtime/hash/hash.h"
#include "runtime/observe/run_graph.h"
#include "runtime/run/run_loop.h"
#include "runtime/streams/stream_tasks.h"

namespace flowc::runtime {

// Only where a summary can say all that matters: the local executor (a
// batch job or an image outlives what stat can see), every task of the
// workflow (not --until), run (not only planned), and the runtime's own
// executor. A run with --fresh or --rerun may write one (everything it ran
// is in the cache when it ends), never read one.
bool RunLoop::may_summarize() const {
  if (options_.dry_run || !options_.until.empty()) return false;
  if (options_.make_executor || options_.executor.name != "local") return false;
  for (const ir::Op& op : program_.ops) {
    if (op.image || op.executor) return false;
  }
  return !streams::uses_streams(program_);
}

// Everything that decides what the run runs and says, but the files it
// reads (those are signed): this flowc, the IR, the workflow and its inputs,
// where it runs from and publishes to, and the options that change a task's
// key or its outcome.
std::string RunLoop::run_digest() const {
  std::string text = "flowc run summary 1\n";
  struct stat st {};
  ::stat("/proc/self/exe", &st);  // a rebuilt flowc may make other keys
  text += fmt::format("{} {} {} {} {}\n", st.st_dev, st.st_ino, st.st_size, st.st_mtim.tv_sec, st.st_mtim.tv_nsec);
  text += ir::to_json(program_).dump();
  text += '\n';
  Value options = {{"workflow", workflow_.id},
                   {"inputs", inputs_},
                   {"cwd", fs::current_path().string()},
                   {"state", state_.string()},
                   {"outdir", fs::absolute(options_.outdir).lexically_normal().string()},
                   {"publish", static_cast<int>(options_.publish)},
                   {"keep_going", options_.keep_going},
                   {"max_depth", options_.max_depth},
                   {"container_engine", options_.container_engine},
                   {"container_group", options_.container_group},
                   {"executor", options_.executor.settings},
                   {"publishable", options_.publishable}};
  for (const auto& [name, choice] : options_.op_executors) options["op_executors"][name] = choice.settings;
  text += options.dump();
  return hash_bytes(text);
}

std::optional<RunResult> RunLoop::replay_if_up_to_date() {
  if (!may_summarize()) return std::nullopt;
  digest_ = run_digest();
  if (options_.fresh || !options_.rerun.empty()) return std::nullopt;  // asked to run things again
  std::string path = summary_path(state_.string(), digest_);
  auto summary = read_summary(path);
  auto declined = [&]() -> std::optional<RunResult> {
    // What did not hold is gone: the run that follows writes it anew.
    if (summary) ::unlink(path.c_str());
    return std::nullopt;
  };
  if (!summary || summary->digest != digest_) return declined();
  // The journal: no run left unfinished (its tasks would be settled
  // first), the cache as it was, the run it copies there and whole.
  if (!store_->unfinished_runs().empty() || !store_->left_running("").empty()) return declined();
  if (store_->cache_generation() != summary->cache_generation) return declined();
  if (!store_->replayable(summary->source_run, summary->tasks.size())) return declined();
  // Every file as it was.
  if (!first_change(*summary).empty()) return declined();
  Value published = Value::parse(summary->published, nullptr, false);
  if (published.is_discarded() || published.is_null()) return declined();

  start_time_ = now_seconds();
  begin_journal();
  // Each task's `cached` event, as emit() writes it (keys in order), at
  // the time the journal gives it (the run's start).
  std::string time = Value(store_->record_replay(run_id_, summary->source_run)).dump();
  auto json = [](const std::string& s) { return Value(s).dump(-1, ' ', false, Value::error_handler_t::replace); };
  std::string line;
  for (const SummaryTask& t : summary->tasks) {
    line = R"({"event":"cached","op":)";
    line += json(t.op);
    line += R"(,"task":)";
    line += json(t.path);
    line += R"(,"time":)";
    line += time;
    line += R"(,"work_dir":)";
    line += json(t.work_dir);
    line += '}';
    events_->write_line(line);
    progress_->cached(t.path, t.op);
  }
  cached_ = summary->tasks.size();
  double seconds = now_seconds() - start_time_;
  events_->emit("run_finished", {{"run_id", run_id_},
                                 {"status", "succeeded"},
                                 {"seconds", seconds},
                                 {"tasks", cached_},
                                 {"ran", 0},
                                 {"cached", cached_},
                                 {"failed", 0},
                                 {"cancelled", 0},
                                 {"not_started", 0},
                                 {"outputs", published}});
  store_->finish_run(run_id_, "succeeded");
  store_->flush();
  events_->flush();
  progress_->clear();
  print_summary("succeeded", seconds, 0, published, true);
  return RunResult{0, run_id_};
}

// A task that ended well, for the run's summary.
void RunLoop::ended_well(const Task& task, const std::string& key, const std::string& work_dir) {
  if (digest_.empty()) return;
  done_.push_back({task.id, key, {task.path, task.op->id, work_dir}});
}

// Written only when a rerun would find every task in the cache: each task's
// cache entry is there, nothing the plan read could be read differently,
// and nothing was left to explain.
void RunLoop::save_summary(const Value& published) {
  if (digest_.empty() || published.is_null() || !witness_.why_unrepeatable().empty()) return;
  if (!plan_->problems().empty() || done_.size() != plan_->tasks_made()) return;
  RunSummary summary;
  summary.digest = digest_;
  summary.source_run = run_id_;
  summary.cache_generation = store_->cache_generation();
  summary.published = published.dump();
  // In the order an ordinary rerun meets them (the plan's, by task id),
  // not the order they ended, which two tasks in flight may swap.
  std::stable_sort(done_.begin(), done_.end(), [](const DoneTask& a, const DoneTask& b) { return a.id < b.id; });
  std::set<std::string> seen;
  std::set<std::string> keys;
  for (DoneTask& done : done_) {
    summary.tasks.push_back(std::move(done.summary));
    if (!keys.insert(done.key).second) continue;
    auto entry = store_->cache_find(done.key);
    if (!entry) return;  // `cache false`: a rerun runs it again
    if (!entry->fingerprint.is_object()) continue;
    for (auto& [path, print] : entry->fingerprint.items()) {
      if (!sign_path(path, seen, summary.files)) return;
    }
  }
  for (const std::string& path : witness_.paths()) {
    if (!sign_path(path, seen, summary.files)) return;
  }
  // The workflow's own input files, even one no task read: the run checks
  // that each is there before it starts.
  bool signed_inputs = true;
  for (const ir::Port& port : workflow_.inputs) {
    for_each_path(inputs_.value(port.name, Value()), port.type, [&](const std::string& path, bool) {
      signed_inputs = sign_path(path, seen, summary.files) && signed_inputs;
    });
  }
  if (!signed_inputs) return;
  summary.globs = witness_.globs();
  // What was published, as it is now: a rerun that finds it so need not
  // publish it again.
  fs::path outdir = fs::absolute(options_.outdir).lexically_normal();
  for (const ir::Port& port : workflow_.outputs) {
    if (!sign_path((outdir / port.name).string(), seen, summary.files)) return;
  }
  sign_path((outdir / "outputs.json").string(), seen, summary.files);
  std::string error;
  write_summary(summary_path(state_.string(), digest_), summary, &error);  // if not, the next rerun is ordinary
}

}  // namespace flowc::runtime
