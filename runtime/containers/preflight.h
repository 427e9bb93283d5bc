// Before the first task of a run starts: is the container engine there, and
// does it have every image the workflow's ops run in? One clear error naming
// the op and the image if not, and nothing starts. Whether the engine can
// run a container of each image is checked when the first task in it is
// about to start (ContainerLauncher::set_probe).
#pragma once

#include <memory>
#include <string>
#include <variant>
#include <vector>

#include "ir/ir.h"
#include "runtime/containers/container_launch.h"

namespace flowc::runtime {

struct ImageUse {
  std::string image;
  const ir::Op* op = nullptr;  // the first op (in the workflow's order) that runs in it
};

// The images the ops `workflow` calls (directly or through other workflows)
// run in, each once.
std::vector<ImageUse> images_needed(const ir::Program& program, const ir::Workflow& workflow);

struct PreflightError {
  std::string message;  // one paragraph per problem
};

// Checks the engine `engine_name` and the images `workflow` needs, stops
// containers an earlier run of this state folder left behind, and returns
// the launcher its tasks are wrapped by (nullptr when no op needs an image).
std::variant<std::unique_ptr<ContainerLauncher>, PreflightError> prepare_containers(const ir::Program& program,
                                                                                    const ir::Workflow& workflow,
                                                                                    const std::string& engine_name,
                                                                                    const std::string& state_dir);

}  // namespace flowc::runtime
