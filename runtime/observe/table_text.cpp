// Tables and sizes as text.
#include "runtime/observe/table_text.h"

#include <algorithm>

#include <fmt/format.h>

#include "runtime/observe/monitor.h"

namespace flowc::runtime::observe {

namespace {

size_t columns_of(const std::string& s) {
  return static_cast<size_t>(
      std::count_if(s.begin(), s.end(), [](char c) { return (static_cast<unsigned char>(c) & 0xC0) != 0x80; }));
}

}  // namespace

std::string TextTable::text() const {
  std::vector<size_t> width;
  for (const auto& row : rows_) {
    if (width.size() < row.size()) width.resize(row.size(), 0);
    for (size_t i = 0; i < row.size(); ++i) width[i] = std::max(width[i], columns_of(row[i]));
  }
  std::string out;
  for (const auto& row : rows_) {
    std::string line;
    for (size_t i = 0; i < row.size(); ++i) {
      line += row[i];
      if (i + 1 < row.size()) line += std::string(width[i] - columns_of(row[i]) + 2, ' ');
    }
    while (!line.empty() && line.back() == ' ') line.pop_back();
    out += line + "\n";
  }
  return out;
}

std::string human_bytes(double bytes) {
  const char* units[] = {"B", "KiB", "MiB", "GiB", "TiB"};
  int u = 0;
  while (bytes >= 1024 && u < 4) {
    bytes /= 1024;
    ++u;
  }
  return u == 0 ? fmt::format("{:.0f} B", bytes) : fmt::format("{:.3g} {}", bytes, units[u]);
}

std::string usage_text(const Value& u) {
  if (!u.is_object()) return "not measured";
  std::string text = "wall " + duration_text(u.value("wall", 0.0));
  const Value requested = u.value("requested", Value::object());
  if (u.contains("user")) {
    double user = u.value("user", 0.0), sys = u.value("sys", 0.0), wall = u.value("wall", 0.0);
    int cpus = requested.value("cpus", 1);
    text += fmt::format(" · cpu {} user + {} sys", duration_text(user), duration_text(sys));
    if (wall > 0) {
      text += fmt::format(" ({:.0f}% of {} cpu{})", 100 * (user + sys) / (wall * std::max(1, cpus)), cpus,
                          cpus == 1 ? "" : "s");
    }
  }
  if (u.contains("rss")) {
    double rss = u.value("rss", 0.0);
    text += " · peak memory " + human_bytes(rss);
    if (requested.contains("mem")) {
      double mem = requested.value("mem", 0.0);
      text += fmt::format(" of {} requested ({:.0f}%)", human_bytes(mem), mem > 0 ? 100 * rss / mem : 0.0);
    }
  } else if (requested.contains("mem")) {
    text += " · " + human_bytes(requested.value("mem", 0.0)) + " requested";
  }
  if (u.contains("read")) {
    text +=
        fmt::format(" · read {}, wrote {}", human_bytes(u.value("read", 0.0)), human_bytes(u.value("written", 0.0)));
  }
  if (u.contains("source")) text += " (" + u.value("source", "") + ")";
  return text;
}

std::string short_json(const Value& v, size_t limit) {
  std::string text = v.dump(-1, ' ', false, Value::error_handler_t::replace);
  if (text.size() > limit) text = text.substr(0, limit - 3) + "...";
  return text;
}

}  // namespace flowc::runtime::observe
