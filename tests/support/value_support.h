// Helpers for tests of run-time values: types written as text, and a scope
// of named values for the evaluator and the command renderer.
#pragma once

#include <initializer_list>
#include <map>
#include <string>
#include <string_view>

#include <catch2/catch.hpp>

#include "ir/type_parser.h"
#include "runtime/eval/evaluator.h"

namespace flowc::test {

// Types from their written form: types("list[int]").
struct Types {
  ir::TypeTable table;
  const ir::Type* operator()(const std::string& text) {
    std::string error;
    const ir::Type* t = ir::parse_type(text, table, nullptr, &error);
    INFO(text << ": " << error);
    REQUIRE(t);
    return t;
  }
};

// The names an expression can see, given directly.
struct Vars : runtime::Scope {
  std::map<std::string, runtime::Value, std::less<>> values;
  Vars() = default;
  Vars(std::initializer_list<std::pair<const std::string, runtime::Value>> init) : values(init.begin(), init.end()) {}
  const runtime::Value* find(std::string_view name) const override {
    auto it = values.find(name);
    return it == values.end() ? nullptr : &it->second;
  }
};

}  // namespace flowc::test
