// Resource usage as JSON and as the measurement file.
#include "runtime/observe/usage.h"

#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include <fmt/format.h>

namespace flowc::runtime::observe {

Value usage_json(const ResourceUsage& u) {
  Value j = Value::object();
  j["wall"] = u.wall_seconds;
  if (u.user_seconds >= 0) j["user"] = u.user_seconds;
  if (u.system_seconds >= 0) j["sys"] = u.system_seconds;
  if (u.peak_rss_bytes >= 0) j["rss"] = u.peak_rss_bytes;
  if (u.read_bytes >= 0) j["read"] = u.read_bytes;
  if (u.written_bytes >= 0) j["written"] = u.written_bytes;
  if (!u.source.empty()) j["source"] = u.source;
  return j;
}

std::optional<ResourceUsage> usage_from_json(const Value& j) {
  if (!j.is_object() || !j.contains("wall")) return std::nullopt;
  ResourceUsage u;
  u.wall_seconds = j.value("wall", 0.0);
  u.user_seconds = j.value("user", -1.0);
  u.system_seconds = j.value("sys", -1.0);
  u.peak_rss_bytes = j.value("rss", int64_t{-1});
  u.read_bytes = j.value("read", int64_t{-1});
  u.written_bytes = j.value("written", int64_t{-1});
  u.source = j.value("source", "");
  return u;
}

std::string usage_file_text(const ResourceUsage& u) {
  std::string s =
      fmt::format("source {}\nwall_seconds {:.6f}\n", u.source.empty() ? "rusage" : u.source, u.wall_seconds);
  if (u.user_seconds >= 0) s += fmt::format("user_seconds {:.6f}\n", u.user_seconds);
  if (u.system_seconds >= 0) s += fmt::format("system_seconds {:.6f}\n", u.system_seconds);
  if (u.peak_rss_bytes >= 0) s += fmt::format("peak_rss_bytes {}\n", u.peak_rss_bytes);
  if (u.read_bytes >= 0) s += fmt::format("read_bytes {}\n", u.read_bytes);
  if (u.written_bytes >= 0) s += fmt::format("written_bytes {}\n", u.written_bytes);
  return s;
}

std::optional<ResourceUsage> parse_usage_file(const std::string& text) {
  static const double ticks = static_cast<double>(::sysconf(_SC_CLK_TCK) > 0 ? ::sysconf(_SC_CLK_TCK) : 100);
  ResourceUsage u;
  bool any = false;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) {
    std::istringstream fields(line);
    std::string name, value;
    if (!(fields >> name >> value)) continue;
    try {
      if (name == "source") u.source = value;
      else if (name == "wall_seconds") u.wall_seconds = std::stod(value);
      else if (name == "user_seconds") u.user_seconds = std::stod(value);
      else if (name == "system_seconds") u.system_seconds = std::stod(value);
      else if (name == "user_ticks") u.user_seconds = std::stod(value) / ticks;
      else if (name == "system_ticks") u.system_seconds = std::stod(value) / ticks;
      else if (name == "peak_rss_bytes") u.peak_rss_bytes = std::stoll(value);
      else if (name == "read_bytes") u.read_bytes = std::stoll(value);
      else if (name == "written_bytes") u.written_bytes = std::stoll(value);
      else continue;
      any = true;
    } catch (const std::exception&) {
      // a half-written or foreign line: skip it, keep the rest
    }
  }
  if (!any) return std::nullopt;
  return u;
}

std::optional<ResourceUsage> read_usage_file(const std::string& work_dir) {
  std::ifstream in(std::filesystem::path(work_dir) / kUsageFile);
  if (!in) return std::nullopt;
  std::stringstream s;
  s << in.rdbuf();
  return parse_usage_file(s.str());
}

std::vector<std::string> cgroup_measured(const std::vector<std::string>& argv) {
  // Builtins only before the figures are read (`read` and `echo`), so the
  // measurement does not measure itself.
  static const std::string script = R"sh("$@"; rc=$?
{
  while read -r name value; do
    case $name in rchar:) echo "read_bytes $value" ;; wchar:) echo "written_bytes $value" ;; esac
  done < /proc/$$/io
  g=/sys/fs/cgroup
  if [ -r $g/memory/memory.max_usage_in_bytes ]; then
    echo "source cgroup-v1"
    read -r peak < $g/memory/memory.max_usage_in_bytes && echo "peak_rss_bytes $peak"
    while read -r name value; do echo "${name}_ticks $value"; done < $g/cpuacct/cpuacct.stat
  elif [ -r $g/cpu.stat ]; then
    echo "source cgroup-v2"
    [ -r $g/memory.peak ] && read -r peak < $g/memory.peak && echo "peak_rss_bytes $peak"
    while read -r name value; do
      case $name in user_usec) echo "user_seconds $((value / 1000000)).$(printf %06d $((value % 1000000)))" ;;
        system_usec) echo "system_seconds $((value / 1000000)).$(printf %06d $((value % 1000000)))" ;; esac
    done < $g/cpu.stat
  fi
} > .flowc-usage.tmp 2>/dev/null && mv -f .flowc-usage.tmp .flowc-usage
exit $rc)sh";
  std::vector<std::string> out = {"/bin/sh", "-c", script, "flowc-task"};
  out.insert(out.end(), argv.begin(), argv.end());
  return out;
}

}  // namespace flowc::runtime::observe
