// The IR as JSON: writing it (flowc build) and reading it back with
// validation (flowc run accepts IR files).
#pragma once

#include <optional>
#include <string>

#include <nlohmann/json.hpp>

#include "ir/ir.h"

namespace flowc::ir {

nlohmann::ordered_json to_json(const Program& program);

// Reads and validates an IR document. On failure returns nullopt and sets
// *error to a message naming where in the document the problem is.
std::optional<Program> from_json(const nlohmann::ordered_json& doc, std::string* error);

// The largest IR file flowc reads (a regular file only, like a source file).
inline constexpr uint64_t kMaxIrFileBytes = uint64_t{128} << 20;

// Reads an IR file (JSON text). Errors name the file, and the place in it.
std::optional<Program> load_ir_file(const std::string& path, std::string* error);

// The JSON of an expression, type, or location (also used by the runtime's
// cache key and event log).
nlohmann::ordered_json expr_to_json(const Expr& e, const TypeTable& types);
nlohmann::ordered_json op_to_json(const Op& op, const TypeTable& types);
nlohmann::ordered_json loc_to_json(const SourceLoc& loc);

}  // namespace flowc::ir
