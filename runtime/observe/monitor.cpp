// The live line and the plain log.
#include "runtime/observe/monitor.h"

#include <sys/ioctl.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <vector>

#include <fmt/format.h>

namespace flowc::runtime::observe {
namespace fs = std::filesystem;
using SteadyClock = std::chrono::steady_clock;

namespace {

double seconds_between(SteadyClock::time_point a, SteadyClock::time_point b) {
  return std::chrono::duration<double>(b - a).count();
}

int terminal_width() {
  winsize w{};
  if (::ioctl(STDERR_FILENO, TIOCGWINSZ, &w) == 0 && w.ws_col > 20) return w.ws_col;
  return 100;
}

// Cuts `text` to `width` columns (counting UTF-8 characters, not bytes).
std::string fit(const std::string& text, size_t width) {
  size_t columns = 0;
  for (size_t i = 0; i < text.size(); ++i) {
    if ((static_cast<unsigned char>(text[i]) & 0xC0) == 0x80) continue;
    if (++columns > width) return text.substr(0, i);
  }
  return text;
}

std::string str(const Value& e, const char* key) {
  auto it = e.find(key);
  return it != e.end() && it->is_string() ? it->get<std::string>() : std::string();
}

}  // namespace

std::string duration_text(double s) {
  if (s < 0) s = 0;
  if (s < 10) return fmt::format("{:.2f}s", s);
  auto total = static_cast<long>(std::lround(s));
  if (total < 60) return fmt::format("{}s", total);
  if (total < 3600) return fmt::format("{}m{:02}s", total / 60, total % 60);
  return fmt::format("{}h{:02}m", total / 3600, (total % 3600) / 60);
}

std::string reported_progress(const std::string& work_dir) {
  std::ifstream in(fs::path(work_dir) / ".flowc-progress");
  if (!in) return "";
  // Only the end of a file that may be long: the last line wins.
  in.seekg(0, std::ios::end);
  std::streamoff size = in.tellg();
  in.seekg(std::max<std::streamoff>(0, size - 256));
  std::string line, last;
  while (std::getline(in, line)) {
    while (!line.empty() && (line.back() == '\r' || line.back() == ' ')) line.pop_back();
    if (!line.empty()) last = line;
  }
  // Only "N", "N/M" (digits): a progress file is not a place for text.
  bool ok = !last.empty() && last.size() < 40 && std::all_of(last.begin(), last.end(), [](char c) {
    return std::isdigit(static_cast<unsigned char>(c)) || c == '/' || c == '.';
  });
  return ok ? last : "";
}

RunMonitor::Mode RunMonitor::choose(bool wanted) {
  if (!wanted) return Mode::Quiet;
  return ::isatty(STDERR_FILENO) ? Mode::Terminal : Mode::Lines;
}

RunMonitor::RunMonitor(Mode mode, std::ostream& lines, double summary_seconds)
    : mode_(mode), lines_(lines), summary_seconds_(summary_seconds), start_(SteadyClock::now()), last_(start_) {}

std::string RunMonitor::clock() const {
  auto secs = static_cast<long>(seconds_between(start_, SteadyClock::now()));
  if (secs >= 3600) return fmt::format("{}:{:02}:{:02}", secs / 3600, (secs % 3600) / 60, secs % 60);
  return fmt::format("{:02}:{:02}", secs / 60, secs % 60);
}

void RunMonitor::line(const std::string& text) {
  if (mode_ != Mode::Lines) return;
  // Kept until flush(), then one write for all (std::cerr writes at every <<).
  pending_ += "flowc: " + clock() + " " + text + "\n";
  if (pending_.size() > (64 << 10)) flush();
}

void RunMonitor::flush() {
  if (pending_.empty()) return;
  lines_.write(pending_.data(), static_cast<std::streamsize>(pending_.size()));
  lines_.flush();
  pending_.clear();
}

void RunMonitor::event(const Value& e) {
  if (mode_ == Mode::Quiet) return;
  std::string name = str(e, "event");
  std::string task = str(e, "task");
  std::string op = str(e, "op");
  auto now = SteadyClock::now();
  if (name == "started" || name == "adopted") {
    std::string where = str(e, "job");
    running_[task] = RunningTask{op, str(e, "work_dir"), now};
    if (!first_start_) first_start_ = now;
    line(fmt::format("{:<8} {} ({}){}", name, task, op, where.empty() ? "" : " " + where));
  } else if (name == "finished") {
    running_.erase(task);
    ++ran_;
    line(fmt::format("{:<8} {} ({}) in {}", name, task, op, duration_text(e.value("seconds", 0.0))));
  } else if (name == "cached") {
    cached(task, op);
  } else if (name == "failed" || name == "cancelled") {
    running_.erase(task);
    std::string work_dir = str(e, "work_dir");
    int code = e.value("exit_code", -1);
    line(fmt::format("{:<8} {} ({}){}{}", name, task, op, code >= 0 ? fmt::format(" exit {}", code) : "",
                     work_dir.empty() ? "" : ", log: " + (fs::path(work_dir) / ".stderr").string()));
  } else if (name == "retrying") {
    // The task stays running (its next attempt), from now.
    if (auto it = running_.find(task); it != running_.end()) it->second.since = now;
    line(fmt::format("{:<8} {} (attempt {})", name, task, e.value("attempt", 0)));
  }
}

void RunMonitor::cached(const std::string& task, const std::string& op) {
  if (mode_ == Mode::Quiet) return;
  line(fmt::format("{:<8} {} ({})", "cached", task, op));
}

std::string RunMonitor::summary(const Counts& c) {
  auto now = SteadyClock::now();
  std::string text = fmt::format("{}/{} done", c.done, std::max(c.total, c.done + c.failed + c.running + c.waiting));
  if (c.cached) text += fmt::format(" ({} cached)", c.cached);
  if (c.growing) text += ", + more to plan";
  if (c.running) {
    std::map<std::string, size_t> by_op;
    const std::pair<const std::string, RunningTask>* longest = nullptr;
    for (const auto& entry : running_) {
      ++by_op[entry.second.op];
      if (!longest || entry.second.since < longest->second.since) longest = &entry;
    }
    std::vector<std::pair<size_t, std::string>> ops;
    for (const auto& [op, n] : by_op) ops.emplace_back(n, op);
    std::sort(ops.begin(), ops.end(), [](const auto& a, const auto& b) { return a.first > b.first; });
    std::string names;
    for (size_t i = 0; i < ops.size() && i < 3; ++i)
      names += fmt::format("{}{} {}", i ? ", " : "", ops[i].second, ops[i].first);
    if (ops.size() > 3) names += fmt::format(", {} more ops", ops.size() - 3);
    text += fmt::format(" · {} running", c.running);
    if (!names.empty()) text += ": " + names;
    if (longest) {
      text +=
          fmt::format(", longest {} {}", longest->first, duration_text(seconds_between(longest->second.since, now)));
      if (std::string p = reported_progress(longest->second.work_dir); !p.empty()) text += " " + p;
    }
  }
  if (c.failed) text += fmt::format(" · {} failed", c.failed);
  if (c.retrying) text += fmt::format(" · {} retried", c.retrying);
  // ETA: the pace of tasks that ran so far, over what is known to remain.
  size_t total = std::max(c.total, c.done + c.failed + c.running + c.waiting);
  size_t left = total > c.done + c.failed ? total - c.done - c.failed : 0;
  if (first_start_ && ran_ >= 3 && left > 0) {
    double elapsed = seconds_between(*first_start_, now);
    if (elapsed >= 1) {
      double eta = elapsed / static_cast<double>(ran_) * static_cast<double>(left);
      text += fmt::format(" · ETA {}{}", c.growing ? "≥" : "", duration_text(eta));
    }
  }
  return text;
}

void RunMonitor::update(const Counts& c, bool force) {
  flush();
  auto now = SteadyClock::now();
  if (mode_ == Mode::Terminal) {
    if (!force && now - last_ < std::chrono::milliseconds(120)) return;
    last_ = now;
    std::string text = fit("[" + clock() + "] " + summary(c), static_cast<size_t>(terminal_width() - 1));
    std::fprintf(stderr, "\r\x1b[K%s", text.c_str());
    std::fflush(stderr);
    shown_ = true;
  } else if (mode_ == Mode::Lines) {
    if (!force && seconds_between(last_, now) < summary_seconds_) return;
    last_ = now;
    line(summary(c));
    flush();
  }
}

void RunMonitor::clear() {
  flush();
  if (mode_ != Mode::Terminal || !shown_) return;
  std::fprintf(stderr, "\r\x1b[K");
  std::fflush(stderr);
  shown_ = false;
}

}  // namespace flowc::runtime::observe
