// The missing-companion text.
#include "runtime/run/companion_text.h"

#include <filesystem>

#include <fmt/format.h>

namespace flowc::runtime {

std::string missing_companion_text(const std::string& port, const std::string& path, const CompanionFile& c) {
  const std::string& pattern = c.companion->pattern;
  std::string text = fmt::format(
      "`{}` has no companion `{}` beside it (\"{}\" in its type; make it first, as an index is made with "
      "`samtools index` or `bwa index`, or declare it optional: `\"{}\"?`)",
      path, std::filesystem::path(c.path).filename().string(), pattern, pattern);
  return port.empty() ? text : fmt::format("input `{}`: {}", port, text);
}

}  // namespace flowc::runtime
