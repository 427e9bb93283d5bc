// Publishing outputs.
#include "runtime/run/publish.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <optional>

#include <fmt/format.h>

#include "runtime/files/disk.h"
#include "runtime/files/fd.h"
#include "runtime/files/interrupt.h"
#include "runtime/files/tree.h"

namespace flowc::runtime {
namespace fs = std::filesystem;

namespace {

// Copies a regular file in blocks, obeying Ctrl-C between them. "" or why not.
std::string copy_file(const std::string& from, const std::string& to) {
  files::Fd in(::open(from.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK));
  if (in.get() < 0) return fmt::format("cannot read `{}`: {}", from, std::strerror(errno));
  struct stat st;
  if (::fstat(in.get(), &st) != 0) return fmt::format("cannot read `{}`: {}", from, std::strerror(errno));
  if (!S_ISREG(st.st_mode)) return fmt::format("`{}` is {}", from, files::special_kind(st.st_mode));
  files::Fd out(::open(to.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, st.st_mode & 07777));
  if (out.get() < 0) return fmt::format("cannot write `{}`: {}", to, std::strerror(errno));
  constexpr size_t kBlock = 8 << 20;
  bool plain = false;  // copy_file_range refused: read and write
  std::vector<char> buffer;
  while (true) {
    if (files::interrupt_pending()) return "interrupted";
    ssize_t n;
    if (!plain) {
      n = ::copy_file_range(in.get(), nullptr, out.get(), nullptr, kBlock, 0);
      if (n < 0 && (errno == EXDEV || errno == ENOSYS || errno == EINVAL || errno == EOPNOTSUPP)) {
        plain = true;
        continue;
      }
    } else {
      buffer.resize(1 << 20);
      n = ::read(in.get(), buffer.data(), buffer.size());
      for (ssize_t done = 0; n > 0 && done < n;) {
        ssize_t w = ::write(out.get(), buffer.data() + done, static_cast<size_t>(n - done));
        if (w < 0 && errno == EINTR) continue;
        if (w < 0) return fmt::format("cannot write `{}`: {}", to, files::io_error_text(errno, to));
        done += w;
      }
    }
    if (n == 0) return "";
    if (n < 0) {
      if (errno == EINTR) continue;
      int e = errno;
      return fmt::format("cannot copy `{}` to `{}`: {}", from, to, files::io_error_text(e, to));
    }
  }
}

class Publisher {
 public:
  Publisher(PublishMode mode, const PublishSources& sources) : mode_(mode), inputs_(sources.inputs) {
    std::error_code ec;
    work_root_ = fs::weakly_canonical(sources.work_root, ec).string();
    own_.allowed.push_back(work_root_);
  }

  // Publishes `path` as `to`; "" or why not.
  std::string publish(const std::string& path, const fs::path& to) {
    std::error_code ec;
    std::string real = fs::weakly_canonical(path, ec).string();
    // Most outputs are flowc's own files, with no link out of the work
    // dirs: the run's inputs (ten thousand, in a large fan-in) are resolved
    // only for an output that is not, or leads elsewhere.
    bool own = files::inside(work_root_, real);
    files::Walked walked = own ? files::walk(path, own_) : files::Walked{files::Refusal{}};
    if (!own || std::holds_alternative<files::Refusal>(walked)) {
      const files::LinkPolicy& policy = with_inputs();
      bool allowed = false;
      for (const std::string& root : policy.allowed) allowed = allowed || files::inside(root, real);
      if (!allowed)
        return fmt::format("`{}` leads to `{}`, outside flowc's work dirs and the run's inputs", path, real);
      walked = files::walk(path, policy);
    }
    if (auto* refused = std::get_if<files::Refusal>(&walked)) {
      if (refused->kind == files::Refusal::Interrupted) return "interrupted";
      return refused->text() + ", which leads outside flowc's work dirs and the run's inputs";
    }
    if (mode_ == PublishMode::Symlink) {
      fs::create_symlink(path, to, ec);
      return ec ? ec.message() : "";
    }
    for (const files::Entry& e : std::get<std::vector<files::Entry>>(walked)) {
      fs::path dest = e.rel.empty() ? to : to / e.rel;
      switch (e.kind) {
        case files::Entry::Dir:
          fs::create_directories(dest, ec);
          if (ec) return fmt::format("cannot create `{}`: {}", dest.string(), files::io_error_text(ec.value(), dest));
          break;
        case files::Entry::Link:
          fs::create_symlink(e.target, dest, ec);
          if (ec) return fmt::format("cannot create `{}`: {}", dest.string(), files::io_error_text(ec.value(), dest));
          break;
        case files::Entry::File:
          if (std::string why = publish_file(e, dest); !why.empty()) return why;
          break;
      }
    }
    return "";
  }

