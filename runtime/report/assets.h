// The report's and live UI's script and stylesheet (web/, bundled by esbuild
// at build time), built into flowc: a report needs nothing from outside, and
// flowc serve serves them from memory.
#pragma once

#include <string_view>

namespace flowc::runtime::report {

std::string_view ui_script();
std::string_view ui_style();

}  // namespace flowc::runtime::report
