// The walk: lstat every entry, decide each link by where it leads.
#include "runtime/files/tree.h"

#include <dirent.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <climits>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <memory>

#include <fmt/format.h>

#include "runtime/files/interrupt.h"

namespace flowc::runtime::files {
namespace fs = std::filesystem;

namespace {

constexpr int kMaxFollowed = 16;         // folders reached through links, nested at most this deep
constexpr size_t kInterruptEvery = 256;  // entries between two looks at pending signals

int64_t mtime_of(const struct stat& st) {
  return static_cast<int64_t>(st.st_mtim.tv_sec) * 1'000'000'000 + st.st_mtim.tv_nsec;
}

void fill(Entry& e, const struct stat& st) {
  e.size = S_ISREG(st.st_mode) ? static_cast<uint64_t>(st.st_size) : 0;
  e.mtime_ns = mtime_of(st);
  e.dev = st.st_dev;
  e.ino = st.st_ino;
  e.nlink = st.st_nlink;
}

struct FreeChars {
  void operator()(char* p) const { std::free(p); }
};

struct CloseDir {
  void operator()(DIR* d) const { ::closedir(d); }
};

std::optional<std::string> real_path(const std::string& path, int* error) {
  char* resolved = ::realpath(path.c_str(), nullptr);
  std::unique_ptr<char, FreeChars> real(resolved);
  if (!real) {
    *error = errno;
    return std::nullopt;
  }
  return std::string(real.get());
}

std::string join(const std::string& rel, const std::string& name) { return rel.empty() ? name : rel + "/" + name; }

class Walker {
 public:
  explicit Walker(const LinkPolicy& policy) : policy_(policy) {}

  Walked run(const std::string& root) {
    struct stat st;
    if (::lstat(root.c_str(), &st) != 0) return unreadable(root, errno);
    std::string source = root;
    bool is_link = S_ISLNK(st.st_mode);
    if (is_link) {
      int error = 0;
      auto real = real_path(root, &error);
      if (!real) {
        if (error == ELOOP) return Refusal{Refusal::Loop, root, "", ""};
        return unreadable(root, error);
      }
      source = *real;
      if (::stat(source.c_str(), &st) != 0) return unreadable(root, errno);
    }
    if (std::string kind = special_kind(st.st_mode); !kind.empty()) return Refusal{Refusal::Special, root, "", kind};
    Entry e;
    e.kind = S_ISDIR(st.st_mode) ? Entry::Dir : Entry::File;
    e.source = source;
    e.followed = is_link;
    fill(e, st);
    entries_.push_back(e);
    if (e.kind == Entry::Dir) {
      int error = 0;
      auto real = real_path(source, &error);
      if (!real) return unreadable(source, error);
      chain_.push_back(*real);
      roots_.push_back(*real);
      if (auto refused = walk_dir(source, *real, "")) return *refused;
    }
    std::sort(entries_.begin(), entries_.end(), [](const Entry& a, const Entry& b) { return a.rel < b.rel; });
    return std::move(entries_);
  }

 private:
  static Refusal unreadable(const std::string& path, int error) {
    return Refusal{Refusal::Unreadable, path, "", std::strerror(error)};
  }

  bool allowed(const std::string& real) const {
    if (policy_.follow_anywhere) return true;
    return std::any_of(policy_.allowed.begin(), policy_.allowed.end(),
                       [&](const std::string& root) { return inside(root, real); });
  }

  // `dir`: the path to open; `real`: its canonical path (where links in it
  // are resolved from); `rel`: its path in the walk.
  std::optional<Refusal> walk_dir(const std::string& dir, const std::string& real, const std::string& rel) {
    std::vector<std::string> names;
    {
      std::unique_ptr<DIR, CloseDir> d(::opendir(dir.c_str()));
      if (!d) return unreadable(dir, errno);
      errno = 0;
      while (dirent* ent = ::readdir(d.get())) {
        std::string name = ent->d_name;
        if (name != "." && name != "..") names.push_back(std::move(name));
      }
      if (errno != 0) return unreadable(dir, errno);
    }
    std::sort(names.begin(), names.end());
    for (const std::string& name : names) {
      if (++seen_ % kInterruptEvery == 0 && interrupt_pending()) return Refusal{Refusal::Interrupted, dir, "", ""};
      std::string path = dir + "/" + name;
      std::string child_real = real + "/" + name;
      struct stat st;
      if (::lstat(path.c_str(), &st) != 0) return unreadable(path, errno);
      Entry e;
      e.rel = join(rel, name);
      e.source = path;
      fill(e, st);
      if (S_ISREG(st.st_mode)) {
        entries_.push_back(std::move(e));
      } else if (S_ISDIR(st.st_mode)) {
        e.kind = Entry::Dir;
        std::string sub_rel = e.rel;
        entries_.push_back(std::move(e));
        if (auto refused = walk_dir(path, child_real, sub_rel)) return refused;
      } else if (S_ISLNK(st.st_mode)) {
        if (auto refused = link(path, real, e)) return refused;
      } else {
        return Refusal{Refusal::Special, path, "", special_kind(st.st_mode)};
      }
    }
    return std::nullopt;
  }