 private:
  std::string publish_file(const files::Entry& e, const fs::path& dest) {
    // A hard link only to a file of flowc's own work dirs: anything else
    // (an input the user gave, passed through) is copied, so that editing
    // the published file never edits theirs.
    if (mode_ == PublishMode::Link) {
      std::error_code ec;
      std::string real = fs::weakly_canonical(e.source, ec).string();
      if (!ec && files::inside(work_root_, real) && ::link(real.c_str(), dest.c_str()) == 0) return "";
    }
    return copy_file(e.source, dest.string());
  }

  // What an output may lead to: the work dirs and the run's inputs (resolved once, when first needed).
  const files::LinkPolicy& with_inputs() {
    if (!policy_) {
      policy_ = own_;
      std::error_code ec;
      for (const std::string& input : inputs_) policy_->allowed.push_back(fs::weakly_canonical(input, ec).string());
    }
    return *policy_;
  }

  PublishMode mode_;
  std::vector<std::string> inputs_;
  std::string work_root_;
  files::LinkPolicy own_;                    // the work dirs only
  std::optional<files::LinkPolicy> policy_;  // and the run's inputs
};

// One output of the workflow, published under `root`/<its name>: written
// beside its place, then renamed over it. Its published value, or nothing
// with `error` set.
std::optional<Value> publish_port(Publisher& publisher, const fs::path& root, const ir::Port& port, const Value& value,
                                  std::string* error) {
  std::error_code ec;
  fs::path dir = root / port.name;
  fs::path staging = root / fmt::format(".{}.publishing.{}", port.name, ::getpid());
  fs::remove_all(staging, ec);
  size_t count = 0;
  for_each_path(value, port.type, [&](const std::string&, bool) { ++count; });
  size_t k = 0;
  std::string failure;
  Value mapped = map_typed_paths(value, port.type, [&](const std::string& path, const ir::Type* type) -> Value {
    std::string sub = count > 1 ? std::to_string(k++) : "";
    fs::path name = fs::path(path).filename();
    fs::path final_path = (sub.empty() ? dir : dir / sub) / name;
    if (!failure.empty()) return final_path.string();
    fs::path staged_dir = sub.empty() ? staging : staging / sub;
    std::error_code mk;
    fs::create_directories(staged_dir, mk);
    std::string why = mk ? files::io_error_text(mk.value(), staged_dir) : publisher.publish(path, staged_dir / name);
    // Companions the output's type declares go beside it, under their own names.
    for (const CompanionFile& c : companions_of(path, type)) {
      if (!why.empty()) break;
      std::error_code missing;
      if (fs::exists(fs::symlink_status(c.path, missing))) {
        why = publisher.publish(c.path, staged_dir / fs::path(c.path).filename());
      }
    }
    if (!why.empty())
      failure = why == "interrupted" ? "publishing was interrupted"
                                     : fmt::format("cannot publish output `{}`: {}", port.name, why);
    return final_path.string();
  });
  if (failure.empty()) {
    fs::remove_all(dir, ec);
    if (count > 0) fs::rename(staging, dir, ec);
    if (ec) failure = fmt::format("cannot publish output `{}` as `{}`: {}", port.name, dir.string(), ec.message());
  }
  if (!failure.empty()) {
    fs::remove_all(staging, ec);
    *error = failure;
    return std::nullopt;
  }
  return mapped;
}

// outputs.json, through a temporary file so a reader never sees half of it.
bool write_outputs_json(const fs::path& root, const Value& published, std::string* error) {
  std::error_code ec;
  fs::path json = root / "outputs.json";
  fs::path temp = root / fmt::format(".outputs.json.{}", ::getpid());
  {
    std::ofstream out(temp, std::ios::binary | std::ios::trunc);
    out << published.dump(2) << "\n";
    out.flush();
    if (!out) {
      int e = errno;
      *error = fmt::format("cannot write `{}`: {}", temp.string(), files::io_error_text(e, temp));
      fs::remove(temp, ec);
      return false;
    }
  }
  fs::rename(temp, json, ec);
  if (ec) {
    *error = fmt::format("cannot write `{}`: {}", json.string(), ec.message());
    return false;
  }
  return true;
}

}  // namespace

std::optional<Value> publish_outputs(const ir::Workflow& workflow, const Value& outputs, const std::string& outdir,
                                     PublishMode mode, const PublishSources& sources, std::string* error) {
  std::error_code ec;
  fs::path root = fs::absolute(outdir, ec).lexically_normal();
  fs::create_directories(root, ec);
  if (ec) {
    *error = fmt::format("cannot create the output folder `{}`: {}", outdir, files::io_error_text(ec.value(), root));
    return std::nullopt;
  }
  Publisher publisher(mode, sources);
  Value published = Value::object();
  for (const ir::Port& port : workflow.outputs) {
    auto value = publish_port(publisher, root, port, outputs.value(port.name, Value()), error);
    if (!value) return std::nullopt;
    published[port.name] = std::move(*value);
  }
  if (!write_outputs_json(root, published, error)) return std::nullopt;
  return published;
}

}  // namespace flowc::runtime
