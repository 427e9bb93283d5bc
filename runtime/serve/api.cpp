// The routes.
#include "runtime/serve/api.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <random>

#include <fmt/format.h>

#include "runtime/observe/control.h"
#include "runtime/observe/run_view.h"
#include "runtime/report/assets.h"
#include "runtime/report/report.h"

namespace flowc::runtime::serve {
namespace fs = std::filesystem;
namespace obs = observe;

namespace {

constexpr size_t kEventBytesPerTick = 256 * 1024;
constexpr size_t kMaxTail = 100000;

HttpResponse json(int status, const Value& body) {
  return HttpResponse{status, "application/json", body.dump(-1, ' ', false, Value::error_handler_t::replace), {}, {}};
}

HttpResponse error(int status, const std::string& message) { return json(status, Value{{"error", message}}); }

HttpResponse json_text(int status, std::string text) {
  return HttpResponse{status, "application/json", std::move(text), {}, {}};
}

std::vector<std::string> split_path(const std::string& path) {
  std::vector<std::string> parts;
  size_t start = 1;
  while (start <= path.size()) {
    size_t end = path.find('/', start);
    if (end == std::string::npos) end = path.size();
    if (end > start) parts.push_back(path.substr(start, end - start));
    start = end + 1;
  }
  return parts;
}

bool equal_constant_time(const std::string& a, const std::string& b) {
  unsigned char diff = a.size() == b.size() ? 0 : 1;
  for (size_t i = 0; i < a.size(); ++i) diff |= static_cast<unsigned char>(a[i] ^ (i < b.size() ? b[i] : 0));
  return diff == 0;
}

// `path` is inside `dir` (both resolved, symlinks followed).
bool inside(const fs::path& dir, const fs::path& path) {
  std::error_code ec;
  fs::path d = fs::weakly_canonical(dir, ec), p = fs::weakly_canonical(path, ec);
  auto [a, b] = std::mismatch(d.begin(), d.end(), p.begin(), p.end());
  return a == d.end();
}

// Up to `max_bytes` of a regular file that is no symlink: from `offset`, or
// (no offset) its last `max_bytes`.
std::optional<std::string> read_plain(const std::string& path, std::optional<uint64_t> offset, size_t max_bytes) {
  int fd = ::open(path.c_str(), O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK);
  if (fd < 0) return std::nullopt;
  struct stat st {};
  if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
    ::close(fd);
    return std::nullopt;
  }
  auto size = static_cast<uint64_t>(st.st_size);
  uint64_t from = offset ? *offset : (size > max_bytes ? size - max_bytes : 0);
  std::string text;
  if (size > from) {
    text.resize(std::min<uint64_t>(max_bytes, size - from));
    ssize_t got = ::pread(fd, text.data(), text.size(), static_cast<off_t>(from));
    text.resize(got > 0 ? static_cast<size_t>(got) : 0);
  }
  ::close(fd);
  return text;
}

std::string last_lines(const std::string& text, size_t n) {
  size_t end = text.size();
  if (end > 0 && text[end - 1] == '\n') --end;
  size_t begin = end, lines = 0;
  while (begin > 0) {
    if (text[begin - 1] == '\n' && ++lines == n) break;
    --begin;
  }
  return text.substr(begin);
}

}  // namespace

bool Api::authorized(const HttpRequest& request) const {
  const std::string prefix = "Bearer ";
  if (token_.empty() || request.authorization.rfind(prefix, 0) != 0) return false;
  return equal_constant_time(request.authorization.substr(prefix.size()), token_);
}

HttpResponse Api::handle(const HttpRequest& request) {
  std::vector<std::string> parts = split_path(request.path);
  for (const std::string& part : parts) {
    if (part == "." || part == "..") return error(400, "a path may not hold `.` or `..` segments");
  }
  if (request.method != "GET" && request.method != "HEAD" && request.method != "POST") {
    return error(405, "only GET and POST are served");
  }
  if (request.method == "POST" && !authorized(request)) {
    HttpResponse r = error(401,
                           "this changes state: send the token as `Authorization: Bearer TOKEN` (flowc serve "
                           "printed where it is)");
    r.headers.emplace_back("WWW-Authenticate", "Bearer");
    return r;
  }
  return route(request, parts);
}

