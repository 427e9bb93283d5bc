// Run-time values: JSON, read by their IR types.
//
// int and size are JSON integers (bytes for size); float and duration are
// JSON numbers (seconds for duration); str, file and dir are strings (paths
// for files and dirs); bool; lists are arrays; maps and records are objects;
// an absent optional is null. The same JSON is what users give as
// parameters, what outputs.json holds, and what cache keys are made of.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "ir/types.h"

namespace flowc::runtime {

using Value = nlohmann::json;

// Does `v` have type `t`? Ints fit floats, null fits optionals, a record
// needs exactly its fields. On a mismatch `*why` says where and what, e.g.
// "item 3: expected int, found \"x\"" or "field `reads`: missing".
bool conforms(const Value& v, const ir::Type* t, std::string* why);

// `v` (which conforms to `t`) with ints turned into floats where `t` says
// float or duration, so equal values have equal JSON.
Value coerce(const Value& v, const ir::Type* t);

// A value written on the command line (`-p name=TEXT`) for type `t`: str is
// the text itself; int, float, bool as usual; size and duration with units
// (8GiB, 90m) or as a plain number (bytes, seconds); file and dir as paths;
// lists, maps, records and optionals as JSON (an optional may also be the
// text of its inner type). Text that is not UTF-8 is refused (values go into
// JSON). Returns nullopt with `*error` set otherwise.
std::optional<Value> parse_text(std::string_view text, const ir::Type* t, std::string* error);

// A value output's file content read as type `t`: str is the text without
// one final line break; int, float, bool, size, duration are parsed from the
// trimmed text; file and dir are a path; everything else is JSON. Text that
// is not UTF-8 is refused, as by parse_text.
std::optional<Value> read_value_text(std::string_view text, const ir::Type* t, std::string* error);

// Calls `fn(path, is_dir)` for every file and dir path inside `v`, in order.
void for_each_path(const Value& v, const ir::Type* t, const std::function<void(const std::string&, bool)>& fn);

// A copy of `v` with every file and dir path replaced by `fn(path)`.
Value map_paths(const Value& v, const ir::Type* t, const std::function<std::string(const std::string&)>& fn);

// The same two, told each path's own type (`file with [".bai"]`, `dir`).
void for_each_typed_path(const Value& v, const ir::Type* t,
                         const std::function<void(const std::string&, const ir::Type*)>& fn);
Value map_typed_paths(const Value& v, const ir::Type* t,
                      const std::function<Value(const std::string&, const ir::Type*)>& fn);

// A companion file (`file with [".bai"]`) of the file at `path`: beside it,
// named by its pattern (ir::companion_name).
struct CompanionFile {
  std::string path;
  const ir::Companion* companion;
};
std::vector<CompanionFile> companions_of(const std::string& path, const ir::Type* file_type);

// One canonical text per value (object keys sorted, no spaces, floats in
// shortest round-trip form), for hashing.
std::string canonical(const Value& v);

// How a value reads in messages: strings quoted, long values shortened.
std::string describe(const Value& v, size_t limit = 60);

// ---- Added for the evaluator and command rendering ----------------------------

// coerce(), in place.
void coerce_in_place(Value& v, const ir::Type* t);

// Deep equality of values, numbers by value across int and float (2 == 2.0).
bool values_equal(const Value& a, const Value& b);

// Orders two numbers (ints and floats compared exactly, even past 2^53):
// -1, 0 or 1; nullopt when either is not a number or is NaN.
std::optional<int> compare_numbers(const Value& a, const Value& b);

// A float in shortest round-trip form, always recognisable as a float:
// 2.0, 0.1, 1e+20 (std::to_chars, so the same on every platform).
std::string float_text(double d);

}  // namespace flowc::runtime
