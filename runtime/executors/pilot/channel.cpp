// The pilot's file channel.
#include "runtime/executors/pilot/channel.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>

#include <nlohmann/json.hpp>

namespace flowc::runtime::pilot {
namespace fs = std::filesystem;

std::string task_text(const PilotTask& task) {
  nlohmann::json j = {{"work_dir", task.work_dir}, {"argv", task.argv},          {"stdout", task.stdout_path},
                      {"stderr", task.stderr_path}, {"timeout", task.timeout_seconds}, {"cpus", task.cpus},
                      {"env", task.env}, {"mem", task.mem_bytes}};
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
    if (j.contains("prefetch")) t.prefetch_argv = j.at("prefetch").get<std::vector<std::string>>();
    if (j.contains("unfetch")) t.unfetch_argv = j.at("unfetch").get<std::vector<std::string>>();
    return t;
  } catch (const std::exception&) {
    return std::nullopt;
  }
}

bool make_channel(const std::string& dir, std::string* error) {
  std::error_code ec;
  for (const char* sub : {"inbox", "running", "cancel"}) {
    fs::create_directories(fs::path(dir) / sub, ec);
    if (ec) {
      *error = "cannot create `" + (fs::path(dir) / sub).string() + "`: " + ec.message();
      return false;
    }
  }
  return true;
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
