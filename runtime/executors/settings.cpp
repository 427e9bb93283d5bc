// Reading executor settings with their types checked.
#include "runtime/executors/settings.h"

#include <cstdlib>

#include <fmt/format.h>

#include "ir/units.h"

namespace flowc::runtime {

Settings::Settings(nlohmann::json object, std::string where) : object_(std::move(object)), where_(std::move(where)) {
  if (object_.is_null()) object_ = nlohmann::json::object();
  if (!object_.is_object()) {
    errors_.push_back(fmt::format("{}: expected an object of settings, found {}", where_, object_.dump()));
    object_ = nlohmann::json::object();
  }
}

const nlohmann::json* Settings::take(const std::string& key) {
  read_.insert(key);
  auto it = object_.find(key);
  return it == object_.end() || it->is_null() ? nullptr : &*it;
}

void Settings::wrong(const std::string& key, const std::string& expected, const nlohmann::json& found) {
  errors_.push_back(fmt::format("{}.{}: expected {}, found {}", where_, key, expected, found.dump()));
}

std::string Settings::text(const std::string& key, std::string fallback) {
  const nlohmann::json* v = take(key);
  if (!v) return fallback;
  if (!v->is_string()) {
    wrong(key, "a string", *v);
    return fallback;
  }
  return v->get<std::string>();
}

int64_t Settings::count(const std::string& key, int64_t fallback, int64_t at_least) {
  const nlohmann::json* v = take(key);
  if (!v) return fallback;
  if (!v->is_number_integer() || v->get<int64_t>() < at_least) {
    wrong(key, fmt::format("a whole number of at least {}", at_least), *v);
    return fallback;
  }
  return v->get<int64_t>();
}

double Settings::number(const std::string& key, double fallback) {
  const nlohmann::json* v = take(key);
  if (!v) return fallback;
  if (!v->is_number() || v->get<double>() <= 0) {
    wrong(key, "a number above 0", *v);
    return fallback;
  }
  return v->get<double>();
}

double Settings::seconds(const std::string& key, double fallback) {
  const nlohmann::json* v = take(key);
  if (!v) return fallback;
  if (v->is_number() && v->get<double>() >= 0) return v->get<double>();
  if (v->is_string()) {
    if (auto s = parse_duration(v->get<std::string>())) return *s;
  }
  wrong(key, fmt::format("a duration (seconds, or a string with a unit: {})", ir::kDurationUnitNames), *v);
  return fallback;
}

bool Settings::flag(const std::string& key, bool fallback) {
  const nlohmann::json* v = take(key);
  if (!v) return fallback;
  if (!v->is_boolean()) {
    wrong(key, "true or false", *v);
    return fallback;
  }
  return v->get<bool>();
}

std::vector<std::string> Settings::texts(const std::string& key) {
  const nlohmann::json* v = take(key);
  std::vector<std::string> out;
  if (!v) return out;
  if (!v->is_array()) {
    wrong(key, "a list of strings", *v);
    return out;
  }
  for (const auto& item : *v) {
    if (!item.is_string()) {
      wrong(key, "a list of strings", *v);
      return {};
    }
    out.push_back(item.get<std::string>());
  }
  return out;
}

std::vector<std::string> Settings::finish() {
  std::vector<std::string> out = errors_;
  std::string known;
  for (const std::string& k : read_) known += (known.empty() ? "" : ", ") + k;
  for (auto& [key, value] : object_.items()) {
    if (!read_.count(key)) {
      out.push_back(
          fmt::format("{}: unknown setting `{}`; the settings are: {}", where_, key, known.empty() ? "(none)" : known));
    }
  }
  return out;
}

std::optional<double> parse_duration(const std::string& text) {
  const char* begin = text.c_str();
  char* end = nullptr;
  double amount = std::strtod(begin, &end);
  if (end == begin || amount < 0) return std::nullopt;
  std::string unit(end);
  if (unit.empty()) return amount;
  const ir::Unit* u = ir::find_unit(unit);
  if (!u || u->size) return std::nullopt;
  return amount * u->factor;
}

}  // namespace flowc::runtime
