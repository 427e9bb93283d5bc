// Executable lookup on a search path (see find_program.h).
#include "runtime/process/find_program.h"

#include <unistd.h>

#include <cstdlib>
#include <sstream>

namespace flowc::runtime {
namespace {

// What a shell searches when PATH is not set.
constexpr const char* kDefaultPath = "/usr/local/bin:/usr/bin:/bin";

}  // namespace

std::optional<std::string> find_program(const std::string& program, const std::string& search_path) {
  if (program.empty()) return std::nullopt;
  if (program.find('/') != std::string::npos) {
    return ::access(program.c_str(), X_OK) == 0 ? std::optional<std::string>(program) : std::nullopt;
  }
  std::istringstream dirs(search_path);
  for (std::string dir; std::getline(dirs, dir, ':');) {
    // An empty entry means the current folder. (Not `dir = "."`: GCC 12
    // warns about that assignment with a false -Wrestrict once inlined.)
    std::string candidate = (dir.empty() ? std::string(".") : dir) + "/" + program;
    if (::access(candidate.c_str(), X_OK) == 0) return candidate;
  }
  return std::nullopt;
}

std::optional<std::string> find_on_path(const std::string& program) {
  const char* path = std::getenv("PATH");
  return find_program(program, path ? path : kDefaultPath);
}

std::optional<std::string> find_in_path(const std::string& program, const std::vector<std::string>& env) {
  std::string path = kDefaultPath;
  for (const std::string& e : env) {
    if (e.rfind("PATH=", 0) == 0) path = e.substr(5);
  }
  return find_program(program, path);
}

}  // namespace flowc::runtime