HttpResponse Api::route(const HttpRequest& request, const std::vector<std::string>& parts) {
  const std::string& m = request.method;
  bool get = m == "GET" || m == "HEAD";
  size_t n = parts.size();
  auto is = [&](size_t i, const char* s) { return i < n && parts[i] == s; };
  if (n == 0 && get)
    return page("flowc: runs", Value{{"mode", "live"}, {"page", "runs"}, {"root", folders_.root()}}.dump());
  if (is(0, "assets") && n == 2 && get) {
    if (parts[1] == "flowc-ui.js")
      return {200,
              "text/javascript; charset=utf-8",
              std::string(report::ui_script()),
              {{"Cache-Control", "max-age=300"}},
              {}};
    if (parts[1] == "flowc-ui.css")
      return {200, "text/css; charset=utf-8", std::string(report::ui_style()), {{"Cache-Control", "max-age=300"}}, {}};
    return error(404, "no such asset");
  }
  if (is(0, "runs") && n >= 2 && get) {
    if (!folders_.of_run(parts[1])) return error(404, fmt::format("there is no run `{}` under the root", parts[1]));
    if (n == 2)
      return page("flowc: run " + parts[1], Value{{"mode", "live"}, {"page", "run"}, {"run", parts[1]}}.dump());
    if (n == 3 && parts[2] == "task") {
      auto path = request.query.find("path");
      if (path == request.query.end()) return error(400, "which task? add ?path=CALL_PATH");
      return page("flowc: " + path->second,
                  Value{{"mode", "live"}, {"page", "task"}, {"run", parts[1]}, {"path", path->second}}.dump());
    }
    if (n == 3 && parts[2] == "report") return report(parts[1]);
  }
  if (!is(0, "api")) return error(404, "no such page");
  if (is(1, "runs")) {
    if (n == 2 && get) return runs();
    if (n == 2 && m == "POST") return launch(request);
    if (n == 3 && get) return run(parts[2]);
    if (n == 4 && parts[3] == "tasks" && get) return tasks(parts[2], request);
    if (n == 5 && parts[3] == "tasks" && get) return task(parts[2], parts[4]);
    if (n == 4 && parts[3] == "graph" && get) return graph(parts[2]);
    if (n == 4 && parts[3] == "events" && get) return events(parts[2], request);
    if (n == 4 && parts[3] == "cancel" && m == "POST") return cancel(parts[2]);
  }
  if (is(1, "tasks") && n == 4 && parts[3] == "log" && get) return log(parts[2], request);
  return error(404, "no such endpoint; docs/api.md lists them");
}

HttpResponse Api::page(const std::string& title, const std::string& config) {
  return {200, "text/html; charset=utf-8", report::live_page_html(title, config), {}, {}};
}

HttpResponse Api::runs() {
  Value out = Value::array();
  for (StateFolder* folder : folders_.all()) {
    std::lock_guard lock(folder->mutex);
    for (const RunRecord& r : folder->store->recent_runs(200)) {
      Value j = obs::run_json(obs::summarize_counts(*folder->store, r));
      j["state_dir"] = folder->dir;
      out.push_back(std::move(j));
    }
  }
  std::sort(out.begin(), out.end(),
            [](const Value& a, const Value& b) { return a["started"].get<double>() > b["started"].get<double>(); });
  return json(200, out);
}

// Polled by every open run page: answered from the run's kept summary
// (run_answers.h).
HttpResponse Api::run(const std::string& id) {
  StateFolder* folder = folders_.of_run(id);
  if (!folder) return error(404, fmt::format("there is no run `{}` under the root", id));
  std::optional<std::string> text = run_answers_.get(*folder, id);
  if (!text) return error(404, fmt::format("there is no run `{}`", id));
  return json_text(200, std::move(*text));
}

HttpResponse Api::tasks(const std::string& id, const HttpRequest& request) {
  StateFolder* folder = folders_.of_run(id);
  if (!folder) return error(404, fmt::format("there is no run `{}` under the root", id));
  auto filter = [&](const char* key) {
    auto it = request.query.find(key);
    return it == request.query.end() ? std::string() : it->second;
  };
  std::string state = filter("state"), op = filter("op");
  std::vector<TaskRecord> tasks;
  {
    std::lock_guard lock(folder->mutex);
    tasks = folder->store->task_summaries(id);
  }
  Value out = Value::array();
  for (const TaskRecord& t : tasks) {
    if ((!state.empty() && state_name(t.state) != state) || (!op.empty() && t.op != op)) continue;
    out.push_back(obs::task_json(t, false));
  }
  return json(200, out);
}

