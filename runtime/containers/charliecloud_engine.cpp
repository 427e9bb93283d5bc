// ch-run command lines, and the shell around them that does what ch-run 0.31
// has no option for.
#include "runtime/containers/charliecloud_engine.h"

#include <pwd.h>
#include <unistd.h>

#include <cstdlib>

namespace flowc::runtime {
namespace {

// On the host, before ch-run: makes a mount point in the image folder ($1)
// for each path up to `--` (a folder for a folder, an empty file for a
// file), sets USER (ch-run refuses to start without it), unsets TMPDIR (so
// the container's /tmp is the host's /tmp, not $TMPDIR), then runs the rest.
constexpr const char* kHostPrologue = R"sh(img=$1; shift
while [ "$1" != -- ]; do
  if [ -d "$1" ]; then mkdir -p "$img$1"
  else mkdir -p "$img${1%/*}" && { [ -e "$img$1" ] || : > "$img$1"; }
  fi || { echo "flowc: cannot make a mount point for $1 in the Charliecloud image $img (ch-run binds only onto paths the image has)" >&2; exit 125; }
  shift
done
shift
unset TMPDIR
: "${USER:=$(id -un)}"; export USER
exec "$@")sh";

// In the container, before the command: each input up to `--` bound onto
// itself and made read-only (the container's root may: its own user and
// mount namespaces).
constexpr const char* kReadOnlyPrologue = R"sh(while [ "$1" != -- ]; do
  { mount --bind "$1" "$1" && mount -o remount,bind,ro "$1" "$1"; } 2>/dev/null || { echo "flowc: cannot make the input $1 read-only in the container (the image needs a mount command)" >&2; exit 125; }
  shift
done
shift
exec "$@")sh";

// ch-run binds the host's /tmp at /tmp, and cannot bind a path inside it:
// what is under /tmp is seen there already.
bool under_tmp(const std::string& path) { return path.rfind("/tmp/", 0) == 0; }

std::string user_name() {
  if (const char* u = std::getenv("USER"); u && *u) return u;
  if (passwd* pw = ::getpwuid(::getuid())) return pw->pw_name;
  return std::to_string(::getuid());
}

// ch-run strips one pair of single quotes around a value: add a pair, so
// the value arrives as it is (with --env-no-expand, nothing else is read).
std::string set_env(const std::string& name, const std::string& value) {
  return "--set-env=" + name + "='" + value + "'";
}

}  // namespace

CharliecloudEngine::CharliecloudEngine(std::string storage) : storage_(std::move(storage)) {
  if (storage_.empty()) {
    const char* s = std::getenv("CH_IMAGE_STORAGE");
    storage_ = s && *s ? s : "/var/tmp/" + user_name() + ".ch";
  }
}

namespace {

bool is_path(const std::string& image) { return !image.empty() && image[0] == '/'; }

std::string with_tag(const std::string& image) {
  size_t slash = image.rfind('/');
  return image.find(':', slash == std::string::npos ? 0 : slash) == std::string::npos ? image + ":latest" : image;
}

}  // namespace

std::vector<std::string> CharliecloudEngine::image_args(const std::string& image) const {
  if (is_path(image)) return {image};
  return {"-s", storage_, with_tag(image)};
}

std::string CharliecloudEngine::image_dir(const std::string& image) const {
  if (is_path(image)) return image;
  std::string ref = with_tag(image);
  for (char& c : ref) {
    if (c == '/') c = '%';
    else if (c == ':') c = '+';
  }
  return storage_ + "/img/" + ref;
}

std::vector<std::string> CharliecloudEngine::run_argv(const ContainerTask& task) const {
  std::string dir = image_dir(task.image);
  std::vector<std::string> binds;
  auto bind = [&](const std::string& path) {
    if (!under_tmp(path)) binds.push_back(path);
  };
  if (!task.work_dir.empty()) bind(task.work_dir);
  for (const std::string& path : task.read_write) bind(path);
  for (const std::string& path : task.read_only) bind(path);

  std::vector<std::string> argv = {"sh", "-c", kHostPrologue, "flowc-charliecloud", dir};
  argv.insert(argv.end(), binds.begin(), binds.end());
  argv.push_back("--");
  if (!task.network) argv.insert(argv.end(), {"unshare", "--net", "--map-root-user", "--"});
  // -u 0 -g 0: root of the container's own user namespace (the invoking
  // user, mapped), which may remount its binds read-only; what it writes is
  // the invoking user's. /tmp is the host's, as ch-run has it (with
  // --private-tmp, ch-run can bind no file under /tmp).
  argv.insert(argv.end(), {program(), "-u", "0", "-g", "0", "--unset-env=*", "--env-no-expand",
                           set_env("PATH", "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin")});
  for (const auto& [name, value] : task.env) argv.push_back(set_env(name, value));
  for (const std::string& path : binds) argv.insert(argv.end(), {"-b", path + ":" + path});
  if (!task.work_dir.empty()) argv.insert(argv.end(), {"-c", task.work_dir});
  std::vector<std::string> image = image_args(task.image);
  argv.insert(argv.end(), image.begin(), image.end());
  argv.insert(argv.end(), {"--", "/bin/sh", "-c", kReadOnlyPrologue, "flowc-read-only"});
  argv.insert(argv.end(), task.read_only.begin(), task.read_only.end());
  argv.push_back("--");
  argv.insert(argv.end(), task.command.begin(), task.command.end());
  return argv;
}

std::vector<std::string> CharliecloudEngine::image_digest_argv(const std::string& image) const {
  return {"sh", "-c",
          "cd \"$1\" 2>/dev/null || { echo \"there is no image folder $1 (ch-image builds one, ch-convert converts "
          "one; scripts/charliecloud-setup.sh converts a podman image)\" >&2; exit 1; }; "
          "find . -xdev \\( -type f -size +0 -o -type l \\) -printf '%P %s %m %T@ %l\\n' | LC_ALL=C sort | sha256sum",
          "flowc-digest", image_dir(image)};
}

std::vector<std::string> CharliecloudEngine::probe_argv(const std::string& image) const {
  std::vector<std::string> argv = {"sh", "-c", ": \"${USER:=$(id -un)}\"; export USER; exec \"$@\"",
                                   "flowc-charliecloud", program()};
  std::vector<std::string> args = image_args(image);
  argv.insert(argv.end(), args.begin(), args.end());
  argv.insert(argv.end(), {"--", "/bin/sh", "-c", "exit 0"});
  return argv;
}

}  // namespace flowc::runtime
