// YAML into YNode trees (yaml_tree.h). Plain scalars are typed by YAML 1.2's
// core schema (as CWL's own loaders do): `yes` is a string, `1e3` a float.
#include "compiler/cwl/yaml_tree.h"

#include <cmath>
#include <fstream>
#include <regex>
#include <sstream>

#include <yaml-cpp/yaml.h>

namespace flowc::cwl {

namespace {

Span span_at(const SourceFile& file, const YAML::Mark& mark, size_t length) {
  if (mark.pos < 0) return Span{file.id(), 0, 0};
  auto begin = static_cast<uint32_t>(mark.pos);
  auto size = static_cast<uint32_t>(file.text().size());
  if (begin > size) begin = size;
  uint32_t end = begin + static_cast<uint32_t>(length);
  if (end > size) end = size;
  // Keep to one line.
  std::string_view text = file.text();
  for (uint32_t k = begin; k < end; ++k) {
    if (text[k] == '\n') {
      end = k;
      break;
    }
  }
  return Span{file.id(), begin, end};
}

void type_plain_scalar(YNode& n, const std::string& text) {
  static const std::regex int_re("[-+]?[0-9]+");
  static const std::regex float_re("[-+]?(\\.[0-9]+|[0-9]+(\\.[0-9]*)?)([eE][-+]?[0-9]+)?");
  if (text.empty() || text == "~" || text == "null" || text == "Null" || text == "NULL") {
    n.kind = YNode::Kind::Null;
  } else if (text == "true" || text == "True" || text == "TRUE") {
    n.kind = YNode::Kind::Bool;
    n.b = true;
  } else if (text == "false" || text == "False" || text == "FALSE") {
    n.kind = YNode::Kind::Bool;
    n.b = false;
  } else if (std::regex_match(text, int_re)) {
    try {
      n.i = std::stoll(text);
      n.kind = YNode::Kind::Int;
    } catch (...) {
      n.kind = YNode::Kind::Float;
      n.f = std::stod(text);
    }
  } else if (std::regex_match(text, float_re)) {
    n.kind = YNode::Kind::Float;
    n.f = std::stod(text);
  } else if (text == ".inf" || text == "+.inf" || text == ".Inf" || text == ".INF") {
    n.kind = YNode::Kind::Float;
    n.f = INFINITY;
  } else if (text == "-.inf" || text == "-.Inf" || text == "-.INF") {
    n.kind = YNode::Kind::Float;
    n.f = -INFINITY;
  } else if (text == ".nan" || text == ".NaN" || text == ".NAN") {
    n.kind = YNode::Kind::Float;
    n.f = NAN;
  } else {
    n.kind = YNode::Kind::String;
    n.s = text;
  }
}

YNode convert(const YAML::Node& node, const SourceFile& file, int depth) {
  YNode n;
  if (depth > 256) {
    n.kind = YNode::Kind::Null;
    return n;
  }
  switch (node.Type()) {
    case YAML::NodeType::Null:
    case YAML::NodeType::Undefined:
      n.kind = YNode::Kind::Null;
      n.span = span_at(file, node.Mark(), 1);
      break;
    case YAML::NodeType::Scalar: {
      const std::string& text = node.Scalar();
      n.span = span_at(file, node.Mark(), std::max<size_t>(1, text.size()));
      if (node.Tag() == "!" || node.Tag() == "tag:yaml.org,2002:str") {
        n.kind = YNode::Kind::String;  // quoted: always a string
        n.s = text;
        n.span.end = std::min<uint32_t>(n.span.end + 2, static_cast<uint32_t>(file.text().size()));
      } else {
        type_plain_scalar(n, text);
      }
      break;
    }
    case YAML::NodeType::Sequence:
      n.kind = YNode::Kind::Seq;
      n.span = span_at(file, node.Mark(), 1);
      for (const YAML::Node& item : node) n.seq.push_back(convert(item, file, depth + 1));
      break;
    case YAML::NodeType::Map:
      n.kind = YNode::Kind::Map;
      n.span = span_at(file, node.Mark(), 1);
      for (auto it = node.begin(); it != node.end(); ++it) {
        std::string key = it->first.IsScalar() ? it->first.Scalar() : "";
        YNode value = convert(it->second, file, depth + 1);
        value.key_span = span_at(file, it->first.Mark(), std::max<size_t>(1, key.size()));
        if (value.kind == YNode::Kind::Null && value.span.empty()) value.span = value.key_span;
        n.map.emplace_back(std::move(key), std::move(value));
      }
      break;
  }
  return n;
}

}  // namespace

const YNode* YNode::get(std::string_view key) const {
  if (kind != Kind::Map) return nullptr;
  for (const auto& [k, v] : map) {
    if (k == key) return &v;
  }
  return nullptr;
}

YNode* YNode::get(std::string_view key) {
  if (kind != Kind::Map) return nullptr;
  for (auto& [k, v] : map) {
    if (k == key) return &v;
  }
  return nullptr;
}

nlohmann::ordered_json YNode::to_json() const {
  switch (kind) {
    case Kind::Null: return nullptr;
    case Kind::Bool: return b;
    case Kind::Int: return i;
    case Kind::Float: return f;
    case Kind::String: return s;
    case Kind::Seq: {
      auto a = nlohmann::ordered_json::array();
      for (const YNode& item : seq) a.push_back(item.to_json());
      return a;
    }
    case Kind::Map: {
      auto o = nlohmann::ordered_json::object();
      for (const auto& [k, v] : map) o[k] = v.to_json();
      return o;
    }
  }
  return nullptr;
}

std::string YNode::what() const {
  switch (kind) {
    case Kind::Null: return "nothing (null)";
    case Kind::Bool: return b ? "`true`" : "`false`";
    case Kind::Int: return fmt::format("the number {}", i);
    case Kind::Float: return fmt::format("the number {}", f);
    case Kind::String: return fmt::format("the string \"{}\"", s.size() > 40 ? s.substr(0, 40) + "..." : s);
    case Kind::Seq: return "a list";
    case Kind::Map: return "a map";
  }
  return "?";
}

YNode YNode::string(std::string text, Span where) {
  YNode n;
  n.kind = Kind::String;
  n.s = std::move(text);
  n.span = where;
  return n;
}

YNode from_json(const nlohmann::ordered_json& j, Span where) {
  YNode n;
  n.span = where;
  if (j.is_null()) {
    n.kind = YNode::Kind::Null;
  } else if (j.is_boolean()) {
    n.kind = YNode::Kind::Bool;
    n.b = j.get<bool>();
  } else if (j.is_number_integer()) {
    n.kind = YNode::Kind::Int;
    n.i = j.get<int64_t>();
  } else if (j.is_number()) {
    n.kind = YNode::Kind::Float;
    n.f = j.get<double>();
  } else if (j.is_string()) {
    n.kind = YNode::Kind::String;
    n.s = j.get<std::string>();
  } else if (j.is_array()) {
    n.kind = YNode::Kind::Seq;
    for (const auto& item : j) n.seq.push_back(from_json(item, where));
  } else {
    n.kind = YNode::Kind::Map;
    for (auto it = j.begin(); it != j.end(); ++it) {
      YNode v = from_json(it.value(), where);
      v.key_span = where;
      n.map.emplace_back(it.key(), std::move(v));
    }
  }
  return n;
}

std::optional<YNode> parse_yaml(const SourceFile& file, Diagnostics& diags) {
  try {
    YAML::Node root = YAML::Load(std::string(file.text()));
    return convert(root, file, 0);
  } catch (const YAML::ParserException& e) {
    diags.report(DiagId::CwlYamlSyntax, span_at(file, e.mark, 1), e.msg)
        .with_help("CWL documents are YAML (or JSON); check the indentation and quoting around here");
    return std::nullopt;
  } catch (const YAML::Exception& e) {
    diags.report(DiagId::CwlYamlSyntax, Span{file.id(), 0, 0}, e.msg);
    return std::nullopt;
  }
}

std::optional<YNode> load_yaml(const std::string& path, SourceManager& sources, Diagnostics& diags) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return std::nullopt;
  std::stringstream text;
  text << in.rdbuf();
  const SourceFile& file = sources.add(path, text.str());
  return parse_yaml(file, diags);
}

}  // namespace flowc::cwl
