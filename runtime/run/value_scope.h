// Names bound while a task's expressions are evaluated (its inputs, and
// its outputs' paths), found in a JSON object. Private to runtime/run/.
#pragma once

#include <string>
#include <string_view>

#include "runtime/eval/evaluator.h"

namespace flowc::runtime {

class ValueScope : public Scope {
 public:
  explicit ValueScope(const Value& values) : values_(values) {}
  const Value* find(std::string_view name) const override {
    auto it = values_.find(name);
    return it == values_.end() ? nullptr : &*it;
  }

 private:
  const Value& values_;
};

}  // namespace flowc::runtime
