// Reads type text, as written in .flow source and in the IR:
// int, list[file], map[str, int], {id: str, reads: file}, T?, stream[bytes].
#pragma once

#include <functional>
#include <string>
#include <string_view>

#include "ir/types.h"

namespace flowc::ir {

// Resolves a name that is not a builtin type (a record alias, a type
// variable); returns null if unknown.
using TypeNameResolver = std::function<const Type*(std::string_view)>;

// Returns the type, or null with *error set ("unknown type `strr`").
const Type* parse_type(std::string_view text, TypeTable& types, const TypeNameResolver& resolve, std::string* error);

}  // namespace flowc::ir
