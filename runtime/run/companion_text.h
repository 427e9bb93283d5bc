// What flowc says when a file's companion (`file with [".fai"]`) is not
// beside it: one text wherever it is found missing (a `-p` parameter, the
// survey before a run, a task about to start).
#pragma once

#include <string>

#include "runtime/value/value.h"

namespace flowc::runtime {

// "input `ref`: `data/genome.fa` has no companion `genome.fa.fai` beside it
// (".fai" in its type; ...what to do...)". Without `port`, the text starts
// at the file (the caller names who needs it).
std::string missing_companion_text(const std::string& port, const std::string& path, const CompanionFile& c);

}  // namespace flowc::runtime
