// Publishing outputs.
#include "runtime/run/publish.h"

#include <unistd.h>

#include <filesystem>
#include <fstream>

#include <fmt/format.h>

namespace flowc::runtime {
namespace fs = std::filesystem;

namespace {

// Hard-links a file or a directory tree, copying where links are not allowed.
void link_or_copy(const fs::path& from, const fs::path& to, std::error_code& ec) {
  if (fs::is_directory(from)) {
    fs::create_directories(to, ec);
    for (const auto& entry : fs::directory_iterator(from, ec)) {
      link_or_copy(entry.path(), to / entry.path().filename(), ec);
      if (ec) return;
    }
    return;
  }
  fs::create_hard_link(fs::canonical(from, ec), to, ec);
  if (ec) {
    ec.clear();
    fs::copy_file(from, to, fs::copy_options::overwrite_existing, ec);
  }
}

}  // namespace

std::optional<Value> publish_outputs(const ir::Program& program, const ir::Workflow& workflow, const Value& outputs,
                                     const std::string& outdir, PublishMode mode, std::string* error) {
  (void)program;
  std::error_code ec;
  fs::path root = fs::absolute(outdir, ec).lexically_normal();
  fs::create_directories(root, ec);
  if (ec) {
    *error = fmt::format("cannot create the output folder `{}`: {}", outdir, ec.message());
    return std::nullopt;
  }
  Value published = Value::object();
  for (const ir::Port& port : workflow.outputs) {
    const Value& value = outputs.value(port.name, Value());
    fs::path dir = root / port.name;
    fs::remove_all(dir, ec);
    size_t count = 0;
    for_each_path(value, port.type, [&](const std::string&, bool) { ++count; });
    size_t k = 0;
    std::string failure;
    auto put = [&](const std::string& path, const fs::path& target) {
      std::error_code op;
      switch (mode) {
        case PublishMode::Link: link_or_copy(path, target, op); break;
        case PublishMode::Symlink: fs::create_symlink(path, target, op); break;
        case PublishMode::Copy:
          fs::copy(path, target, fs::copy_options::recursive | fs::copy_options::overwrite_existing, op);
          break;
      }
      if (op && failure.empty()) failure = fmt::format("cannot publish `{}` to `{}`: {}", path, target.string(), op.message());
    };
    Value mapped = map_typed_paths(value, port.type, [&](const std::string& path, const ir::Type* type) -> Value {
      fs::path target_dir = count > 1 ? dir / std::to_string(k++) : dir;
      fs::create_directories(target_dir, ec);
      fs::path target = target_dir / fs::path(path).filename();
      put(path, target);
      // Companions the output's type declares go beside it, under their own names.
      for (const CompanionFile& c : companions_of(path, type)) {
        std::error_code missing;
        if (fs::exists(fs::symlink_status(c.path, missing))) put(c.path, target_dir / fs::path(c.path).filename());
      }
      return target.string();
    });
    if (!failure.empty()) {
      *error = failure;
      return std::nullopt;
    }
    published[port.name] = std::move(mapped);
  }
  // outputs.json, through a temporary file so a reader never sees half of it.
  fs::path json = root / "outputs.json";
  fs::path temp = root / fmt::format(".outputs.json.{}", ::getpid());
  {
    std::ofstream out(temp, std::ios::binary | std::ios::trunc);
    out << published.dump(2) << "\n";
    if (!out) {
      *error = fmt::format("cannot write `{}`", temp.string());
      return std::nullopt;
    }
  }
  fs::rename(temp, json, ec);
  if (ec) {
    *error = fmt::format("cannot write `{}`: {}", json.string(), ec.message());
    return std::nullopt;
  }
  return published;
}

}  // namespace flowc::runtime
