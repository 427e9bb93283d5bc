// Typo suggestions.
#include "compiler/check/suggest.h"

#include <algorithm>
#include <cctype>

#include <fmt/format.h>

namespace flowc::check {

double edit_distance(std::string_view a, std::string_view b) {
  const size_t n = a.size(), m = b.size();
  std::vector<std::vector<double>> d(n + 1, std::vector<double>(m + 1));
  for (size_t i = 0; i <= n; ++i) d[i][0] = static_cast<double>(i);
  for (size_t j = 0; j <= m; ++j) d[0][j] = static_cast<double>(j);
  for (size_t i = 1; i <= n; ++i) {
    for (size_t j = 1; j <= m; ++j) {
      double cost = 0;
      if (a[i - 1] != b[j - 1]) {
        bool case_only =
            std::tolower(static_cast<unsigned char>(a[i - 1])) == std::tolower(static_cast<unsigned char>(b[j - 1]));
        cost = case_only ? 0.5 : 1;
      }
      d[i][j] = std::min({d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost});
      if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1])
        d[i][j] = std::min(d[i][j], d[i - 2][j - 2] + 1);
    }
  }
  return d[n][m];
}

std::optional<std::string> closest(std::string_view name, const std::vector<std::string>& candidates) {
  if (name.size() > 64) return std::nullopt;
  double best = 1e9;
  const std::string* found = nullptr;
  for (const std::string& c : candidates) {
    if (c == name || c.size() > 64) continue;
    double dist = edit_distance(name, c);
    if (dist < best) {
      best = dist;
      found = &c;
    }
  }
  // One edit for short names, about a third of the length for longer ones.
  double limit = std::max(1.0, static_cast<double>(name.size()) / 3.0);
  if (!found || best > limit) return std::nullopt;
  return *found;
}

std::string did_you_mean(std::string_view name, const std::vector<std::string>& candidates) {
  auto c = closest(name, candidates);
  return c ? fmt::format("did you mean `{}`?", *c) : std::string();
}

}  // namespace flowc::check