HttpResponse Api::task(const std::string& id, const std::string& path) {
  StateFolder* folder = folders_.of_run(id);
  if (!folder) return error(404, fmt::format("there is no run `{}` under the root", id));
  std::lock_guard lock(folder->mutex);
  std::string why;
  auto t = obs::find_task(*folder->store, id, path, &why);
  if (!t) return error(404, why);
  Value j = obs::task_json(*t, true);
  j["run"] = id;
  if (auto entry = folder->store->cache_find(t->key)) j["outputs"] = entry->outputs;
  return json(200, j);
}

HttpResponse Api::graph(const std::string& id) {
  StateFolder* folder = folders_.of_run(id);
  if (!folder) return error(404, fmt::format("there is no run `{}` under the root", id));
  auto text = read_plain((fs::path(folder->dir) / "runs" / id / "graph.json").string(), std::nullopt, 16 << 20);
  if (!text) return json(200, Value{{"nodes", Value::array()}, {"edges", Value::array()}});
  return {200, "application/json", *text, {}, {}};
}

// The run's events as server-sent events, from its events.jsonl: each
// line is one event whose id is its end's offset in the file, so a client
// that reconnects (Last-Event-ID) continues where it was.
HttpResponse Api::events(const std::string& id, const HttpRequest& request) {
  StateFolder* folder = folders_.of_run(id);
  if (!folder) return error(404, fmt::format("there is no run `{}` under the root", id));
  std::string path = (fs::path(folder->dir) / "runs" / id / "events.jsonl").string();
  auto offset = std::make_shared<uint64_t>(0);
  if (!request.last_event_id.empty()) {
    try {
      *offset = std::stoull(request.last_event_id);
    } catch (const std::exception&) {
      return error(400, "Last-Event-ID must be a number (an offset this stream gave)");
    }
  }
  auto done = std::make_shared<bool>(false);
  auto quiet = std::make_shared<int>(0);
  std::string folder_dir = folder->dir;
  HttpResponse r{200, "text/event-stream", "", {}, {}};
  r.stream = [this, path, offset, done, quiet, id, folder_dir]() -> std::optional<std::string> {
    if (*done) return std::nullopt;
    std::string out = *offset == 0 ? "retry: 1000\n\n" : "";
    auto text = read_plain(path, *offset, kEventBytesPerTick);
    if (text && !text->empty()) {
      const std::string& fresh = *text;
      size_t end = fresh.rfind('\n');  // whole lines only: the run may be writing the next
      if (end != std::string::npos) {
        size_t start = 0;
        while (start <= end) {
          size_t nl = fresh.find('\n', start);
          std::string line = fresh.substr(start, nl - start);
          *offset += nl - start + 1;
          if (!line.empty()) out += fmt::format("id: {}\ndata: {}\n\n", *offset, line);
          if (line.find("\"event\":\"run_finished\"") != std::string::npos) *done = true;
          start = nl + 1;
        }
      }
      *quiet = 0;
    } else if (++*quiet % 25 == 0) {
      // Every 5 s of silence: a comment (keeps proxies from closing it), and
      // the end if the run's flowc is gone without finishing.
      out += ":\n\n";
      StateFolder* f = folders_.of_run(id);
      if (f) {
        std::lock_guard lock(f->mutex);
        auto run = f->store->run(id);
        if (run && obs::run_state(*run) != "running") *done = true;
      }
    }
    return out;
  };
  return r;
}

HttpResponse Api::log(const std::string& key, const HttpRequest& request) {
  auto param = [&](const char* k) {
    auto it = request.query.find(k);
    return it == request.query.end() ? std::string() : it->second;
  };
  std::string stream = param("stream").empty() ? "stdout" : param("stream");
  if (stream != "stdout" && stream != "stderr") return error(400, "stream is stdout or stderr");
  size_t tail = 0;
  if (!param("tail").empty()) {
    try {
      tail = std::min<size_t>(kMaxTail, std::stoul(param("tail")));
    } catch (const std::exception&) {
      return error(400, "tail is a number of lines");
    }
  }
  std::string run_id = param("run");
  // The newest record of the task with that key (in the given run, if any).
  std::optional<TaskRecord> found;
  StateFolder* where = nullptr;
  for (StateFolder* folder : folders_.all()) {
    std::lock_guard lock(folder->mutex);
    for (const RunRecord& r : folder->store->recent_runs(run_id.empty() ? 50 : 100000)) {
      if (!run_id.empty() && r.id != run_id) continue;
      std::string why;
      if (key.size() < 6) break;
      if (auto t = obs::find_task(*folder->store, r.id, key, &why); t && t->key.rfind(key, 0) == 0) {
        found = t;
        where = folder;
        break;
      }
    }
    if (found) break;
  }
  if (!found) return error(404, fmt::format("no task with key `{}` under the root", key));
  // Only a task's own log, in its state folder's work dir, never through a link.
  fs::path work_root = fs::path(where->dir) / "work";
  fs::path file = obs::log_path(*found, stream == "stderr");
  if (!inside(work_root, found->work_dir) || !inside(work_root, file.parent_path())) {
    return error(403, "that task's work dir is outside its state folder");
  }
  auto text = read_plain(file.string(), std::nullopt, tail ? 8u << 20 : 64u << 20);
  if (!text) {
    std::error_code ec;
    if (fs::is_symlink(file, ec)) return error(403, "that log is a symbolic link; only plain files are served");
    return HttpResponse{200, "text/plain; charset=utf-8", "", {}, {}};  // not written yet
  }
  return HttpResponse{200, "text/plain; charset=utf-8", tail ? last_lines(*text, tail) : *text, {}, {}};
}

