// JSON as text a person reviews: one key per line, but arrays of plain
// values (like source locations) on one line. Used for IR files and goldens.
#pragma once

#include <string>

#include <nlohmann/json.hpp>

namespace flowc::ir {

std::string json_text(const nlohmann::ordered_json& value);

}  // namespace flowc::ir
