// The report's data and page.
#include "runtime/report/report.h"

#include <zlib.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>

#include <fmt/format.h>

#include "runtime/observe/run_view.h"
#include "runtime/report/assets.h"

namespace flowc::runtime::report {
namespace fs = std::filesystem;
namespace obs = observe;

namespace {

constexpr size_t kFailuresShown = 200;
constexpr size_t kStderrLines = 40;
constexpr size_t kStderrBytes = 8192;

// Strings → small integers, in first-seen order.
class Index {
 public:
  int operator()(const std::string& s) {
    auto [it, added] = ids_.emplace(s, static_cast<int>(names_.size()));
    if (added) names_.push_back(s);
    return it->second;
  }
  Value names() const { return Value(names_); }

 private:
  std::map<std::string, int> ids_;
  std::vector<std::string> names_;
};

// One JSON array built as text: a column of 100,000 numbers is one string,
// not 100,000 JSON values.
class Column {
 public:
  void number(int64_t v) {
    sep();
    fmt::format_to(std::back_inserter(text_), "{}", v);
  }
  void text(const std::string& s) {
    sep();
    // Call paths, keys and job ids are plain text: quoted as they are;
    // anything else goes through the JSON library.
    bool plain = std::all_of(s.begin(), s.end(), [](char c) {
      return static_cast<unsigned char>(c) >= 0x20 && static_cast<unsigned char>(c) < 0x7f && c != '"' && c != '\\';
    });
    if (plain) {
      text_ += '"';
      text_ += s;
      text_ += '"';
    } else {
      text_ += Value(s).dump(-1, ' ', false, Value::error_handler_t::replace);
    }
  }
  std::string done() const { return "[" + text_ + "]"; }

 private:
  void sep() {
    if (!text_.empty()) text_ += ',';
  }
  std::string text_;
};

int64_t ms(double seconds) { return static_cast<int64_t>(seconds * 1000 + 0.5); }

int64_t field_ms(const Value& u, const char* key) {
  auto it = u.find(key);
  return it != u.end() && it->is_number() ? ms(it->get<double>()) : -1;
}

int64_t field_kib(const Value& u, const char* key) {
  auto it = u.find(key);
  return it != u.end() && it->is_number() ? static_cast<int64_t>(it->get<double>() / 1024) : -1;
}

Value read_json(const fs::path& path) {
  std::ifstream in(path);
  if (!in) return Value();
  Value v = Value::parse(in, nullptr, false);
  return v.is_discarded() ? Value() : v;
}

std::string gzip(const std::string& data) {
  z_stream z{};
  // 15 + 16: a gzip wrapper, which the browser's DecompressionStream("gzip") reads.
  if (deflateInit2(&z, 6, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK) return {};
  std::string out(deflateBound(&z, data.size()), '\0');
  z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data()));
  z.avail_in = static_cast<uInt>(data.size());
  z.next_out = reinterpret_cast<Bytef*>(out.data());
  z.avail_out = static_cast<uInt>(out.size());
  deflate(&z, Z_FINISH);
  out.resize(z.total_out);
  deflateEnd(&z);
  return out;
}

std::string base64(const std::string& data) {
  static const char* digits = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  out.reserve((data.size() + 2) / 3 * 4);
  size_t i = 0;
  for (; i + 2 < data.size(); i += 3) {
    uint32_t n = (uint32_t(uint8_t(data[i])) << 16) | (uint32_t(uint8_t(data[i + 1])) << 8) | uint8_t(data[i + 2]);
    out += digits[n >> 18];
    out += digits[(n >> 12) & 63];
    out += digits[(n >> 6) & 63];
    out += digits[n & 63];
  }
  if (i < data.size()) {
    uint32_t n = uint32_t(uint8_t(data[i])) << 16;
    if (i + 1 < data.size()) n |= uint32_t(uint8_t(data[i + 1])) << 8;
    out += digits[n >> 18];
    out += digits[(n >> 12) & 63];
    out += i + 1 < data.size() ? digits[(n >> 6) & 63] : '=';
    out += '=';
  }
  return out;
}

// Text safe inside a <script> or <style> element: nothing in it can end the
// element or open a comment (both escapes mean the same in JavaScript).
std::string inline_safe(std::string_view text) {
  std::string out;
  out.reserve(text.size() + 64);
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '<' && (text.compare(i, 8, "</script") == 0 || text.compare(i, 7, "</style") == 0)) {
      out += "<\\/";
      ++i;
      continue;
    }
    if (text[i] == '<' && text.compare(i, 4, "<!--") == 0) {
      out += "<\\!";
      ++i;
      continue;
    }
    out += text[i];
  }
  return out;
}

std::string html_escape(const std::string& s) {
  std::string out;
  for (char c : s) {
    switch (c) {
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '&': out += "&amp;"; break;
      case '"': out += "&quot;"; break;
      default: out += c;
    }
  }
  return out;
}

