// Diagnostics: what the compiler reports, collected in one place. Phases
// report and keep going; the driver decides when to stop (a phase barrier).
#pragma once

#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include <fmt/format.h>

#include "compiler/source/source.h"

namespace flowc {

enum class Severity { Error, Warning };

enum class DiagId {
#define DIAG(id, code, name, severity, format) id,
#include "compiler/diag/diagnostics.def"
#undef DIAG
};

struct DiagInfo {
  DiagId id;
  std::string_view code;  // "E0400"
  std::string_view name;  // "unknown-name"
  Severity severity;
  std::string_view format;
};

const DiagInfo& diag_info(DiagId id);
const std::vector<DiagInfo>& all_diag_infos();

// A secondary location: "first defined here", "bound inside this for".
struct DiagNote {
  Span span;
  std::string message;
};

struct Diagnostic {
  DiagId id;
  Severity severity;
  Span span;
  std::string message;
  std::string help;  // one suggestion of what to do, if there is a good one
  std::vector<DiagNote> notes;

  Diagnostic& with_help(std::string text) {
    help = std::move(text);
    return *this;
  }
  Diagnostic& with_note(Span where, std::string text) {
    notes.push_back({where, std::move(text)});
    return *this;
  }
};

class Diagnostics {
 public:
  template <typename... Args>
  Diagnostic& report(DiagId id, Span span, const Args&... args) {
    const DiagInfo& info = diag_info(id);
    list_.push_back(Diagnostic{id, info.severity, span, fmt::format(fmt::runtime(info.format), args...), {}, {}});
    if (info.severity == Severity::Error) ++errors_;
    return list_.back();
  }

  const std::vector<Diagnostic>& all() const { return list_; }
  size_t error_count() const { return errors_; }
  bool has_errors() const { return errors_ > 0; }
  // Removes diagnostics (e.g. syntax errors that only follow from an earlier
  // lexical error in the same file).
  void drop_if(const std::function<bool(const Diagnostic&)>& pred);
  // Removes the diagnostics reported after the first `count` (a phase that
  // starts over on another path takes back what it said on the first).
  void truncate(size_t count);

  // Orders by file and position and removes exact repeats, so output is stable
  // whatever order the phases found things in.
  void sort_and_dedupe();

 private:
  std::vector<Diagnostic> list_;
  size_t errors_ = 0;
};

}  // namespace flowc
