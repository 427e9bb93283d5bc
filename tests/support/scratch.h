// A scratch folder for a test's files, removed at the end.
#pragma once

#include <unistd.h>

#include <filesystem>
#include <string>

#include "tests/support/test_support.h"

namespace flowc::test {

struct Scratch {
  std::filesystem::path dir;
  explicit Scratch(const std::string& prefix = "flowc-cli") {
    static int n = 0;
    dir = std::filesystem::temp_directory_path() /
          (prefix + "-" + std::to_string(::getpid()) + "-" + std::to_string(n++));
    std::filesystem::create_directories(dir);
  }
  ~Scratch() {
    std::error_code ec;
    std::filesystem::remove_all(dir, ec);
  }
  Scratch(const Scratch&) = delete;
  Scratch& operator=(const Scratch&) = delete;
  std::string write(const std::string& name, const std::string& text) {
    std::string p = (dir / name).string();
    write_file(p, text);
    return p;
  }
  std::string path(const std::string& name) const { return (dir / name).string(); }
};

}  // namespace flowc::test
