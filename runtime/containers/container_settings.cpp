// A profile's "containers" (container_settings.h).
#include "runtime/containers/container_settings.h"

#include <algorithm>
#include <fstream>
#include <sstream>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "ir/json_parse.h"
#include "runtime/containers/container_engine.h"

namespace flowc::runtime {
namespace {

std::string engine_list() {
  std::string names;
  for (const std::string& n : container_engine_names()) names += (names.empty() ? "" : ", ") + n;
  return names;
}

}  // namespace

std::optional<ContainerSettings> choose_containers(const std::string& profile_path, const std::string& engine,
                                                   std::vector<std::string>* errors) {
  ContainerSettings settings;
  size_t before = errors->size();
  if (!profile_path.empty()) {
    // choose_executor read the file and reported what is wrong with it as a whole.
    std::ifstream in(profile_path, std::ios::binary);
    std::stringstream text;
    text << in.rdbuf();
    std::string ignored;
    nlohmann::json profile = ir::parse_json(text.str(), &ignored, {/*ignore_comments=*/true}).value_or(nullptr);
    if (profile.is_object() && profile.contains("containers")) {
      const nlohmann::json& c = profile["containers"];
      if (!c.is_object()) {
        errors->push_back(fmt::format("{}: \"containers\" must be an object: {{\"engine\": \"podman\", \"group\": 10}}",
                                      profile_path));
      } else {
        for (auto& [key, value] : c.items()) {
          if (key == "engine") {
            if (value.is_string()) {
              settings.engine = value.get<std::string>();
            } else {
              errors->push_back(
                  fmt::format("{}: containers.engine must be a name, one of: {}", profile_path, engine_list()));
            }
          } else if (key == "group") {
            if (value.is_number_integer() && value.get<int64_t>() >= 0 && value.get<int64_t>() <= 1000000) {
              settings.group = value.get<int>();
            } else {
              errors->push_back(
                  fmt::format("{}: containers.group must be a whole number of fan-out items per "
                              "container (0 or 1: each item its own)",
                              profile_path));
            }
          } else {
            errors->push_back(
                fmt::format("{}: containers.{}: unknown setting; the settings are: engine, group", profile_path, key));
          }
        }
      }
    }
  }
  if (!engine.empty()) settings.engine = engine;
  const auto& known = container_engine_names();
  if (std::find(known.begin(), known.end(), settings.engine) == known.end()) {
    errors->push_back(fmt::format("{}`{}` is not a container engine flowc knows; the engines are: {}",
                                  engine.empty() ? profile_path + ": containers.engine: " : "--container-engine: ",
                                  settings.engine, engine_list()));
  }
  if (errors->size() > before) return std::nullopt;
  return settings;
}

}  // namespace flowc::runtime
