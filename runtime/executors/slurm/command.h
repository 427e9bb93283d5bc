// Quoting for the job scripts. (Running sbatch, squeue, scancel... and
// reading what they print is runtime/process/run_captured.h.)
#pragma once

#include <string>

namespace flowc::runtime {

// `text` quoted for /bin/sh as one word.
std::string shell_quote(const std::string& text);

}  // namespace flowc::runtime
