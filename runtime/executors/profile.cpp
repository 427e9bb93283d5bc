// Reading a profile.
#include "runtime/executors/profile.h"

#include <algorithm>
#include <fstream>
#include <sstream>

#include <fmt/format.h>

#include "ir/json_parse.h"

namespace flowc::runtime {

std::optional<ExecutorChoice> choose_executor(const std::string& profile_path, const std::string& name,
                                              const nlohmann::json& overrides, std::vector<std::string>* errors) {
  ExecutorChoice choice;
  nlohmann::json profile = nlohmann::json::object();
  if (!profile_path.empty()) {
    std::ifstream in(profile_path, std::ios::binary);
    if (!in) {
      errors->push_back(fmt::format("cannot read the profile `{}`", profile_path));
      return std::nullopt;
    }
    std::stringstream buffer;
    buffer << in.rdbuf();
    std::string text = buffer.str();
    ir::JsonError problem;
    std::optional<nlohmann::json> parsed = ir::parse_json(text, &problem, {/*ignore_comments=*/true});
    if (!parsed) {
      errors->push_back(fmt::format("{}:{}:{}: the profile is not valid JSON: {}", profile_path, problem.line,
                                    problem.column, problem.what));
      return std::nullopt;
    }
    profile = std::move(*parsed);
    if (!profile.is_object()) {
      errors->push_back(
          fmt::format("{}: a profile is a JSON object with \"executor\" and \"executors\"", profile_path));
      return std::nullopt;
    }
    for (auto& [key, value] : profile.items()) {
      if (key != "executor" && key != "executors" && key != "containers") {
        errors->push_back(
            fmt::format("{}: unknown key `{}`; a profile has \"executor\" (the default), "
                        "\"executors\" (settings by executor name) and \"containers\" (engine, group)",
                        profile_path, key));
      }
    }
    if (profile.contains("executor") && !profile["executor"].is_string()) {
      errors->push_back(
          fmt::format("{}: \"executor\" must be a name, one of: local, slurm, slurm-pilot", profile_path));
    }
    if (profile.contains("executors")) {
      if (!profile["executors"].is_object()) {
        errors->push_back(
            fmt::format("{}: \"executors\" must be an object of settings by executor name", profile_path));
      } else {
        const auto& known = executor_names();
        for (auto& [key, value] : profile["executors"].items()) {
          if (std::find(known.begin(), known.end(), key) == known.end()) {
            std::string names;
            for (const std::string& n : known) names += (names.empty() ? "" : ", ") + n;
            errors->push_back(
                fmt::format("{}: executors.{}: unknown executor; the executors are: {}", profile_path, key, names));
          }
        }
      }
    }
    if (!errors->empty()) return std::nullopt;
  }
  choice.name = !name.empty() ? name : profile.contains("executor") ? profile["executor"].get<std::string>() : "local";
  if (profile.contains("executors") && profile["executors"].contains(choice.name)) {
    choice.settings = profile["executors"][choice.name];
    choice.where = fmt::format("{}: executors.{}", profile_path, choice.name);
  } else {
    choice.where = fmt::format("executor `{}`", choice.name);
  }
  if (choice.settings.is_object()) {
    for (auto& [key, value] : overrides.items()) choice.settings[key] = value;
  }
  return choice;
}

}  // namespace flowc::runtime
