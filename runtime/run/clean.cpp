// Removing unused work dirs.
#include "runtime/run/clean.h"

#include <filesystem>
#include <set>

#include <fmt/format.h>

#include "runtime/run/state_lock.h"
#include "runtime/store/store.h"

namespace flowc::runtime {
namespace fs = std::filesystem;

namespace {

uint64_t size_of(const fs::path& dir) {
  uint64_t total = 0;
  std::error_code ec;
  for (auto it = fs::recursive_directory_iterator(dir, ec); !ec && it != fs::recursive_directory_iterator();
       it.increment(ec)) {
    if (it->is_regular_file(ec) && !it->is_symlink(ec)) total += it->file_size(ec);
  }
  return total;
}

}  // namespace

CleanReport clean_work_dirs(const std::string& state_dir, size_t keep_runs, bool dry_run) {
  CleanReport report;
  fs::path db = fs::path(state_dir) / "flow.db";
  fs::path work = fs::path(state_dir) / "work";
  if (!fs::exists(db) || !fs::exists(work)) return report;
  // Not while a run uses the folder: it may be making work dirs the journal
  // does not name yet.
  StateLock lock(fs::absolute(state_dir));
  if (!lock.locked()) throw StoreError(lock.problem());
  // Read without writing first: on a full disk, removing work dirs is what
  // makes room for the journal (store.h, Access::Exclusive).
  auto store = Store::open(db.string(), Store::Access::Exclusive);
  std::set<std::string> keep;
  for (const RunRecord& run : store->recent_runs(keep_runs)) {
    for (const TaskRecord& t : store->tasks(run.id)) {
      if (!t.work_dir.empty()) keep.insert(fs::weakly_canonical(t.work_dir).string());
    }
  }
  std::set<std::string> removed;
  std::error_code ec;
  for (const auto& shard : fs::directory_iterator(work, ec)) {
    if (!shard.is_directory()) continue;
    for (const auto& dir : fs::directory_iterator(shard.path(), ec)) {
      std::string canonical = fs::weakly_canonical(dir.path()).string();
      if (keep.count(canonical)) {
        ++report.kept;
        continue;
      }
      report.bytes += size_of(dir.path());
      ++report.removed;
      removed.insert(canonical);
      if (!dry_run) fs::remove_all(dir.path(), ec);
    }
    if (!dry_run && fs::is_empty(shard.path(), ec)) fs::remove(shard.path(), ec);
  }
  if (!dry_run) {
    // Forget cache entries whose work dir is gone: they could never be
    // reused. If even that cannot be written, nothing is lost: a cache
    // entry whose outputs are gone is dropped by the next run.
    try {
      for (const std::string& dir : store->cached_work_dirs()) {
        if (!removed.count(fs::weakly_canonical(dir).string())) continue;
        fs::path d(dir);
        std::string key = d.parent_path().filename().string() + d.filename().string();
        store->cache_drop(key);
      }
      store->flush();
    } catch (const StoreError& e) {
      report.error = fmt::format(
          "the work dirs were removed, but the journal could not be updated ({}); the next "
          "run forgets their cache entries",
          e.what());
    }
  }
  return report;
}

}  // namespace flowc::runtime
