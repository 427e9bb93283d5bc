// The CWL output object of a finished run: published values with every file
// as CWL describes it (location, basename, size, sha1 checksum, folder
// listings, secondary files).
#pragma once

#include <nlohmann/json.hpp>

namespace flowc::cli {

nlohmann::json cwl_output_object(const nlohmann::json& published, const nlohmann::ordered_json& outputs);

}  // namespace flowc::cli
