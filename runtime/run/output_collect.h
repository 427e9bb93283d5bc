// Reading a finished task's outputs: each file or folder checked (it is the
// task's own: runtime/run/output_check.h), hashed and stamped, with the
// companions its type declares; each value read back by its type. What it
// records is what the cache and the tasks downstream will trust.
#pragma once

#include <map>
#include <string>
#include <variant>
#include <vector>

#include "ir/ir.h"
#include "runtime/eval/evaluator.h"
#include "runtime/run/value_scope.h"
#include "runtime/scheduler/plan.h"

namespace flowc::runtime {

class OutputCollector {
 public:
  OutputCollector(const ir::Program& program, const Task& task, const std::string& work_dir);

  // The task's outputs ({port: value}), or why they cannot be taken (for
  // people, without the task's name).
  std::variant<Value, std::string> collect();
  // After collect(): {path: [size, mtime_ns, hash]} of every output file
  // or folder, and each one's content hash.
  const Value& fingerprint() const { return fingerprint_; }
  const std::map<std::string, std::string>& hashes() const { return hashes_; }

 private:
  std::string take_path_list(const ir::Port& port);
  std::string take_path(const ir::Port& port);
  std::string take_value(const ir::Port& port);
  std::string record_output(const std::string& path, const std::string& port);
  std::string record_companions(const std::string& path, const ir::Type* type, const std::string& port);

  const ir::Program& program_;
  const Task& task_;
  std::filesystem::path work_;
  std::vector<std::string> input_paths_;  // its input files and their companions
  Evaluator evaluator_;
  ValueScope inputs_;
  Value outputs_ = Value::object();
  Value fingerprint_ = Value::object();
  std::map<std::string, std::string> hashes_;
};

}  // namespace flowc::runtime
