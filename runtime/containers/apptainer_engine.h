// Apptainer (formerly Singularity), the HPC container engine: images are
// files (SIF), containers have no names, and `apptainer exec` runs the
// container as its own descendant, so stopping its process group stops it.
#pragma once

#include "runtime/containers/container_engine.h"

namespace flowc::runtime {

class ApptainerEngine : public ProcessEngine {
 public:
  std::string name() const override { return "apptainer"; }
  std::string program() const override { return "apptainer"; }
  std::vector<std::string> run_argv(const ContainerTask& task) const override;
  std::vector<std::string> image_digest_argv(const std::string& image) const override;
  std::string run_reference(const std::string& image, const std::string&) const override { return image; }
  std::vector<std::string> probe_argv(const std::string& image) const override;
};

}  // namespace flowc::runtime
