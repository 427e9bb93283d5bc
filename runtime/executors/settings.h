// An executor's settings, as a profile gives them (a JSON object), read key by
// key with their types checked. Every mistake is collected with where it is
// ("profile.json: executors.slurm.max_queued: ..."), and so is every key no
// executor asked for (a typo must not be silently ignored).
#pragma once

#include <optional>
#include <set>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace flowc::runtime {

class Settings {
 public:
  Settings(nlohmann::json object, std::string where);

  std::string text(const std::string& key, std::string fallback);
  int64_t count(const std::string& key, int64_t fallback, int64_t at_least = 0);
  double number(const std::string& key, double fallback);
  // A number of seconds, or a string with a unit: "90s", "2m", "1h".
  double seconds(const std::string& key, double fallback);
  bool flag(const std::string& key, bool fallback);
  std::vector<std::string> texts(const std::string& key);

  // The mistakes found, each a full sentence, including keys never read.
  std::vector<std::string> finish();

 private:
  const nlohmann::json* take(const std::string& key);
  void wrong(const std::string& key, const std::string& expected, const nlohmann::json& found);

  nlohmann::json object_;
  std::string where_;
  std::set<std::string> read_;
  std::vector<std::string> errors_;
};

// "90s", "2m", "1.5h" (the language's duration units) → seconds; nothing if not one.
std::optional<double> parse_duration(const std::string& text);

}  // namespace flowc::runtime
