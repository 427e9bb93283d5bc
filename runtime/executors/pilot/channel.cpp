// The pilot's file channel.
#include "runtime/executors/pilot/channel.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>

#include <fmt/format.h>

#include <nlohmann/json.hpp>

namespace flowc::runtime::pilot {
namespace fs = std::filesystem;

std::string task_text(const PilotTask& task) {
  nlohmann::json j = {{"work_dir", task.work_dir},
                      {"argv", task.argv},
                      {"stdout", task.stdout_path},
                      {"stderr", task.stderr_path},
                      {"timeout", task.timeout_seconds},
                      {"cpus", task.cpus},
                      {"env", task.env},
                      {"mem", task.mem_bytes}};
  if (task.ranks > 0) j["ranks"] = task.ranks;
  if (!task.prefetch_argv.empty()) j["prefetch"] = task.prefetch_argv;
  if (!task.unfetch_argv.empty()) j["unfetch"] = task.unfetch_argv;
  return j.dump();
}

std::optional<PilotTask> parse_task(const std::string& text) {
  try {
    nlohmann::json j = nlohmann::json::parse(text);
    PilotTask t;
    t.work_dir = j.at("work_dir").get<std::string>();
    t.argv = j.at("argv").get<std::vector<std::string>>();
    t.stdout_path = j.at("stdout").get<std::string>();
    t.stderr_path = j.at("stderr").get<std::string>();
    t.timeout_seconds = j.at("timeout").get<double>();
    t.cpus = j.at("cpus").get<int>();
    t.env = j.at("env").get<std::vector<std::string>>();
    t.mem_bytes = j.value("mem", int64_t{0});
    t.ranks = j.value("ranks", 0);
    if (j.contains("prefetch")) t.prefetch_argv = j.at("prefetch").get<std::vector<std::string>>();
    if (j.contains("unfetch")) t.unfetch_argv = j.at("unfetch").get<std::vector<std::string>>();
    return t;
  } catch (const std::exception&) {
    return std::nullopt;
  }
}

bool make_channel(const std::string& dir, std::string* error) {
  std::error_code ec;
  for (const char* sub : {"inbox", "running", "cancel", "warm"}) {
    fs::create_directories(fs::path(dir) / sub, ec);
    if (ec) {
      *error = "cannot create `" + (fs::path(dir) / sub).string() + "`: " + ec.message();
      return false;
    }
  }
  return true;
}

bool mark_warm(const std::string& dir, const std::string& seq, const std::string& node) {
  fs::path warm = fs::path(dir) / "warm";
  fs::path mine = warm / fmt::format(".{}.{}", seq, node);
  {
    std::ofstream out(mine, std::ios::binary | std::ios::trunc);
    out << node;
    if (!out.flush()) return false;
  }
  // A link is made whole or not at all, and fails if the name is taken.
  bool made = ::link(mine.c_str(), (warm / seq).c_str()) == 0;
  std::error_code ec;
  fs::remove(mine, ec);
  return made;
}

std::map<std::string, Warm> read_warm(const std::string& dir) {
  std::map<std::string, Warm> out;
  std::error_code ec;
  for (const auto& e : fs::directory_iterator(fs::path(dir) / "warm", ec)) {
    std::string seq = e.path().filename().string();
    if (seq.empty() || seq[0] == '.') continue;
    std::ifstream in(e.path(), std::ios::binary);
    std::string node;
    std::getline(in, node);
    auto age = age_of(e.path().string());
    if (!age) continue;  // gone meanwhile
    out[seq] = Warm{node, *age};
  }
  return out;
}

void touch(const std::string& path) {
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
  if (fd >= 0) {
    ::futimens(fd, nullptr);
    ::close(fd);
  }
}

std::optional<double> age_of(const std::string& path) {
  struct stat st;
  if (::stat(path.c_str(), &st) != 0) return std::nullopt;
  auto now = std::chrono::system_clock::now().time_since_epoch();
  double then = static_cast<double>(st.st_mtim.tv_sec) + st.st_mtim.tv_nsec * 1e-9;
  return std::chrono::duration<double>(now).count() - then;
}

}  // namespace flowc::runtime::pilot
