// A scratch project folder for end-to-end tests of `flowc run`: files to
// write, flowc to run in it, the events of its last run. Removed at the end.
#pragma once

#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "tests/support/test_support.h"

namespace flowc::test {

struct Project {
  std::filesystem::path dir;
  // `name` becomes part of the folder's name (to test awkward paths); the
  // folder is made in `base` (default: the temporary folder).
  explicit Project(const std::string& name = "flowc-project", const std::filesystem::path& base = {}) {
    static int n = 0;
    dir = (base.empty() ? std::filesystem::temp_directory_path() : base) /
          (name + "-" + std::to_string(::getpid()) + "-" + std::to_string(n++));
    std::filesystem::remove_all(dir);
    std::filesystem::create_directories(dir);
  }
  ~Project() {
    std::error_code ec;
    std::filesystem::remove_all(dir, ec);
  }
  Project(const Project&) = delete;
  Project& operator=(const Project&) = delete;

  std::string write(const std::string& name, const std::string& text) {
    std::filesystem::path p = dir / name;
    std::filesystem::create_directories(p.parent_path());
    write_file(p.string(), text);
    return p.string();
  }
  std::string path(const std::string& name) const { return (dir / name).string(); }
  std::string read(const std::string& name) const { return read_file((dir / name).string()); }
  bool exists(const std::string& name) const { return std::filesystem::exists(dir / name); }
  std::string state_dir() const { return (dir / ".flow").string(); }
  CommandResult flowc(const std::vector<std::string>& args, const std::vector<std::string>& env = {}) const {
    return run_flowc(args, dir.string(), env);
  }
  // The events of the last run (none if no run began).
  std::vector<nlohmann::json> events() const {
    std::vector<std::filesystem::path> runs;
    if (!std::filesystem::exists(dir / ".flow" / "runs")) return {};
    for (const auto& e : std::filesystem::directory_iterator(dir / ".flow" / "runs")) runs.push_back(e.path());
    if (runs.empty()) return {};
    std::sort(runs.begin(), runs.end());
    std::vector<nlohmann::json> out;
    std::ifstream in(runs.back() / "events.jsonl");
    for (std::string line; std::getline(in, line);) out.push_back(nlohmann::json::parse(line));
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

}  // namespace flowc::test
