// Finding an executable on a search path, as execvp would: the one place the
// runtime does it (the MPI launcher, the pilot agent, the container engine).
#pragma once

#include <optional>
#include <string>
#include <vector>

namespace flowc::runtime {

// The executable `program` names: itself if it holds a '/' (and is
// executable), else the first executable `dir/program` of the ':'-separated
// `search_path` (an empty entry is the current folder, as POSIX says).
std::optional<std::string> find_program(const std::string& program, const std::string& search_path);

// ... on this process's PATH.
std::optional<std::string> find_on_path(const std::string& program);

// ... on the PATH of `env` (NAME=value entries), the environment a task gets.
std::optional<std::string> find_in_path(const std::string& program, const std::vector<std::string>& env);

}  // namespace flowc::runtime
