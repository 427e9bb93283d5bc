// posix_spawn with the attributes every flowc child gets (see spawn.h).
#include "runtime/process/spawn.h"

#include <signal.h>

#include <cerrno>

extern char** environ;

namespace flowc::runtime {

Spawn::Spawn(bool own_process_group) {
  posix_spawnattr_init(&attr_);
  posix_spawn_file_actions_init(&actions_);
  sigset_t none, defaults;
  sigemptyset(&none);
  sigfillset(&defaults);
  posix_spawnattr_setsigmask(&attr_, &none);
  posix_spawnattr_setsigdefault(&attr_, &defaults);
  short flags = POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF;
  if (own_process_group) {
    posix_spawnattr_setpgroup(&attr_, 0);
    flags |= POSIX_SPAWN_SETPGROUP;
  }
  posix_spawnattr_setflags(&attr_, flags);
}

Spawn::~Spawn() {
  posix_spawnattr_destroy(&attr_);
  posix_spawn_file_actions_destroy(&actions_);
}

void Spawn::chdir(const std::string& dir) { posix_spawn_file_actions_addchdir_np(&actions_, dir.c_str()); }

void Spawn::open(int fd, const std::string& path, int flags, mode_t mode) {
  posix_spawn_file_actions_addopen(&actions_, fd, path.c_str(), flags, mode);
}

void Spawn::dup2(int from, int to) { posix_spawn_file_actions_adddup2(&actions_, from, to); }

int Spawn::start(pid_t* pid, const std::vector<std::string>& argv, const std::vector<std::string>& env,
                 bool search_path) {
  if (argv.empty()) return EINVAL;
  std::vector<char*> args, envp;
  for (const std::string& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  for (const std::string& e : env) envp.push_back(const_cast<char*>(e.c_str()));
  envp.push_back(nullptr);
  char** environment = env.empty() ? environ : envp.data();
  return search_path ? posix_spawnp(pid, args[0], &actions_, &attr_, args.data(), environment)
                     : posix_spawn(pid, args[0], &actions_, &attr_, args.data(), environment);
}

}  // namespace flowc::runtime
