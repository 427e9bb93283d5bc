// Profiles: a small JSON file that names executors and their settings, so
// that moving from a laptop to a cluster changes the command line
// (`--profile cluster.json`), never the .flow file.
//
//   {
//     "executor": "slurm",                       // the default; --executor wins
//     "executors": {
//       "slurm": {"partition": "short", "account": "proj42", "max_queued": 200},
//       "slurm-pilot": {"nodes": 2, "time": "2h"}
//     },
//     "containers": {"engine": "podman", "group": 10}   // --container-engine wins
//   }
//
// JSON (with // comments) rather than TOML: Debian 12 has no maintained C++
// TOML parser (cpptoml stopped in 2018 at TOML 0.5; toml++ is not packaged),
// and nlohmann_json is already here.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "runtime/executors/make_executor.h"

namespace flowc::runtime {

// The executor to use: `name` (empty: the profile's default, else "local")
// with the settings `profile_path` (empty: none) gives it, then `overrides`
// (from the command line) on top. Nothing, with every mistake in `errors`.
std::optional<ExecutorChoice> choose_executor(const std::string& profile_path, const std::string& name,
                                              const nlohmann::json& overrides, std::vector<std::string>* errors);

// A profile's "containers" (how ops with an image run) is read by
// choose_containers, runtime/containers/container_settings.h: executors know
// nothing of containers.

}  // namespace flowc::runtime
