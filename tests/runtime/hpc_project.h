// A scratch project folder for the HPC tests (MPI, profiles, Slurm), removed
// at the end, with the flowc binary run inside it and its events at hand.
#pragma once

#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "tests/support/test_support.h"

namespace flowc::test {

struct HpcProject {
  std::filesystem::path dir;
  explicit HpcProject(const std::string& name) {
    static int n = 0;
    // Under /tmp, which every Slurm job of this single node sees too.
    dir = std::filesystem::temp_directory_path() /
          ("flowc-" + name + "-" + std::to_string(::getpid()) + "-" + std::to_string(n++));
    std::filesystem::remove_all(dir);
    std::filesystem::create_directories(dir);
  }
  ~HpcProject() {
    std::error_code ec;
    std::filesystem::remove_all(dir, ec);
  }
  HpcProject(const HpcProject&) = delete;
  HpcProject& operator=(const HpcProject&) = delete;

  std::string path(const std::string& name) const { return (dir / name).string(); }
  std::string write(const std::string& name, const std::string& text) {
    std::filesystem::path p = dir / name;
    std::filesystem::create_directories(p.parent_path());
    write_file(p.string(), text);
    return p.string();
  }
  std::string read(const std::string& name) const { return read_file((dir / name).string()); }
  CommandResult flowc(const std::vector<std::string>& args, const std::vector<std::string>& env = {}) const {
    return run_flowc(args, dir.string(), env);
  }
  // The events of the last run (or of every run).
  std::vector<nlohmann::json> events(bool every_run = false) const {
    std::vector<std::filesystem::path> runs;
    for (const auto& e : std::filesystem::directory_iterator(dir / ".flow" / "runs")) runs.push_back(e.path());
    std::sort(runs.begin(), runs.end());
    std::vector<nlohmann::json> out;
    for (size_t i = every_run ? 0 : runs.size() - 1; i < runs.size(); ++i) {
      std::ifstream in(runs[i] / "events.jsonl");
      for (std::string line; std::getline(in, line);) out.push_back(nlohmann::json::parse(line));
    }
    return out;
  }
  size_t count(const std::string& event) const {
    auto all = events();
    return std::count_if(all.begin(), all.end(), [&](const nlohmann::json& e) { return e["event"] == event; });
  }
  // The published value of output `name` (a file's content for a file).
  std::string output_file(const std::string& name, size_t item = SIZE_MAX) const {
    auto outputs = nlohmann::json::parse(read("flow-out/outputs.json"));
    auto v = outputs[name];
    return read_file(item == SIZE_MAX ? v.get<std::string>() : v[item].get<std::string>());
  }
};

// A flowc run in the background, killed (and waited for) when the test ends
// early, so that a failing test leaves nothing running behind it.
struct BackgroundFlowc {
  pid_t pid = -1;
  BackgroundFlowc(const HpcProject& p, const std::vector<std::string>& args, const std::vector<std::string>& env = {})
      : pid(start_flowc(args, p.dir.string(), env, p.path("out.txt"), p.path("err.txt"))) {}
  ~BackgroundFlowc() {
    if (pid > 0) {
      ::kill(pid, SIGKILL);
      wait_exit(pid);
    }
  }
  BackgroundFlowc(const BackgroundFlowc&) = delete;
  BackgroundFlowc& operator=(const BackgroundFlowc&) = delete;
  void signal(int sig) const { ::kill(pid, sig); }
  int wait() {
    int code = wait_exit(pid);
    pid = -1;
    return code;
  }
};

}  // namespace flowc::test
