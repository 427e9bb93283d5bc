// Event log and progress line.
#include "runtime/run/events.h"

#include <unistd.h>

#include <fmt/format.h>

namespace flowc::runtime {

namespace {

double now_seconds() {
  return std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
}

}  // namespace

EventLog::EventLog(const std::string& path, bool to_stdout) : to_stdout_(to_stdout) {
  file_ = std::fopen(path.c_str(), "ae");
}

EventLog::~EventLog() {
  if (file_) std::fclose(file_);
}

void EventLog::emit(const std::string& event, Value fields) {
  Value line = Value::object();
  line["time"] = now_seconds();
  line["event"] = event;
  for (auto& [k, v] : fields.items()) line[k] = std::move(v);
  std::string text = line.dump(-1, ' ', false, Value::error_handler_t::replace);
  text += '\n';
  if (file_) std::fwrite(text.data(), 1, text.size(), file_);
  if (to_stdout_) std::fwrite(text.data(), 1, text.size(), stdout);
}

void EventLog::flush() {
  if (file_) std::fflush(file_);
  if (to_stdout_) std::fflush(stdout);
}

ProgressLine::ProgressLine(bool enabled)
    : enabled_(enabled && isatty(STDERR_FILENO)), start_(std::chrono::steady_clock::now()) {}

void ProgressLine::update(const Counts& c, bool force) {
  if (!enabled_) return;
  auto now = std::chrono::steady_clock::now();
  if (!force && now - last_ < std::chrono::milliseconds(120)) return;
  last_ = now;
  auto secs = std::chrono::duration_cast<std::chrono::seconds>(now - start_).count();
  std::string line = fmt::format("[{:02}:{:02}] {} done ({} cached) · {} running · {} waiting", secs / 60, secs % 60,
                                 c.done, c.cached, c.running, c.waiting);
  if (c.failed) line += fmt::format(" · {} failed", c.failed);
  if (c.retrying) line += fmt::format(" · {} retried", c.retrying);
  std::fprintf(stderr, "\r\x1b[K%s", line.c_str());
  std::fflush(stderr);
  shown_ = true;
}

void ProgressLine::clear() {
  if (!enabled_ || !shown_) return;
  std::fprintf(stderr, "\r\x1b[K");
  std::fflush(stderr);
  shown_ = false;
}

}  // namespace flowc::runtime
