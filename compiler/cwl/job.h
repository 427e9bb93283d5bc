// A CWL job (the input object): read from YAML or JSON, file locations
// resolved against the job's folder, every value checked against the
// process's input types before anything runs.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "compiler/cwl/document.h"

namespace flowc::cwl {

// `inputs` is Lowered::inputs. `job_path` may be empty (no job: defaults
// only). Errors (each naming the input and, for a job file, its line) go
// to `errors`.
std::optional<nlohmann::ordered_json> read_job(DocumentLoader& loader, const std::string& job_path,
                                               const nlohmann::ordered_json& inputs,
                                               const std::map<std::string, std::string>& namespaces,
                                               std::vector<std::string>* errors);

// Does `v` fit the CWL type `t` (as lower.h writes types)? `why` says how not.
bool fits_cwl_type(const nlohmann::ordered_json& v, const nlohmann::ordered_json& t, std::string* why);

}  // namespace flowc::cwl
