// Whether a task's file or folder output is its own, entry by entry, before
// it is hashed, cached or published: the rule for a single file ("an
// output must not lead outside the task's work dir") held for everything
// inside a folder too. docs/runtime.md, "Links and special files".
//
// Allowed in an output: regular files, folders, links that stay inside the
// output (kept as links), links to other files of the work dir or to the
// task's inputs (read as what they lead to). Refused: a link leading
// anywhere else (`/etc`, `~/.ssh`, `/`), a dangling link out, a link to a
// folder that holds it, a FIFO, socket or device, and a hard link to a file
// outside the work dir (its other name is elsewhere: editing either edits
// both, and publishing would hand it out).
#pragma once

#include <string>
#include <variant>
#include <vector>

#include "runtime/files/tree.h"

namespace flowc::runtime {

struct OutputRefused {
  std::string why;  // for people: what is wrong, and what to do
};

// `path`: the output (a file, a folder or a link to one); `work_dir`: the
// task's; `inputs`: the paths of its input files and folders.
std::variant<std::vector<files::Entry>, OutputRefused> check_output(const std::string& port, const std::string& path,
                                                                    const std::string& work_dir,
                                                                    const std::vector<std::string>& inputs);

}  // namespace flowc::runtime
