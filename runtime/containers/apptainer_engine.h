// Apptainer (formerly Singularity), the HPC container engine: images are
// files (SIF), containers have no names, and `apptainer exec` runs the
// container as its own descendant, so stopping its process group stops it.
#pragma once

#include "runtime/containers/container_engine.h"

namespace flowc::runtime {

class ApptainerEngine : public ContainerEngine {
 public:
  std::string name() const override { return "apptainer"; }
  std::string program() const override { return "apptainer"; }
  std::vector<std::string> run_argv(const ContainerTask& task) const override;
  std::vector<std::string> stop_argv(const std::string&) const override { return {}; }
  std::vector<std::string> image_digest_argv(const std::string& image) const override;
  std::string run_reference(const std::string& image, const std::string&) const override { return image; }
  std::vector<std::string> probe_argv(const std::string& image) const override;
  std::vector<std::string> list_labelled_argv(const std::string&, const std::string&) const override { return {}; }
  // A container has no name to stop it by: each task runs in one of its own.
  bool can_share() const override { return false; }
};

}  // namespace flowc::runtime
