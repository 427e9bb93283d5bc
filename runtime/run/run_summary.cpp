// A run's summary: its file format, and the signatures it is checked by.
#include "runtime/run/run_summary.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>

#include <fmt/format.h>

#include "runtime/files/fd.h"
#include "runtime/files/read_small.h"
#include "runtime/files/tree.h"
#include "runtime/hash/hash.h"

namespace flowc::runtime {
namespace fs = std::filesystem;

namespace {

// The file: the magic, the format's version, a number that tells the byte
// order, the payload's length and its hash, then the payload. Any other
// version is no summary: a newer or older flowc's is simply not used.
constexpr char kMagic[8] = {'F', 'L', 'O', 'W', 'C', 'S', 'U', 'M'};
constexpr uint64_t kVersion = 1;
constexpr uint64_t kByteOrder = 0x0102030405060708ull;
constexpr uint64_t kMaxSummaryBytes = 4ull << 30;

StatSignature from_stat(const struct stat& st) {
  return StatSignature{static_cast<uint64_t>(st.st_mode),
                       static_cast<uint64_t>(st.st_dev),
                       static_cast<uint64_t>(st.st_ino),
                       static_cast<uint64_t>(st.st_size),
                       static_cast<int64_t>(st.st_mtim.tv_sec) * 1'000'000'000 + st.st_mtim.tv_nsec,
                       static_cast<int64_t>(st.st_ctim.tv_sec) * 1'000'000'000 + st.st_ctim.tv_nsec};
}

class Writer {
 public:
  void u64(uint64_t n) { out_.append(reinterpret_cast<const char*>(&n), sizeof n); }
  void str(const std::string& s) {
    u64(s.size());
    out_ += s;
  }
  void stat(const StatSignature& s) {
    for (uint64_t n :
         {s.mode, s.dev, s.ino, s.size, static_cast<uint64_t>(s.mtime_ns), static_cast<uint64_t>(s.ctime_ns)}) {
      u64(n);
    }
  }
  std::string& bytes() { return out_; }

 private:
  std::string out_;
};

// Reads what Writer wrote; any read past the end makes it !ok().
class Reader {
 public:
  Reader(const char* data, size_t size) : p_(data), end_(data + size) {}
  uint64_t u64() {
    uint64_t n = 0;
    if (end_ - p_ < static_cast<std::ptrdiff_t>(sizeof n)) {
      ok_ = false;
      return 0;
    }
    std::memcpy(&n, p_, sizeof n);
    p_ += sizeof n;
    return n;
  }
  std::string str() {
    uint64_t n = u64();
    if (!ok_ || n > static_cast<uint64_t>(end_ - p_)) {
      ok_ = false;
      return {};
    }
    std::string s(p_, n);
    p_ += n;
    return s;
  }
  // A count of items, each at least `min_bytes` long: never more than what is left could hold.
  size_t count(size_t min_bytes) {
    uint64_t n = u64();
    if (!ok_ || n > static_cast<uint64_t>(end_ - p_) / min_bytes) {
      ok_ = false;
      return 0;
    }
    return static_cast<size_t>(n);
  }
  StatSignature stat() {
    StatSignature s;
    s.mode = u64();
    s.dev = u64();
    s.ino = u64();
    s.size = u64();
    s.mtime_ns = static_cast<int64_t>(u64());
    s.ctime_ns = static_cast<int64_t>(u64());
    return s;
  }
  bool ok() const { return ok_; }
  bool at_end() const { return p_ == end_; }

 private:
  const char* p_;
  const char* end_;
  bool ok_ = true;
};

std::string payload_of(const RunSummary& s) {
  Writer w;
  w.str(s.digest);
  w.str(s.source_run);
  w.u64(static_cast<uint64_t>(s.cache_generation));
  w.str(s.published);
  w.u64(s.tasks.size());
  for (const SummaryTask& t : s.tasks) {
    w.str(t.path);
    w.str(t.op);
    w.str(t.work_dir);
  }
  w.u64(s.files.size());
  for (const auto& [path, sig] : s.files) {
    w.str(path);
    w.stat(sig.self);
    w.stat(sig.target);
  }
  w.u64(s.globs.size());
  for (const SeenGlob& g : s.globs) {
    w.str(g.pattern);
    w.u64(g.files.size());
    for (const std::string& f : g.files) w.str(f);
  }
  return std::move(w.bytes());
}

std::optional<RunSummary> parse_payload(Reader& r) {
  RunSummary s;
  s.digest = r.str();
  s.source_run = r.str();
  s.cache_generation = static_cast<int64_t>(r.u64());
  s.published = r.str();
  s.tasks.resize(r.count(24));
  for (SummaryTask& t : s.tasks) {
    t.path = r.str();
    t.op = r.str();
    t.work_dir = r.str();
  }
  s.files.resize(r.count(8 + 96));
  for (auto& [path, sig] : s.files) {
    path = r.str();
    sig.self = r.stat();
    sig.target = r.stat();
  }
  s.globs.resize(r.count(16));
  for (SeenGlob& g : s.globs) {
    g.pattern = r.str();
    g.files.resize(r.count(8));
    for (std::string& f : g.files) f = r.str();
  }
  if (!r.ok() || !r.at_end()) return std::nullopt;
  return s;
}

}  // namespace

bool FileSignature::is_dir() const { return S_ISDIR(self.mode) || S_ISDIR(target.mode); }

FileSignature signature_of(const std::string& path) {
  FileSignature sig;
  struct stat st;
  if (::lstat(path.c_str(), &st) != 0) return sig;
  sig.self = from_stat(st);
  if (S_ISLNK(st.st_mode) && ::stat(path.c_str(), &st) == 0) sig.target = from_stat(st);
  return sig;
}

bool sign_path(const std::string& path, std::set<std::string>& seen,
               std::vector<std::pair<std::string, FileSignature>>& files) {
  if (!seen.insert(path).second) return true;
  FileSignature sig = signature_of(path);
  files.emplace_back(path, sig);
  if (!sig.is_dir()) return true;
  // A folder: every entry, so that a file edited deep inside is seen (the
  // folder's own times change only when an entry is added or removed).
  files::Walked walked = files::walk(path, files::LinkPolicy{true, {}, true});
  auto* entries = std::get_if<std::vector<files::Entry>>(&walked);
  if (!entries) return false;
  for (const files::Entry& e : *entries) {
    if (e.rel.empty()) continue;
    std::string inside = path + "/" + e.rel;
    if (seen.insert(inside).second) files.emplace_back(inside, signature_of(inside));
  }
  return true;
}

std::string summary_path(const std::string& state_dir, const std::string& digest) {
  return (fs::path(state_dir) / "summaries" / digest).string();
}

bool write_summary(const std::string& path, const RunSummary& summary, std::string* error) {
  std::string payload = payload_of(summary);
  Writer head;
  head.bytes().append(kMagic, sizeof kMagic);
  head.u64(kVersion);
  head.u64(kByteOrder);
  head.u64(payload.size());
  head.str(hash_bytes(payload));
  std::error_code ec;
  fs::create_directories(fs::path(path).parent_path(), ec);
  std::string temp = fmt::format("{}.{}.tmp", path, ::getpid());
  bool ok = false;
  {
    files::Fd fd(::open(temp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644));
    if (!fd.ok()) {
      *error = fmt::format("cannot write `{}`: {}", temp, std::strerror(errno));
      return false;
    }
    ok = true;
    for (const std::string* part : {&head.bytes(), &payload}) {
      size_t done = 0;
      while (ok && done < part->size()) {
        ssize_t n = ::write(fd.get(), part->data() + done, part->size() - done);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) ok = false;
        else done += static_cast<size_t>(n);
      }
    }
    if (!ok) *error = fmt::format("cannot write `{}`: {}", temp, std::strerror(errno));
  }
  if (ok && ::rename(temp.c_str(), path.c_str()) != 0) {
    *error = fmt::format("cannot rename `{}`: {}", temp, std::strerror(errno));
    ok = false;
  }
  if (!ok) ::unlink(temp.c_str());
  return ok;
}

std::optional<RunSummary> read_summary(const std::string& path) {
  std::string error;
  auto text = files::read_small(path, kMaxSummaryBytes, &error);
  if (!text || text->size() < sizeof kMagic || text->compare(0, sizeof kMagic, kMagic, sizeof kMagic) != 0) {
    return std::nullopt;
  }
  Reader head(text->data() + sizeof kMagic, text->size() - sizeof kMagic);
  uint64_t version = head.u64();
  uint64_t order = head.u64();
  uint64_t size = head.u64();
  std::string hash = head.str();
  if (!head.ok() || version != kVersion || order != kByteOrder) return std::nullopt;
  size_t start = text->size() - std::min<uint64_t>(size, text->size());
  if (size > text->size() || start < sizeof kMagic + 3 * 8 + 8 + hash.size()) return std::nullopt;
  if (start != sizeof kMagic + 3 * 8 + 8 + hash.size()) return std::nullopt;  // bytes between head and payload
  std::string_view payload(text->data() + start, size);
  if (hash_bytes(payload) != hash) return std::nullopt;
  Reader r(payload.data(), payload.size());
  return parse_payload(r);
}

std::string first_change(const RunSummary& summary) {
  for (const auto& [path, sig] : summary.files) {
    if (signature_of(path) != sig) return fmt::format("`{}` changed", path);
  }
  for (const SeenGlob& g : summary.globs) {
    std::vector<std::string> files;
    std::string dangling;
    glob_files(g.pattern, &files, &dangling);
    if (files != g.files || !dangling.empty()) return fmt::format("what `{}` matches changed", g.pattern);
  }
  return "";
}

}  // namespace flowc::runtime
