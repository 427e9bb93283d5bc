// The diagnostic registry (from diagnostics.def) and the collection.
#include "compiler/diag/diagnostic.h"

#include <algorithm>
#include <tuple>

namespace flowc {

const std::vector<DiagInfo>& all_diag_infos() {
  static const std::vector<DiagInfo> infos = {
#define DIAG(id, code, name, severity, format) {DiagId::id, code, name, Severity::severity, format},
#include "compiler/diag/diagnostics.def"
#undef DIAG
  };
  return infos;
}

const DiagInfo& diag_info(DiagId id) { return all_diag_infos()[static_cast<size_t>(id)]; }

void Diagnostics::drop_if(const std::function<bool(const Diagnostic&)>& pred) {
  std::erase_if(list_, pred);
  errors_ =
      std::count_if(list_.begin(), list_.end(), [](const Diagnostic& d) { return d.severity == Severity::Error; });
}

void Diagnostics::truncate(size_t count) {
  if (count >= list_.size()) return;
  list_.resize(count);
  errors_ =
      std::count_if(list_.begin(), list_.end(), [](const Diagnostic& d) { return d.severity == Severity::Error; });
}

void Diagnostics::sort_and_dedupe() {
  auto key = [](const Diagnostic& d) { return std::tie(d.span.file, d.span.begin, d.span.end, d.id, d.message); };
  std::stable_sort(list_.begin(), list_.end(),
                   [&](const Diagnostic& a, const Diagnostic& b) { return key(a) < key(b); });
  list_.erase(std::unique(list_.begin(), list_.end(),
                          [&](const Diagnostic& a, const Diagnostic& b) { return key(a) == key(b); }),
              list_.end());
  errors_ =
      std::count_if(list_.begin(), list_.end(), [](const Diagnostic& d) { return d.severity == Severity::Error; });
}

}  // namespace flowc
