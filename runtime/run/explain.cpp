// Comparing a task's cache-key manifest with its previous run's.
#include "runtime/run/explain.h"

#include <algorithm>
#include <filesystem>
#include <optional>
#include <sstream>
#include <vector>

#include <fmt/format.h>

#include "runtime/store/store.h"

namespace flowc::runtime {
namespace fs = std::filesystem;

namespace {

// A short text for an IR expression given as JSON (the stored op definition).
std::string json_expr_text(const Value& e) {
  if (!e.is_object()) return "?";
  if (e.contains("var")) return e["var"].get<std::string>();
  if (e.contains("lit")) return e["lit"].dump();
  if (e.contains("get")) return json_expr_text(e["of"]) + "." + e["get"].get<std::string>();
  if (e.contains("call")) {
    std::string out = e["call"].get<std::string>() + "(";
    for (size_t i = 0; i < e["args"].size(); ++i) out += (i ? ", " : "") + json_expr_text(e["args"][i]);
    return out + ")";
  }
  if (e.contains("binary")) {
    return json_expr_text(e["args"][0]) + " " + e["binary"].get<std::string>() + " " + json_expr_text(e["args"][1]);
  }
  return "...";
}

// The command of a stored op, as the user wrote it.
std::vector<std::string> command_lines(const Value& op) {
  std::string text;
  for (const Value& part : op.value("command", Value::array())) {
    if (part.contains("text")) text += part["text"].get<std::string>();
    else text += "${" + json_expr_text(part["expr"]) + "}";
  }
  std::vector<std::string> lines;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

// Lines of `a` not in `b` and the other way round (a set difference is
// enough to show what changed in a command).
void line_diff(const std::vector<std::string>& before, const std::vector<std::string>& after, std::string& out) {
  for (const std::string& l : before) {
    if (std::find(after.begin(), after.end(), l) == after.end()) out += "      - " + l + "\n";
  }
  for (const std::string& l : after) {
    if (std::find(before.begin(), before.end(), l) == before.end()) out += "      + " + l + "\n";
  }
}

// "file:name:hash" → (name, hash), for key values that stand for files.
bool as_file(const Value& v, std::string* name, std::string* hash) {
  if (!v.is_string()) return false;
  const std::string& s = v.get_ref<const std::string&>();
  if (s.rfind("file:", 0) != 0) return false;
  size_t colon = s.rfind(':');
  *name = s.substr(5, colon - 5);
  *hash = s.substr(colon + 1);
  return true;
}

std::string short_value(const Value& v) {
  std::string name, hash;
  if (as_file(v, &name, &hash)) return fmt::format("file `{}` ({})", name, hash.substr(0, 8));
  std::string text = v.dump();
  return text.size() > 80 ? text.substr(0, 77) + "..." : text;
}

// What differs between two key values, item by item and field by field.
void value_changes(const std::string& what, const Value& then, const Value& now, std::string& out, int depth = 0) {
  if (then == now) return;
  std::string n1, h1, n2, h2;
  if (as_file(then, &n1, &h1) && as_file(now, &n2, &h2)) {
    if (n1 == n2) {
      out += fmt::format("  - the content of {} (`{}`) changed\n", what, n2);
    } else {
      out += fmt::format("  - {} is another file: `{}` instead of `{}`{}\n", what, n2, n1,
                         h1 == h2 ? " (with the same content)" : "");
    }
    return;
  }
  // A file with companions: {"file": ..., "with": {pattern: hash or null}}.
  auto companions = [](const Value& v) { return v.is_object() && v.contains("file") && v.contains("with"); };
  if (companions(then) && companions(now)) {
    value_changes(what, then["file"], now["file"], out, depth + 1);
    for (auto& [pattern, hash] : now["with"].items()) {
      Value before = then["with"].value(pattern, Value());
      if (before == hash) continue;
      const char* how = before.is_null() ? "appeared" : hash.is_null() ? "is gone" : "changed";
      out += fmt::format("  - the companion \"{}\" of {} {}\n", pattern, what, how);
    }
    return;
  }
  if (depth < 4 && then.is_array() && now.is_array()) {
    if (then.size() != now.size()) {
      out += fmt::format("  - {} has {} items instead of {}\n", what, now.size(), then.size());
    }
    size_t shown = 0;
    for (size_t i = 0; i < std::min(then.size(), now.size()) && shown < 10; ++i) {
      size_t before = out.size();
      value_changes(fmt::format("item {} of {}", i, what), then[i], now[i], out, depth + 1);
      if (out.size() != before) ++shown;
    }
    return;
  }
  if (depth < 4 && then.is_object() && now.is_object()) {
    for (auto& [field, v] : now.items()) {
      value_changes(fmt::format("field `{}` of {}", field, what), then.value(field, Value()), v, out, depth + 1);
    }
    return;
  }
  out += fmt::format("  - {} changed: {} → {}\n", what, short_value(then), short_value(now));
}

void input_changes(const Value& before, const Value& after, std::string& out) {
  for (auto& [port, now] : after.items()) {
    value_changes(fmt::format("input `{}`", port), before.value(port, Value()), now, out);
  }
}

// Why the last run has no task `path`: the tasks it has that look like it.
std::string no_such_task(Store& store, const RunRecord& run, const std::string& path) {
  std::vector<std::string> near;
  for (const TaskRecord& t : store.tasks(run.id)) {
    if (t.path.find(path) != std::string::npos || path.find(t.path) != std::string::npos) near.push_back(t.path);
    if (near.size() >= 8) break;
  }
  std::string text = fmt::format("the last run ({}) has no task `{}`", run.id, path);
  if (near.empty()) {
    return text + "; task names look like `main.g` or `main.g[3]` (see `flowc run` output or its events.jsonl)";
  }
  text += "; it has:";
  for (const std::string& n : near) text += "\n  " + n;
  return text;
}

// A task that did not run: it took its result from an identical task of
// its run (which ran once, docs/runtime.md), or reused an earlier one.
// Nothing when it ran.
std::optional<std::string> did_not_run(const TaskRecord& task, const RunRecord& run) {
  const std::string& path = task.path;
  if (std::string leader = task.manifest.value("identical_to", ""); !leader.empty()) {
    if (task.state == TaskState::Cached) {
      return fmt::format(
          "{} (op `{}`) reused the result of the identical task `{}` in run {}: the same op and inputs, "
          "run once ({}).",
          path, task.op, leader, run.id, task.work_dir);
    }
    return fmt::format(
        "{} (op `{}`) did not run in run {}: it is the same task as `{}` (the same op and inputs), which "
        "{}; see `flowc explain {}`.",
        path, task.op, run.id, leader, task.state == TaskState::Failed ? "failed" : "was stopped", leader);
  }
  if (task.state == TaskState::Cached) {
    return fmt::format(
        "{} (op `{}`) was reused in run {}: its op and inputs were as before, and its earlier result "
        "({}) was intact.",
        path, task.op, run.id, task.work_dir);
  }
  return std::nullopt;
}

// What changed in the op's definition between two of its digests: which
// fields, and the command's lines.
void op_changes(Store& store, const std::string& then, const std::string& now, std::string& changes) {
  auto before = store.op_json(then);
  auto after = store.op_json(now);
  changes += "  - the op's definition changed";
  if (!before || !after) {
    changes += "\n";
    return;
  }
  Value b = Value::parse(*before), a = Value::parse(*after);
  std::vector<std::string> parts;
  for (auto& [key, value] : a.items()) {
    if (b.value(key, Value()) != value) parts.push_back(key);
  }
  for (auto& [key, value] : b.items()) {
    if (!a.contains(key)) parts.push_back(key);
  }
  changes += fmt::format(" ({})\n", fmt::join(parts, ", "));
  if (std::find(parts.begin(), parts.end(), "command") != parts.end()) {
    changes += "    its command:\n";
    line_diff(command_lines(b), command_lines(a), changes);
  }
}

// What differs between two cache-key manifests: flowc's key version, the
// op, the inputs, the image. Empty: nothing.
std::string manifest_changes(Store& store, const Value& then, const Value& now) {
  std::string changes;
  if (then.value("v", 0) != now.value("v", 0)) {
    changes +=
        fmt::format("  - flowc's cache keys changed (version {} → {}){}\n", then.value("v", 0), now.value("v", 0),
                    now.value("v", 0) == 2 ? ": commands now run in strict mode (bash with `set -euo pipefail`)" : "");
  }
  if (then.value("op", "") != now.value("op", ""))
    op_changes(store, then.value("op", ""), now.value("op", ""), changes);
  input_changes(then.value("inputs", Value::object()), now.value("inputs", Value::object()), changes);
  if (then.value("image", Value()) != now.value("image", Value())) {
    changes += fmt::format("  - its image changed: {} → {}\n", then.value("image", Value()).dump(),
                           now.value("image", Value()).dump());
  } else if (then.value("image_digest", Value()) != now.value("image_digest", Value())) {
    changes += fmt::format("  - its image `{}` was rebuilt: {} → {}\n", now.value("image", ""),
                           then.value("image_digest", Value()).dump(), now.value("image_digest", Value()).dump());
  }
  return changes;
}

}  // namespace

std::string explain_task(const std::string& state_dir, const std::string& path, bool* found) {
  *found = false;
  fs::path db = fs::path(state_dir) / "flow.db";
  if (!fs::exists(db)) return fmt::format("there is no run here yet (no `{}`)", db.string());
  auto store = Store::open(db.string());
  auto runs = store->recent_runs(1);
  if (runs.empty()) return "there is no run here yet";
  const RunRecord& run = runs[0];
  auto task = store->task(run.id, path);
  if (!task) return no_such_task(*store, run, path);
  *found = true;
  if (auto text = did_not_run(*task, run)) return *text;
  std::string why = task->manifest.value("cache_miss", "");
  std::string out = fmt::format("{} (op `{}`) ran in run {} ({})", path, task->op, run.id, state_name(task->state));
  auto previous = store->previous_attempt(path, run.id);
  if (!previous) {
    return out + fmt::format(": {}.\nNo earlier run had a task `{}`.", why.empty() ? "it was new" : why, path);
  }
  std::string changes = manifest_changes(*store, previous->manifest, task->manifest);
  if (changes.empty()) {
    return out + fmt::format(": its op and inputs were the same as in run {}, but {}.", previous->run_id,
                             why.empty() ? "its earlier result was not reused" : why);
  }
  return out + fmt::format(" because, since run {}:\n{}", previous->run_id, changes);
}

}  // namespace flowc::runtime
