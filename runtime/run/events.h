// What a run says as it goes: JSON-lines events in the run's folder (and on
// stdout with --log-format json), handed on to the run's monitor
// (runtime/observe/monitor.h: the live line, or the plain log).
#pragma once

#include <cstdio>
#include <functional>
#include <memory>
#include <string>

#include "runtime/value/value.h"

namespace flowc::runtime {

class EventLog {
 public:
  // Appends to `path`; also writes to stdout if `to_stdout`.
  EventLog(const std::string& path, bool to_stdout);
  ~EventLog();
  EventLog(const EventLog&) = delete;
  EventLog& operator=(const EventLog&) = delete;

  // Writes {"time": ..., "event": name, ...fields}.
  void emit(const std::string& event, Value fields);
  // Writes a line made elsewhere, as emit() writes one (without its
  // newline), and tells no listener.
  void write_line(const std::string& text);
  void flush();
  // Also hands every event to `listener` (the run's monitor).
  void listen(std::function<void(const Value&)> listener) { listener_ = std::move(listener); }

 private:
  std::FILE* file_ = nullptr;
  bool to_stdout_;
  std::function<void(const Value&)> listener_;
};

}  // namespace flowc::runtime
