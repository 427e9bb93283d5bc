// Profiles for tests on a batch executor (Slurm, its pilot): the executor
// chosen, its settings, and quick polls (0.5 s, unless `settings` says) so
// a test does not wait out the default interval.
#pragma once

#include <string>

#include <nlohmann/json.hpp>

#include "tests/support/project.h"

namespace flowc::test {

// Writes `prof.json` in the project; returns its path (for --profile).
inline std::string write_quick_poll_profile(Project& p, const std::string& executor = "slurm",
                                            nlohmann::json settings = nlohmann::json::object()) {
  if (!settings.contains("poll_interval")) settings["poll_interval"] = 0.5;
  nlohmann::json profile = {{"executor", executor}, {"executors", {{executor, settings}}}};
  return p.write("prof.json", profile.dump(2));
}

}  // namespace flowc::test
