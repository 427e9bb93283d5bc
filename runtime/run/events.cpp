// The event log.
#include "runtime/run/events.h"

#include <chrono>

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
  if (listener_) listener_(line);
}

void EventLog::write_line(const std::string& text) {
  if (file_) {
    std::fwrite(text.data(), 1, text.size(), file_);
    std::fputc('\n', file_);
  }
  if (to_stdout_) {
    std::fwrite(text.data(), 1, text.size(), stdout);
    std::fputc('\n', stdout);
  }
}

void EventLog::flush() {
  if (file_) std::fflush(file_);
  if (to_stdout_) std::fflush(stdout);
}

}  // namespace flowc::runtime
