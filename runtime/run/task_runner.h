// One task, from "the plan wants op X with these inputs" to "here are its
// outputs": the cache key, reuse of an earlier result, the work dir, staged
// inputs, the command, and — after the command ran — checking and reading
// its outputs and recording them in the cache.
//
// The cache key is the hash of a manifest:
//   {"v": 1, "op": <digest of the op's IR without locations, docs or names>,
//    "inputs": {port: value, with each file as "file:<basename>:<content hash>"},
//    "image": <image, if any>, "image_digest": <its digest, "sha256:...">}
// so renaming or moving an input file keeps the key, changing its content
// or the command (not its indentation) changes it, and so does rebuilding
// the op's image under the same tag. docs/runtime.md.
//
// A task whose op has an image runs in it: its launch is wrapped by the
// ContainerLauncher the run gives (runtime/containers/).
#pragma once

#include <filesystem>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "ir/ir.h"
#include "runtime/containers/container_launch.h"
#include "runtime/executors/batch/batch_hints.h"
#include "runtime/executors/executor.h"
#include "runtime/scheduler/plan.h"
#include "runtime/store/store.h"

namespace flowc::runtime {

struct Prepared {
  // Adopt: an earlier flowc left this task running (or finished it without
  // journaling it); its work dir is kept and the executor follows the job.
  // Identical: another task of this run (`leader`) has the same key; its
  // work dir is that task's, untouched, and this one takes what becomes of it.
  enum Kind { Cached, Launch, Failed, Adopt, Identical } kind = Failed;
  std::string key;
  std::string work_dir;
  Value manifest;          // what the key was made of
  std::string cache_miss;  // why an earlier result was not reused (for explain)
  Value outputs;           // Cached: the outputs
  LaunchSpec spec;         // Launch: what to run
  BatchHints batch;        // Launch: its op, and what a batch executor with scratch stages
  std::string error;       // Failed: why it could not even start
  std::string leader;      // Identical: the call path of the task that holds the key
  // Launch: each input file's stamp, to tell if the command changed it.
  std::vector<std::pair<std::string, Value>> input_stamps;
  // Launch, for a task of a group (Task::group) whose op runs in an image:
  // `spec` still runs the command on the host; the run loop wraps it in
  // the group's container when it starts it.
  std::optional<ContainerRequest> container;
  // Launch, for a tool op (IR 2): its staged inputs and `runtime`, which
  // collecting its outputs needs ({"inputs": ..., "runtime": ...}).
  Value tool_context;
};

struct Judged {
  bool ok = false;
  Value outputs;           // ok: the task's outputs
  std::string error;       // !ok: what went wrong, for people
  bool transient = false;  // !ok: the op's retry policy allows another attempt
};

class TaskRunner {
 public:
  TaskRunner(const ir::Program& program, Store& store, std::string work_root, bool fresh);

  // `reuse` false: run it even if an earlier result exists (--rerun; a
  // stream gang is reused only when every task of it can be).
  //
  // A task that gets past reuse holds its key for the rest of the run:
  // another task with that key is answered Identical, before its work dir
  // (the same folder) is touched. The same task again (its next attempt)
  // is prepared as usual.
  Prepared prepare(const Task& task, bool reuse = true);
  // Judges how a launched task ended and, if well, reads and records its outputs.
  Judged finish(const Task& task, const Prepared& prepared, const Outcome& outcome);
  // Clears a work dir for another attempt.
  bool reset_work_dir(const Prepared& prepared, std::string* error);

  // Where ops with an image run; without one, such a task fails.
  void use_containers(ContainerLauncher* containers) { containers_ = containers; }
  // Tasks with these keys are left to the jobs an earlier flowc started:
  // prepare() keeps their work dirs and answers Adopt (once each).
  void adopt(const std::string& key) { adoptable_.insert(key); }

  // The files and folders tasks were given as inputs so far (an output may
  // pass one on: publishing may read it).
  std::vector<std::string> input_files() const { return {input_files_.begin(), input_files_.end()}; }
  // Told of every file a key was made of, and of the optional companions
  // looked for and not found (not owned; may be null).
  void use_witness(FileWitness* witness) { witness_ = witness; }

  // The digest of an op's definition (cached).
  const std::string& op_digest(const ir::Op& op);

 private:
  // prepare(), in its steps. Each returns "" or why the task cannot start.
  std::string make_key(const Task& task, Prepared& p);
  bool reuse_earlier(const ir::Op& op, bool reuse, Prepared& p);
  struct Setup;  // what the steps of preparing a launch share (task_runner.cpp)
  std::string stage_inputs(const Task& task, Setup& s);
  void stage_input(Setup& s, const std::string& path, const std::filesystem::path& link, bool beside_previous);
  std::string place_outputs(const Task& task, Setup& s);
  std::string write_command(const Task& task, Setup& s);
  std::string set_environment(const Task& task, Setup& s);
  std::string read_resources(const Task& task, Setup& s);
  std::string wrap_in_container(const Task& task, Setup& s);
  const std::vector<std::string>& base_env();

  std::optional<std::string> content_hash(const std::string& path, std::string* error);
  Value key_value(const Value& v, const ir::Type* t, const std::string& port, std::string* error);
  bool outputs_intact(const CacheEntry& entry, std::string* why);
  std::string failure_text(const Task& task, const Prepared& prepared, const Outcome& outcome);
  // finish(), in its steps (the outputs: runtime/run/output_collect.h).
  Judged judge_failure(const Task& task, const Prepared& prepared, const Outcome& outcome);
  std::string changed_input(const Task& task, const Prepared& prepared);
  // Tool ops (runtime/run/tool_runner.cpp, over runtime/tool/).
  Prepared prepare_tool_task(const Task& task, Prepared prepared);
  Judged finish_tool_task(const Task& task, const Prepared& prepared, const Outcome& outcome);

  const ir::Program& program_;
  Store& store_;
  std::string work_root_;
  bool fresh_;
  ContainerLauncher* containers_ = nullptr;
  std::string helpers_dir_;  // flowc's folder, first on every task's PATH
  std::string bash_;         // bash on this machine's PATH ("" if none): runs tasks outside containers
  std::optional<std::vector<std::string>> base_env_;  // flowc's environment, helpers first on PATH
  std::map<const ir::Op*, std::string> op_digests_;
  std::map<std::string, std::string> known_hashes_;  // path → content hash, this run
  std::set<std::string> adoptable_;
  std::map<std::string, std::string> held_;  // key → the call path of the task holding it, this run
  std::set<std::string> input_files_;
  FileWitness* witness_ = nullptr;
};

}  // namespace flowc::runtime
