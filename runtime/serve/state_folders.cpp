// Finding state folders under the root.
#include "runtime/serve/state_folders.h"

#include <filesystem>

namespace flowc::runtime::serve {
namespace fs = std::filesystem;

namespace {

constexpr int kMaxDepth = 4;           // folders below the root searched
constexpr size_t kMaxEntries = 20000;  // entries looked at per search

void find_journals(const fs::path& dir, int depth, size_t& seen, std::vector<fs::path>& out) {
  std::error_code ec;
  if (fs::is_regular_file(dir / "flow.db", ec)) out.push_back(dir);
  if (depth >= kMaxDepth) return;
  for (const auto& entry : fs::directory_iterator(dir, fs::directory_options::skip_permission_denied, ec)) {
    if (++seen > kMaxEntries) return;
    if (!entry.is_directory(ec) || entry.is_symlink(ec)) continue;  // never leave the root through a link
    std::string name = entry.path().filename().string();
    if (name == "work" || name == "runs" || name == "node_modules" || name == ".git") continue;
    if (name[0] == '.' && name != ".flow") continue;
    find_journals(entry.path(), depth + 1, seen, out);
  }
}

}  // namespace

StateFolders::StateFolders(const std::string& root) : root_(fs::canonical(root).string()) {}

void StateFolders::rescan(bool force) {
  auto now = std::chrono::steady_clock::now();
  // An unknown run id looks again, but not more than 5 times a second.
  if (now - scanned_ < (force ? std::chrono::milliseconds(200) : std::chrono::milliseconds(2000))) return;
  scanned_ = now;
  std::vector<fs::path> found;
  size_t seen = 0;
  find_journals(root_, 0, seen, found);
  for (const fs::path& dir : found) {
    std::string key = dir.string();
    if (!folders_.count(key)) {
      auto folder = std::make_unique<StateFolder>();
      folder->dir = key;
      try {
        folder->store = Store::open_for_reading((dir / "flow.db").string());
      } catch (const StoreError&) {
        continue;  // not readable (yet): next time
      }
      folders_.emplace(key, std::move(folder));
    }
  }
  for (auto& [dir, folder] : folders_) {
    std::lock_guard lock(folder->mutex);
    try {
      for (const RunRecord& run : folder->store->recent_runs(100000)) runs_[run.id] = folder.get();
    } catch (const StoreError&) {
    }
  }
}

std::vector<StateFolder*> StateFolders::all() {
  std::lock_guard lock(mutex_);
  rescan(false);
  std::vector<StateFolder*> out;
  for (auto& [dir, folder] : folders_) out.push_back(folder.get());
  return out;
}

StateFolder* StateFolders::of_run(const std::string& id) {
  std::lock_guard lock(mutex_);
  auto it = runs_.find(id);
  if (it != runs_.end()) return it->second;
  // A run that started since: ask each known journal, then look for new ones.
  for (auto& [dir, folder] : folders_) {
    std::lock_guard folder_lock(folder->mutex);
    try {
      if (folder->store->run(id)) return runs_[id] = folder.get();
    } catch (const StoreError&) {
    }
  }
  rescan(true);
  it = runs_.find(id);
  return it == runs_.end() ? nullptr : it->second;
}

}  // namespace flowc::runtime::serve
