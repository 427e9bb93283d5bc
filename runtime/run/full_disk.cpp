// Freeing a failed task's work dir on a full disk.
#include "runtime/run/full_disk.h"

#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <vector>

#include <fmt/format.h>

#include "runtime/files/disk.h"
#include "runtime/files/read_small.h"

namespace flowc::runtime {
namespace fs = std::filesystem;

namespace {

constexpr uint64_t kLogTail = 64 << 10;

uint64_t size_of(const fs::path& path) {
  std::error_code ec;
  if (fs::is_symlink(path, ec)) return 0;
  if (!fs::is_directory(path, ec)) {
    uintmax_t size = fs::file_size(path, ec);
    return ec ? 0 : size;
  }
  uint64_t total = 0;
  for (auto it = fs::recursive_directory_iterator(path, ec); !ec && it != fs::recursive_directory_iterator();
       it.increment(ec)) {
    if (it->is_regular_file(ec) && !it->is_symlink(ec)) total += it->file_size(ec);
  }
  return total;
}

// Keeps the last kLogTail bytes of a log: read them, then truncate the file
// (which frees its space) and write them back.
uint64_t shorten_log(const fs::path& path) {
  files::Tail tail = files::read_tail(path.string(), kLogTail);
  if (!tail.cut) return 0;
  uint64_t removed = tail.size - tail.text.size();
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << fmt::format("[flowc: the first {} bytes were removed to free the disk]\n", removed) << tail.text;
  return removed;
}

std::string human(uint64_t bytes) {
  if (bytes >= (1u << 20)) return fmt::format("{:.1f} MiB", static_cast<double>(bytes) / (1 << 20));
  if (bytes >= (1u << 10)) return fmt::format("{:.1f} KiB", static_cast<double>(bytes) / (1 << 10));
  return fmt::format("{} bytes", bytes);
}

}  // namespace

bool failed_for_space(const std::string& work_dir, const std::string& stderr_tail) {
  if (stderr_tail.find("No space left on device") != std::string::npos) return true;
  if (stderr_tail.find("Disk quota exceeded") != std::string::npos) return true;
  return files::nearly_full(work_dir);
}

std::string free_failed_task(const std::string& work_dir) {
  std::string text = files::no_space_text(work_dir);  // how full it is now, before freeing
  std::error_code ec;
  uint64_t freed = 0;
  std::vector<fs::path> logs;
  for (const auto& entry : fs::directory_iterator(work_dir, ec)) {
    std::string name = entry.path().filename().string();
    if (name == ".command.sh") continue;
    if (name == ".stdout" || name == ".stderr") {
      logs.push_back(entry.path());
      continue;
    }
    freed += size_of(entry.path());
    fs::remove_all(entry.path(), ec);
  }
  for (const fs::path& log : logs) freed += shorten_log(log);
  if (freed > 0) {
    text += fmt::format(
        "; flowc removed this failed task's partial outputs ({}) to free it, keeping its command and "
        "the end of its logs",
        human(freed));
  }
  return text;
}

}  // namespace flowc::runtime
