// The builtin function library: names, typed signatures (from builtins.def),
// and matching a call's argument types against them.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "ir/types.h"

namespace flowc::ir {

struct Signature {
  std::vector<const Type*> params;
  const Type* result = nullptr;
  std::string text;  // "(list[T]) -> int"
};

struct Builtin {
  std::string name;
  std::vector<Signature> overloads;
  std::string description;
};

struct BuiltinMatch {
  const Signature* signature;
  const Type* result;  // with the signature's type variables filled in
};

class Builtins {
 public:
  explicit Builtins(TypeTable& types);

  const Builtin* find(std::string_view name) const;
  const std::vector<Builtin>& all() const { return builtins_; }

  // The first overload the argument types fit, or nullopt.
  std::optional<BuiltinMatch> match(const Builtin& builtin, const std::vector<const Type*>& args) const;

 private:
  TypeTable& types_;
  std::vector<Builtin> builtins_;
};

}  // namespace flowc::ir
