// Checking an output: where it leads, what it holds, what else names its files.
#include "runtime/run/output_check.h"

#include <sys/stat.h>

#include <filesystem>
#include <map>
#include <optional>
#include <set>

#include <fmt/format.h>

#include "runtime/files/real_path.h"

namespace flowc::runtime {
namespace fs = std::filesystem;

namespace {

using Inode = std::pair<dev_t, ino_t>;

// How many names each of `wanted` has inside `dir` (no link followed).
std::map<Inode, nlink_t> names_inside(const std::string& dir, const std::set<Inode>& wanted) {
  std::map<Inode, nlink_t> count;
  std::error_code ec;
  for (auto it = fs::recursive_directory_iterator(dir, ec); !ec && it != fs::recursive_directory_iterator();
       it.increment(ec)) {
    struct stat st;
    if (::lstat(it->path().c_str(), &st) == 0 && S_ISREG(st.st_mode) && wanted.count({st.st_dev, st.st_ino})) {
      ++count[{st.st_dev, st.st_ino}];
    }
  }
  return count;
}

// The inodes of the task's input files (and of the files in its input folders).
std::set<Inode> input_inodes(const std::vector<std::string>& inputs) {
  std::set<Inode> out;
  for (const std::string& input : inputs) {
    files::Walked walked = files::walk(input, files::LinkPolicy{true, {}, true});
    if (auto* entries = std::get_if<std::vector<files::Entry>>(&walked)) {
      for (const files::Entry& e : *entries) {
        if (e.kind == files::Entry::File) out.insert({e.dev, e.ino});
      }
    }
  }
  return out;
}

// Why a walk of output `port` (at `path`) was refused, and what to do.
OutputRefused refused_text(const std::string& port, const std::string& path, const files::Refusal& refused) {
  std::string what;
  std::string advice;
  switch (refused.kind) {
    case files::Refusal::LinkOut:
    case files::Refusal::Dangling:
      what = "a link that leads outside the task's work dir";
      advice =
          "; an output may hold links only to its own files, the task's work dir and its inputs: copy what "
          "it needs (`cp -L`) instead of linking to it";
      break;
    case files::Refusal::Loop:
    case files::Refusal::TooDeep:
      what = "a link flowc cannot follow";
      advice = "; remove that link";
      break;
    case files::Refusal::Special:
      what = "a special file";
      advice =
          "; an output holds regular files, folders and links between them (a FIFO, socket or device has no "
          "content flowc can hash or publish)";
      break;
    case files::Refusal::Unreadable:
    case files::Refusal::Interrupted: return OutputRefused{fmt::format("output `{}`: {}", port, refused.text())};
  }
  if (refused.path == path) return OutputRefused{fmt::format("output `{}`: {}{}", port, refused.text(), advice)};
  return OutputRefused{fmt::format("output `{}` holds {}: {}{}", port, what, refused.text(), advice)};
}

// Hard links: a file of the task's with names outside its work dir (a
// link to /etc/passwd is the same file as /etc/passwd). The first, or nothing.
std::optional<OutputRefused> hard_link_out(const std::string& port, const std::string& path, const std::string& work,
                                           const std::vector<std::string>& inputs,
                                           const std::vector<files::Entry>& entries) {
  std::set<Inode> suspects;
  for (const files::Entry& e : entries) {
    if (e.kind == files::Entry::File && !e.followed && e.nlink > 1) suspects.insert({e.dev, e.ino});
  }
  if (suspects.empty()) return std::nullopt;
  std::map<Inode, nlink_t> inside = names_inside(work, suspects);
  std::set<Inode> from_inputs;
  for (const files::Entry& e : entries) {
    if (e.kind != files::Entry::File || e.followed || e.nlink <= 1) continue;
    Inode id{e.dev, e.ino};
    if (inside[id] >= e.nlink) continue;
    if (from_inputs.empty()) from_inputs = input_inodes(inputs);
    if (from_inputs.count(id)) continue;  // one of its inputs, passed through by a hard link
    std::string name = e.rel.empty() ? path : (fs::path(path) / e.rel).string();
    return OutputRefused{fmt::format(
        "output `{}` holds `{}`, a hard link to a file outside the task's work dir (it has {} names, {} of them in "
        "the work dir): it is the same file as the other names, so flowc neither reuses nor publishes it; copy the "
        "file (`cp`) instead of linking it (`ln`)",
        port, name, e.nlink, inside[id])};
  }
  return std::nullopt;
}

}  // namespace

std::variant<std::vector<files::Entry>, OutputRefused> check_output(const std::string& port, const std::string& path,
                                                                    const std::string& work_dir,
                                                                    const std::vector<std::string>& inputs) {
  std::string work = files::real_path(work_dir);
  std::vector<std::string> input_roots;
  for (const std::string& input : inputs) input_roots.push_back(files::real_path(input));

  // The output itself: the task's own, or one of its inputs passed through.
  std::string real = files::real_path(path);
  bool own = files::inside(work, real);
  bool passed_through = false;
  for (const std::string& root : input_roots) passed_through = passed_through || files::inside(root, real);
  if (!own && !passed_through) {
    return OutputRefused{
        fmt::format("output `{}` is `{}`, which leads outside the task's work dir (to `{}`)", port, path, real)};
  }

  // What it holds: links only to the work dir and the inputs.
  files::LinkPolicy policy;
  policy.allowed = input_roots;
  policy.allowed.push_back(work);
  files::Walked walked = files::walk(path, policy);
  if (auto* refused = std::get_if<files::Refusal>(&walked)) return refused_text(port, path, *refused);
  auto entries = std::get<std::vector<files::Entry>>(std::move(walked));
  if (auto refused = hard_link_out(port, path, work, inputs, entries)) return *refused;
  return entries;
}

}  // namespace flowc::runtime