HttpResponse Api::launch(const HttpRequest& request) {
  Value body = Value::parse(request.body, nullptr, false);
  if (body.is_discarded())
    return error(400, "the body is not JSON: send {\"file\": \"path/under/root.flow\", \"params\": {...}}");
  if (!body.is_object()) return error(400, "the body must be a JSON object: {\"file\": ..., \"params\": {...}}");
  if (!body.contains("file") || !body["file"].is_string())
    return error(400, "`file` (a .flow file under the root) is missing");
  if (body.contains("params") && !body["params"].is_object())
    return error(400, "`params` must be an object of the workflow's inputs");
  if (body.contains("workflow") && !body["workflow"].is_string()) return error(400, "`workflow` must be a string");
  std::string file = body["file"].get<std::string>();
  fs::path requested = fs::path(file).is_absolute() ? fs::path(file) : fs::path(folders_.root()) / file;
  std::error_code ec;
  fs::path real = fs::canonical(requested, ec);
  if (ec) return error(400, fmt::format("`{}` does not exist under the root", file));
  if (!inside(folders_.root(), real))
    return error(403, fmt::format("`{}` is outside the root; only files under it can be run", file));
  if (real.extension() != ".flow" || !fs::is_regular_file(real, ec))
    return error(403, fmt::format("`{}` is not a .flow file", file));

  fs::path cwd = real.parent_path();
  std::vector<std::string> args = {real.string()};
  if (body.contains("workflow")) args.insert(args.end(), {"--workflow", body["workflow"].get<std::string>()});
  if (body.contains("params")) {
    std::random_device rd;
    fs::path params = cwd / ".flow" / "launch" / fmt::format("params-{:08x}{:08x}.json", rd(), rd());
    fs::create_directories(params.parent_path(), ec);
    std::ofstream(params) << body["params"].dump();
    args.insert(args.end(), {"--params", params.string()});
  }
  auto started = obs::start_detached(args, cwd.string(), ".flow");
  if (auto* why = std::get_if<std::string>(&started)) return error(422, *why);
  const auto& d = std::get<obs::Detached>(started);
  {
    std::lock_guard lock(launched_mutex_);
    launched_.push_back(d.pid);
  }
  return json(
      201,
      Value{{"id", d.run_id}, {"state_dir", (cwd / ".flow").string()}, {"log", d.log}, {"url", "/runs/" + d.run_id}});
}

HttpResponse Api::cancel(const std::string& id) {
  StateFolder* folder = folders_.of_run(id);
  if (!folder) return error(404, fmt::format("there is no run `{}` under the root", id));
  std::lock_guard lock(folder->mutex);
  auto r = folder->store->run(id);
  if (!r) return error(404, fmt::format("there is no run `{}`", id));
  if (std::string why = obs::cancel_run(*folder->store, *r, 0); !why.empty()) return error(409, why);
  return json(202, Value{{"id", id}, {"state", "stopping"}});
}

HttpResponse Api::report(const std::string& id) {
  StateFolder* folder = folders_.of_run(id);
  if (!folder) return error(404, fmt::format("there is no run `{}` under the root", id));
  std::lock_guard lock(folder->mutex);
  auto r = folder->store->run(id);
  if (!r) return error(404, fmt::format("there is no run `{}`", id));
  return {200, "text/html; charset=utf-8", report::report_html(*folder->store, *r, folder->dir), {}, {}};
}

void Api::reap() {
  std::lock_guard lock(launched_mutex_);
  std::erase_if(launched_, [](pid_t pid) {
    int status;
    return ::waitpid(pid, &status, WNOHANG) == pid;
  });
}

}  // namespace flowc::runtime::serve
