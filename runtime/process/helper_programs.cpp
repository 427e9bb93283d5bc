// The flowc executable's folder first on a task's PATH (helper_programs.h).
#include "runtime/process/helper_programs.h"

#include <filesystem>

namespace flowc::runtime {

std::string own_program_dir() {
  std::error_code ec;
  std::filesystem::path self = std::filesystem::read_symlink("/proc/self/exe", ec);
  return ec ? std::string() : self.parent_path().string();
}

void put_first_on_path(std::vector<std::string>& env, const std::string& dir) {
  if (dir.empty()) return;
  for (std::string& entry : env) {
    if (entry.rfind("PATH=", 0) != 0) continue;
    std::string rest = entry.substr(5);
    if (rest == dir || rest.rfind(dir + ":", 0) == 0) return;
    entry = "PATH=" + dir + (rest.empty() ? "" : ":" + rest);
    return;
  }
  // No PATH: what a shell would use by default, after `dir`.
  env.push_back("PATH=" + dir + ":/usr/local/bin:/usr/bin:/bin");
}

}  // namespace flowc::runtime