  // A link in the folder whose canonical path is `folder`.
  std::optional<Refusal> link(const std::string& path, const std::string& folder, Entry& e) {
    int error = 0;
    auto real = real_path(path, &error);
    if (!real) {
      if (error == ELOOP) return Refusal{Refusal::Loop, path, "", ""};
      if (error != ENOENT && error != ENOTDIR) return unreadable(path, error);
      // Dangling: where its text says it leads.
      std::error_code ec;
      std::string text = fs::read_symlink(path, ec).string();
      if (ec) return unreadable(path, ec.value());
      fs::path lexical = fs::path(text).is_absolute() ? fs::path(text) : fs::path(folder) / text;
      std::string where = lexical.lexically_normal().string();
      if (inside(roots_.back(), where)) {
        e.kind = Entry::Link;
        e.target = fs::path(where).lexically_relative(folder).string();
        entries_.push_back(std::move(e));
        return std::nullopt;
      }
      if (policy_.skip_dangling) return std::nullopt;
      return Refusal{Refusal::Dangling, path, text, ""};
    }
    if (inside(roots_.back(), *real)) {
      // Stays in the folder being walked: a link, not followed.
      e.kind = Entry::Link;
      e.target = fs::path(*real).lexically_relative(folder).string();
      if (e.target.empty()) e.target = ".";
      entries_.push_back(std::move(e));
      return std::nullopt;
    }
    if (!allowed(*real)) return Refusal{Refusal::LinkOut, path, *real, ""};
    struct stat st;
    if (::stat(real->c_str(), &st) != 0) return unreadable(path, errno);
    if (std::string kind = special_kind(st.st_mode); !kind.empty()) {
      return Refusal{Refusal::Special, path, *real, kind};
    }
    fill(e, st);
    e.source = *real;
    e.followed = true;
    if (S_ISREG(st.st_mode)) {
      entries_.push_back(std::move(e));
      return std::nullopt;
    }
    // A folder elsewhere: walked as a root of its own, unless it holds a
    // folder the walk is in (then it would never end).
    for (const std::string& holder : chain_) {
      if (inside(*real, holder)) return Refusal{Refusal::Loop, path, *real, ""};
    }
    if (inside(*real, folder)) return Refusal{Refusal::Loop, path, *real, ""};
    if (static_cast<int>(roots_.size()) > kMaxFollowed) return Refusal{Refusal::TooDeep, path, *real, ""};
    e.kind = Entry::Dir;
    std::string rel = e.rel;
    entries_.push_back(std::move(e));
    chain_.push_back(folder);
    roots_.push_back(*real);
    auto refused = walk_dir(*real, *real, rel);
    roots_.pop_back();
    chain_.pop_back();
    return refused;
  }

  const LinkPolicy& policy_;
  std::vector<Entry> entries_;
  std::vector<std::string> roots_;  // the folders walked as roots: the first, then each followed one
  std::vector<std::string> chain_;  // the folders the walk is inside (where each followed link sat)
  size_t seen_ = 0;
};

}  // namespace

std::string Refusal::text() const {
  switch (kind) {
    case Special:
      return target.empty() ? fmt::format("`{}` is {}", path, detail)
                            : fmt::format("`{}` is a link to `{}`, {}", path, target, detail);
    case LinkOut: return fmt::format("`{}` is a link to `{}`", path, target);
    case Dangling: return fmt::format("`{}` is a link to `{}`, which does not exist", path, target);
    case Loop:
      if (target.empty()) return fmt::format("`{}` is a link that leads back to itself", path);
      return fmt::format("`{}` is a link to `{}`, a folder that holds it (following it would never end)", path, target);
    case TooDeep: return fmt::format("`{}` leads through more than {} links to folders", path, kMaxFollowed);
    case Unreadable: return fmt::format("cannot read `{}`: {}", path, detail);
    case Interrupted: return "interrupted";
  }
  return path;
}

Walked walk(const std::string& root, const LinkPolicy& policy) { return Walker(policy).run(root); }

std::string special_kind(mode_t mode) {
  if (S_ISFIFO(mode)) return "a FIFO (named pipe)";
  if (S_ISSOCK(mode)) return "a socket";
  if (S_ISCHR(mode)) return "a character device";
  if (S_ISBLK(mode)) return "a block device";
  return "";
}

bool inside(const std::string& dir, const std::string& path) {
  if (dir == "/") return !path.empty() && path[0] == '/';
  if (path.size() < dir.size() || path.compare(0, dir.size(), dir) != 0) return false;
  return path.size() == dir.size() || path[dir.size()] == '/' || dir.back() == '/';
}

}  // namespace flowc::runtime::files
