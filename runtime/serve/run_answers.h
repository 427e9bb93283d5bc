// The answers to GET /api/runs/{id}, which every open run page polls (50
// pages: 200 requests a second). Counting a run's tasks reads every row of
// it, so an answer is kept and given again:
//   - for kFreshFor after it was made (a page shows a change within a
//     second either way);
//   - to every request that comes while one request makes the next answer
//     (they do not queue behind it, nor count the same rows again);
//   - and when it is made again, the counts are reused unless the journal
//     changed since (SQLite's data_version): only the run's state (is its
//     flowc alive?) and its duration are new. A finished run is never
//     counted twice.
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <mutex>
#include <optional>
#include <string>

#include "runtime/observe/run_view.h"
#include "runtime/serve/state_folders.h"

namespace flowc::runtime::serve {

class RunAnswers {
 public:
  static constexpr std::chrono::milliseconds kFreshFor{150};

  // The run as JSON text (docs/api.md), or nothing if `folder`'s journal has
  // no run `id`. Throws StoreError if the journal cannot be read.
  std::optional<std::string> get(StateFolder& folder, const std::string& id);

  // How many times the tasks were counted (for tests).
  uint64_t counted() const;

 private:
  struct Entry {
    std::string text;                              // the last answer ("" until one is made)
    std::chrono::steady_clock::time_point made{};  // when
    int64_t data_version = -1;                     // the journal's, when the tasks were counted
    observe::RunSummary summary;                   // what was counted
    bool busy = false;                             // a request is making the next answer
  };
  // Makes the next answer for `id` from the journal, reusing `last`'s
  // counts if the journal did not change.
  std::optional<Entry> make(StateFolder& folder, const std::string& id, const Entry& last);

  mutable std::mutex mutex_;
  std::map<std::string, Entry> entries_;  // by run id
  uint64_t counted_ = 0;
};

}  // namespace flowc::runtime::serve
