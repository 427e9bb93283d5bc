// The state folders flowc serve shows: every folder under its root that
// holds a journal (flow.db: a `.flow` folder, or one given by --state-dir),
// found again as runs start elsewhere under the root, each opened for
// reading once and used by one request at a time.
#pragma once

#include <chrono>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "runtime/store/store.h"

namespace flowc::runtime::serve {

struct StateFolder {
  std::string dir;               // absolute
  std::unique_ptr<Store> store;  // opened for reading
  std::mutex mutex;              // held while `store` is used
};

class StateFolders {
 public:
  // `root` must exist; it is resolved (symlinks) once.
  explicit StateFolders(const std::string& root);
  const std::string& root() const { return root_; }

  // Every state folder (the root is searched again at most every 2 s).
  std::vector<StateFolder*> all();
  // The folder that journaled run `id`, or null.
  StateFolder* of_run(const std::string& id);

 private:
  void rescan(bool force);

  std::string root_;
  std::mutex mutex_;
  std::map<std::string, std::unique_ptr<StateFolder>> folders_;  // by dir
  std::map<std::string, StateFolder*> runs_;                     // run id → folder
  std::chrono::steady_clock::time_point scanned_{};
};

}  // namespace flowc::runtime::serve
