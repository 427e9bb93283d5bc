// Reading a finished task's outputs.
#include "runtime/run/output_collect.h"

#include <filesystem>

#include <fmt/format.h>

#include "runtime/files/read_small.h"
#include "runtime/hash/hash.h"
#include "runtime/run/output_check.h"

namespace flowc::runtime {
namespace fs = std::filesystem;

namespace {

constexpr uint64_t kMaxValueBytes = 64ull << 20;  // a value output, read whole

EvalOptions options_in(const std::string& work_dir) {
  EvalOptions options;
  options.base_dir = work_dir;
  options.scratch_dir = (fs::path(work_dir) / ".values").string();
  return options;
}

}  // namespace

OutputCollector::OutputCollector(const ir::Program& program, const Task& task, const std::string& work_dir)
    : program_(program), task_(task), work_(work_dir), evaluator_(program, options_in(work_dir)), inputs_(task.inputs) {
  // An output must be the task's own (inside its work dir), or one of its
  // inputs passed through; so must everything in a folder output.
  for (const ir::Port& port : task.op->inputs) {
    for_each_typed_path(task.inputs.value(port.name, Value()), port.type,
                        [&](const std::string& path, const ir::Type* type) {
                          input_paths_.push_back(path);
                          for (const CompanionFile& c : companions_of(path, type)) input_paths_.push_back(c.path);
                        });
  }
}

std::variant<Value, std::string> OutputCollector::collect() {
  for (const ir::Port& port : task_.op->outputs) {
    const ir::Type* t = port.type;
    if (t->holds_stream()) continue;  // the plan knows its channel
    bool list = t->is(ir::TypeKind::List) && t->elem()->is_path();
    std::string why = list ? take_path_list(port) : t->non_optional()->is_path() ? take_path(port) : take_value(port);
    if (!why.empty()) return why;
  }
  return std::move(outputs_);
}

// A list of files or folders, found by the port's glob.
std::string OutputCollector::take_path_list(const ir::Port& port) {
  std::vector<std::string> paths;
  if (port.path) {
    auto result = evaluator_.eval(*port.path, inputs_);
    if (auto* f = std::get_if<EvalFailure>(&result)) return fmt::format("output `{}`: {}", port.name, f->message);
    for (const Value& v : std::get<Value>(result)) {
      fs::path p = fs::path(v.get<std::string>());
      paths.push_back((p.is_absolute() ? p : work_ / p).lexically_normal().string());
    }
  }
  Value list = Value::array();
  for (const std::string& path : paths) {
    if (!fs::exists(path)) return fmt::format("output `{}`: `{}` does not exist", port.name, path);
    if (std::string why = record_output(path, port.name); !why.empty()) return why;
    if (std::string why = record_companions(path, port.type->elem(), port.name); !why.empty()) return why;
    list.push_back(path);
  }
  outputs_[port.name] = std::move(list);
  return {};
}

// A file or a folder, at its declared path or named after the port.
std::string OutputCollector::take_path(const ir::Port& port) {
  const ir::Type* t = port.type;
  std::string relative = port.name;
  if (port.path) {
    auto result = evaluator_.eval(*port.path, inputs_);
    if (auto* f = std::get_if<EvalFailure>(&result)) return fmt::format("output `{}`: {}", port.name, f->message);
    relative = std::get<Value>(result).get<std::string>();
  }
  fs::path path = (work_ / relative).lexically_normal();
  std::error_code ec;
  fs::file_status status = fs::symlink_status(path, ec);
  if (!fs::exists(status)) {
    if (t->is_optional()) {
      outputs_[port.name] = nullptr;
      return {};
    }
    return fmt::format("the command did not write output `{}` ({}): `{}` does not exist", port.name,
                       t->non_optional()->str(), path.string());
  }
  bool want_dir = t->non_optional()->is(ir::TypeKind::Dir);
  // A link is judged by what it leads to.
  bool is_dir = fs::is_symlink(status) ? fs::is_directory(path, ec) : fs::is_directory(status);
  if (want_dir != is_dir) {
    return fmt::format("output `{}` should be a {}, but `{}` is {}", port.name, want_dir ? "directory" : "file",
                       path.string(), want_dir ? "not a directory" : "a directory");
  }
  if (std::string why = record_output(path.string(), port.name); !why.empty()) return why;
  if (std::string why = record_companions(path.string(), t->non_optional(), port.name); !why.empty()) return why;
  outputs_[port.name] = path.string();
  return {};
}

// A value, written by the command to the file its name gave.
std::string OutputCollector::take_value(const ir::Port& port) {
  const ir::Type* t = port.type;
  fs::path path = work_ / port.name;
  if (!fs::exists(path)) {
    if (t->is_optional()) {
      outputs_[port.name] = nullptr;
      return {};
    }
    return fmt::format(
        "the command did not write value output `{}` ({}): it should write it to the file "
        "`${{{}}}` names, `{}`",
        port.name, t->str(), port.name, path.string());
  }
  std::string error;
  auto text = files::read_small(path.string(), kMaxValueBytes, &error);
  if (!text) {
    return fmt::format(
        "value output `{}` ({}): {}; a value is read whole: write a big result to a file output "
        "instead",
        port.name, program_.types->display(t), error);
  }
  auto value = read_value_text(*text, t, &error);
  if (!value) return fmt::format("value output `{}` ({}): {}", port.name, program_.types->display(t), error);
  outputs_[port.name] = coerce(*value, t);
  return {};
}

// Checks a path output and records its hash and stamp.
std::string OutputCollector::record_output(const std::string& path, const std::string& port) {
  auto checked = check_output(port, path, work_.string(), input_paths_);
  if (auto* refused = std::get_if<OutputRefused>(&checked)) return refused->why;
  const auto& entries = std::get<std::vector<files::Entry>>(checked);
  std::string error;
  auto hash = hash_tree(entries, &error);
  if (!hash) return fmt::format("output `{}`: {}", port, error);
  FileStamp stamp = stamp_of_tree(entries);
  hashes_[path] = *hash;
  fingerprint_[path] = Value::array({stamp.size, stamp.mtime_ns, *hash});
  return {};
}

// An output's companions, beside it: checked, owned and fingerprinted like it.
std::string OutputCollector::record_companions(const std::string& path, const ir::Type* type, const std::string& port) {
  std::error_code ec;
  for (const CompanionFile& c : companions_of(path, type)) {
    if (!fs::exists(fs::symlink_status(c.path, ec))) {
      if (!c.companion->required) continue;
      return fmt::format(
          "the command did not write `{}`, the companion (\"{}\") of output `{}` that its type "
          "declares beside `{}`",
          fs::path(c.path).filename().string(), c.companion->pattern, port, fs::path(path).filename().string());
    }
    if (std::string why = record_output(c.path, port); !why.empty()) return why;
  }
  return {};
}

}  // namespace flowc::runtime