double now_seconds() {
  return std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
}

}  // namespace

std::string report_data_json(Store& store, const RunRecord& run, const std::string& state_dir) {
  obs::RunSummary summary = obs::start_summary(run);
  Index ops, states, executors;
  Column path, key, op, state, executor, start, dur, user, sys, rss, mem, cpus, attempt, exit, job;
  Value failures = Value::array();
  size_t failures_total = 0;
  store.each_task_summary(run.id, [&](const TaskRecord& t) {
    obs::add_to_summary(summary, t);
    const Value& u = t.usage;
    Value requested = u.is_object() ? u.value("requested", Value::object()) : Value::object();
    path.text(t.path);
    key.text(t.key);
    op.number(ops(t.op));
    state.number(states(std::string(state_name(t.state))));
    executor.number(executors(obs::executor_of(t)));
    start.number(ms(t.started - run.started));
    dur.number(t.finished > 0 ? ms(t.finished - t.started) : -1);
    user.number(u.is_object() ? field_ms(u, "user") : -1);
    sys.number(u.is_object() ? field_ms(u, "sys") : -1);
    rss.number(u.is_object() ? field_kib(u, "rss") : -1);
    mem.number(field_kib(requested, "mem"));
    cpus.number(requested.value("cpus", -1));
    attempt.number(t.attempt);
    exit.number(t.state == TaskState::Running ? -1 : t.exit_code);
    job.text(obs::job_of(t));
    if (t.state == TaskState::Failed && ++failures_total <= kFailuresShown) {
      std::string log = obs::log_path(t, true);
      failures.push_back({{"path", t.path},
                          {"op", t.op},
                          {"error", t.error},
                          {"log", log},
                          {"stderr", obs::file_tail(log, kStderrLines, kStderrBytes)}});
    }
  });
  Value run_value = obs::run_json(summary);
  Value graph = read_json(fs::path(state_dir) / "runs" / run.id / "graph.json");
  std::string out = fmt::format(
      R"({{"v":1,"generated":{},"run":{},"graph":{},"ops":{},"states":{},"executors":{},"failures":{},"failures_total":{},"columns":{{)",
      now_seconds(), run_value.dump(-1, ' ', false, Value::error_handler_t::replace), graph.dump(), ops.names().dump(),
      states.names().dump(), executors.names().dump(), failures.dump(-1, ' ', false, Value::error_handler_t::replace),
      failures_total);
  std::pair<const char*, const Column*> columns[] = {
      {"path", &path},   {"key", &key},   {"op", &op},           {"state", &state}, {"executor", &executor},
      {"start", &start}, {"dur", &dur},   {"user", &user},       {"sys", &sys},     {"rss", &rss},
      {"mem", &mem},     {"cpus", &cpus}, {"attempt", &attempt}, {"exit", &exit},   {"job", &job}};
  bool first = true;
  for (const auto& [name, column] : columns) {
    out += fmt::format(R"({}"{}":{})", first ? "" : ",", name, column->done());
    first = false;
  }
  out += "}}";
  return out;
}

std::string report_html(Store& store, const RunRecord& run, const std::string& state_dir) {
  std::string data = base64(gzip(report_data_json(store, run, state_dir)));
  std::string workflow = run.meta.is_object() ? run.meta.value("workflow", "") : "";
  std::string html;
  html.reserve(data.size() + ui_script().size() + ui_style().size() + 2048);
  html += "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n";
  // Nothing may be fetched: the page opens the same offline.
  html +=
      "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; script-src 'unsafe-inline'; "
      "style-src 'unsafe-inline'; img-src data: blob:; font-src data:\">\n";
  html += "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n";
  html += fmt::format("<title>flowc report: {} {}</title>\n", html_escape(workflow), html_escape(run.id));
  html += "<style>" + inline_safe(ui_style()) + "</style>\n</head><body>\n<div id=\"app\">Loading the report…</div>\n";
  html += "<script id=\"flowc-data\" type=\"application/octet-stream\">" + data + "</script>\n";
  html += "<script>window.FLOWC={\"mode\":\"report\"};</script>\n";
  html += "<script>" + inline_safe(ui_script()) + "</script>\n</body></html>\n";
  return html;
}

std::string live_page_html(const std::string& title, const std::string& config_json) {
  return fmt::format(
      "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n"
      "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<title>{}</title>\n"
      "<link rel=\"stylesheet\" href=\"/assets/flowc-ui.css\">\n</head><body>\n<div id=\"app\">Loading…</div>\n"
      "<script>window.FLOWC={};</script>\n<script src=\"/assets/flowc-ui.js\"></script>\n</body></html>\n",
      html_escape(title), inline_safe(config_json));
}

}  // namespace flowc::runtime::report
