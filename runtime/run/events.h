// What a run says as it goes: JSON-lines events in the run's folder (and on
// stdout with --log-format json), and one live progress line on a terminal.
#pragma once

#include <chrono>
#include <cstdio>
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
  void flush();

 private:
  std::FILE* file_ = nullptr;
  bool to_stdout_;
};

struct Counts {
  size_t done = 0, cached = 0, running = 0, waiting = 0, failed = 0, retrying = 0;
};

// The single line a terminal shows while a run goes on.
class ProgressLine {
 public:
  explicit ProgressLine(bool enabled);
  // Redraws at most a few times a second (or when `force`).
  void update(const Counts& counts, bool force = false);
  // Removes the line before other output, and at the end.
  void clear();

 private:
  bool enabled_;
  bool shown_ = false;
  std::chrono::steady_clock::time_point start_;
  std::chrono::steady_clock::time_point last_;
};

}  // namespace flowc::runtime
