// CWL documents as trees with places: YAML (yaml-cpp) or JSON read into
// nodes that remember where they were written, so every error about a CWL
// document names its file, line and column like an error in a .flow file.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "compiler/diag/diagnostic.h"
#include "compiler/source/source.h"

namespace flowc::cwl {

// A map's key and its value, defined below YNode. Not std::pair: a pair of
// a YNode inside YNode makes clang (with libstdc++) instantiate the pair
// while YNode is still incomplete, and the sanitizer build (clang) fails.
struct YEntry;

struct YNode {
  enum class Kind { Null, Bool, Int, Float, String, Seq, Map };
  Kind kind = Kind::Null;
  bool b = false;
  int64_t i = 0;
  double f = 0;
  std::string s;
  std::vector<YNode> seq;
  std::vector<YEntry> map;  // in written order
  Span span;                // the node's own text
  Span key_span;            // a map value: its key's text

  bool is_null() const { return kind == Kind::Null; }
  bool is_string() const { return kind == Kind::String; }
  bool is_map() const { return kind == Kind::Map; }
  bool is_seq() const { return kind == Kind::Seq; }
  bool is_number() const { return kind == Kind::Int || kind == Kind::Float; }
  const YNode* get(std::string_view key) const;
  YNode* get(std::string_view key);
  bool has(std::string_view key) const { return get(key) != nullptr; }
  // The value as JSON (numbers, strings, bools, null, arrays, objects).
  nlohmann::ordered_json to_json() const;
  // What kind of thing it is, for messages: "a string", "a list", "a map".
  std::string what() const;

  static YNode string(std::string text, Span where);
};

struct YEntry {
  YEntry(std::string key, YNode value) : first(std::move(key)), second(std::move(value)) {}
  std::string first;  // the key (named as the pair it replaces)
  YNode second;       // the value
};

// Reads a YAML or JSON file into `sources` and returns its root, or nullopt
// after reporting why (the file cannot be read; a YAML syntax error with its
// line and column).
std::optional<YNode> load_yaml(const std::string& path, SourceManager& sources, Diagnostics& diags);
// Parses text already in `sources`.
std::optional<YNode> parse_yaml(const SourceFile& file, Diagnostics& diags);

// A node made from JSON (no place of its own: `where`).
YNode from_json(const nlohmann::ordered_json& j, Span where);

}  // namespace flowc::cwl
