// The check phase: names, types and every rule of the language, over all
// modules of a program. Reports everything it finds; never stops early.
#pragma once

#include "compiler/check/context.h"

namespace flowc::check {

void check_program(CheckContext& ctx);

}  // namespace flowc::check
