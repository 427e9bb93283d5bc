// The CWL output object of a finished run: published values with every file
// as CWL describes it (location, basename, size, sha1 checksum, folder
// listings, secondary files).
#pragma once

#include <string>

#include <nlohmann/json.hpp>

namespace flowc::cli {

// File and folder literals among the outputs are written under OUTDIR/<output>/.
nlohmann::json cwl_output_object(const nlohmann::json& published, const nlohmann::ordered_json& outputs,
                                 const std::string& outdir);

}  // namespace flowc::cli
