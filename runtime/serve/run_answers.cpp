// Kept answers to GET /api/runs/{id}.
#include "runtime/serve/run_answers.h"

namespace flowc::runtime::serve {
namespace obs = observe;

namespace {

constexpr size_t kMaxEntries = 1000;  // runs whose answer is kept; more: start over

}  // namespace

std::optional<std::string> RunAnswers::get(StateFolder& folder, const std::string& id) {
  auto now = std::chrono::steady_clock::now();
  Entry last;
  bool mine = false;  // this request makes the next answer (others may give the last meanwhile)
  {
    std::lock_guard lock(mutex_);
    if (entries_.size() > kMaxEntries) std::erase_if(entries_, [](const auto& kept) { return !kept.second.busy; });
    Entry& e = entries_[id];
    if (!e.text.empty() && (e.busy || now - e.made < kFreshFor)) return e.text;
    mine = !e.busy;
    e.busy = true;
    last = e;
  }
  std::optional<Entry> next;
  try {
    next = make(folder, id, last);
  } catch (...) {
    std::lock_guard lock(mutex_);
    if (mine) entries_[id].busy = false;
    throw;
  }
  std::lock_guard lock(mutex_);
  if (!next) {
    entries_.erase(id);
    return std::nullopt;
  }
  Entry& e = entries_[id];
  if (next->made >= e.made) {
    bool busy = e.busy && !mine;
    e = std::move(*next);
    e.busy = busy;
  } else if (mine) {
    e.busy = false;
  }
  return e.text;
}

std::optional<RunAnswers::Entry> RunAnswers::make(StateFolder& folder, const std::string& id, const Entry& last) {
  Entry next;
  next.made = std::chrono::steady_clock::now();
  bool count = true;
  {
    std::lock_guard lock(folder.mutex);
    next.data_version = folder.store->data_version();
    count = last.data_version < 0 || next.data_version != last.data_version;
    if (count) {
      auto run = folder.store->run(id);
      if (!run) return std::nullopt;
      next.summary = obs::summarize_counts(*folder.store, *run, /*by_op=*/true);
    }
  }
  if (count) {
    std::lock_guard lock(mutex_);
    ++counted_;
  } else {
    // The same journal: the same counts; the state (is its flowc still
    // alive?) and the duration so far are looked at again.
    next.summary = last.summary;
    obs::RunSummary now = obs::start_summary(last.summary.run);
    next.summary.state = now.state;
    next.summary.duration = now.duration;
  }
  Value j = obs::run_json(next.summary);
  j["state_dir"] = folder.dir;
  next.text = j.dump(-1, ' ', false, Value::error_handler_t::replace);
  return next;
}

uint64_t RunAnswers::counted() const {
  std::lock_guard lock(mutex_);
  return counted_;
}

}  // namespace flowc::runtime::serve
