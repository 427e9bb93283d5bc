// How ops with an image run, from a profile's "containers" and the command
// line: the engine and how many fan-out items share a container. A profile
// is read as a whole by choose_executor (runtime/executors/profile.h); this
// reads only its "containers".
#pragma once

#include <optional>
#include <string>
#include <vector>

namespace flowc::runtime {

// The engine (`engine`, from the command line; empty: the profile's
// "containers.engine", else podman) and how many fan-out items share a
// container when a call does not say ("containers.group"; 0: none).
// Nothing, with every mistake in `errors`.
struct ContainerSettings {
  std::string engine = "podman";
  int group = 0;
};
std::optional<ContainerSettings> choose_containers(const std::string& profile_path, const std::string& engine,
                                                   std::vector<std::string>* errors);

}  // namespace flowc::runtime
