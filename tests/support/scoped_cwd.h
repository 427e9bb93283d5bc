// Changes the working directory for a scope (tests that compile files by
// relative path, so paths in diagnostics and IR are stable).
#pragma once

#include <filesystem>

namespace flowc::test {

class ScopedCwd {
 public:
  explicit ScopedCwd(const std::filesystem::path& dir) : previous_(std::filesystem::current_path()) {
    std::filesystem::current_path(dir);
  }
  ~ScopedCwd() { std::filesystem::current_path(previous_); }
  ScopedCwd(const ScopedCwd&) = delete;
  ScopedCwd& operator=(const ScopedCwd&) = delete;

 private:
  std::filesystem::path previous_;
};

}  // namespace flowc::test
