// The plain text of a scalar value: how a value is written where text is
// wanted (string interpolation, str(), an environment variable, a shell
// word before quoting). command/render.cpp quotes it for the shell.
#pragma once

#include <string>

#include "ir/types.h"
#include "runtime/value/value.h"

namespace flowc::runtime {

// str as is, file/dir as the path, int in decimal, float in shortest
// round-trip form, bool true/false, size in bytes, duration in seconds (an
// integer when whole); null is "". `t` may be null (the value's own kind).
std::string scalar_text(const Value& v, const ir::Type* t);

}  // namespace flowc::runtime
