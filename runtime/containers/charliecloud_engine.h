// Charliecloud (ch-run), the unprivileged HPC container runtime: an image is
// a directory (ch-image's storage, or any path), a container is ch-run's own
// process turned into the command (no daemon, no name: stopping the task's
// process group stops it), and the host's network, /dev and limits are the
// container's. What podman gives by options, this engine builds around
// ch-run (docs/runtime.md, Containers, has what it cannot do):
//
//   - mount points: ch-run 0.31 binds only onto paths the image has (or
//     writes into the image, with --write); a small shell prologue makes the
//     missing ones (empty folders, empty files) in the image folder first.
//     Paths under /tmp need none: the container's /tmp is the host's
//     (ch-run's default), so they are seen there;
//   - inputs read-only: ch-run 0.31 binds read-write; the command runs as
//     root of the container's user namespace (-u 0: the invoking user,
//     mapped), which binds each input onto itself read-only before it starts;
//   - no network: `unshare --net --map-root-user` around ch-run (a network
//     namespace with loopback only; unprivileged, as ch-run itself is);
//   - only the op's environment: --unset-env='*', then each variable.
#pragma once

#include "runtime/containers/container_engine.h"

namespace flowc::runtime {

class CharliecloudEngine : public ProcessEngine {
 public:
  // Image names are looked up in `storage` (ch-image's layout), by default
  // $CH_IMAGE_STORAGE, else /var/tmp/$USER.ch as ch-image does.
  explicit CharliecloudEngine(std::string storage = "");

  std::string name() const override { return "charliecloud"; }
  std::string program() const override { return "ch-run"; }
  std::vector<std::string> run_argv(const ContainerTask& task) const override;
  // A fingerprint of the image folder: every file's and link's path, size,
  // mode and modification time (folders and empty files are left out: they
  // are the mount points this engine makes).
  std::vector<std::string> image_digest_argv(const std::string& image) const override;
  std::string run_reference(const std::string& image, const std::string&) const override { return image; }
  std::vector<std::string> probe_argv(const std::string& image) const override;

  // The folder of image `image`: itself when it is a path, else its place
  // in the storage ("localhost/flow-busybox" is
  // STORAGE/img/localhost%flow-busybox+latest).
  std::string image_dir(const std::string& image) const;
  // What ch-run is given: a path as it is; a name with its tag (ch-run
  // 0.31 finds "localhost/flow-busybox:latest", not "localhost/flow-busybox",
  // and refuses a storage folder given as a path), after `-s STORAGE`.
  std::vector<std::string> image_args(const std::string& image) const;

 private:
  std::string storage_;
};

}  // namespace flowc::runtime
