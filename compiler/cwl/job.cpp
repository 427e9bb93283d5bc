// Reading CWL jobs (job.h).
#include "compiler/cwl/job.h"

#include <filesystem>
#include <map>

#include <fmt/format.h>

#include "ir/types.h"

namespace flowc::cwl {

namespace fs = std::filesystem;
using json = nlohmann::ordered_json;

namespace {

std::string brief(const json& v) {
  std::string s = v.dump();
  return s.size() > 60 ? s.substr(0, 57) + "..." : s;
}

struct Pattern {
  std::string pattern;
  bool required = true;
};

// Secondary-file patterns written as strings or {pattern, required} (those
// with expressions are left to the tool that reads them).
std::vector<Pattern> patterns_of(const json& raw) {
  std::vector<Pattern> out;
  if (raw.is_array()) {
    for (const json& item : raw) {
      auto more = patterns_of(item);
      out.insert(out.end(), more.begin(), more.end());
    }
  } else if (raw.is_string()) {
    std::string p = raw.get<std::string>();
    if (p.find("$(") != std::string::npos || p.find("${") != std::string::npos) return out;
    Pattern pat{p, true};
    if (!p.empty() && p.back() == '?') {
      pat.pattern.pop_back();
      pat.required = false;
    }
    out.push_back(pat);
  } else if (raw.is_object() && raw.contains("pattern") && raw["pattern"].is_string()) {
    auto inner = patterns_of(raw["pattern"]);
    for (Pattern& p : inner) {
      if (raw.contains("required") && raw["required"].is_boolean()) p.required = raw["required"].get<bool>();
      out.push_back(p);
    }
  }
  return out;
}

// Secondary files of the job's files, found beside them as the process's
// input types ask (CWL: the top process's inputs are completed this way).
void discover(json& v, const json& type, const std::vector<Pattern>& patterns, std::vector<std::string>* errors,
              const std::string& input) {
  if (v.is_null()) return;
  if (type.is_array()) {
    for (const json& m : type) {
      if (fits_cwl_type(v, m, nullptr)) return discover(v, m, patterns, errors, input);
    }
    return;
  }
  if (v.is_array()) {
    json items = type.is_object() && type.value("type", "") == "array" ? type["items"] : type;
    for (json& item : v) discover(item, items, patterns, errors, input);
    return;
  }
  if (!v.is_object()) return;
  if (v.value("class", "") == "File") {
    if (patterns.empty() || !v.contains("path")) return;
    fs::path path(v["path"].get<std::string>());
    json have = v.contains("secondaryFiles") ? v["secondaryFiles"] : json::array();
    for (const Pattern& p : patterns) {
      fs::path found = path.parent_path() / ir::companion_name(path.filename().string(), p.pattern);
      bool listed = false;
      for (const json& h : have) listed = listed || fs::path(h.value("path", "")).filename() == found.filename();
      if (listed) continue;
      if (fs::exists(found)) {
        have.push_back({{"class", fs::is_directory(found) ? "Directory" : "File"}, {"path", found.string()}});
      } else if (p.required) {
        errors->push_back(fmt::format("input `{}`: the secondary file `{}` of `{}` does not exist", input,
                                      found.string(), path.string()));
      }
    }
    v["secondaryFiles"] = have;
    return;
  }
  if (type.is_object() && type.value("type", "") == "record") {
    for (const json& f : type["fields"]) {
      std::string name = f.value("name", "");
      if (v.contains(name)) discover(v[name], f["type"], patterns_of(f.value("secondaryFiles", json())), errors, input);
    }
  }
}

// Formats written with a namespace prefix (`edam:format_2330`), expanded.
void expand_formats(json& v, const std::map<std::string, std::string>& namespaces) {
  if (v.is_array()) {
    for (json& item : v) expand_formats(item, namespaces);
  } else if (v.is_object()) {
    if (v.contains("format") && v["format"].is_string()) {
      std::string f = v["format"].get<std::string>();
      size_t colon = f.find(':');
      if (colon != std::string::npos) {
        auto it = namespaces.find(f.substr(0, colon));
        if (it != namespaces.end()) v["format"] = it->second + f.substr(colon + 1);
      }
    }
    for (auto& [k, item] : v.items()) {
      if (k != "format") expand_formats(item, namespaces);
    }
  }
}

}  // namespace

bool fits_cwl_type(const json& v, const json& t, std::string* why) {
  auto no = [&](const std::string& expected) {
    if (why) *why = fmt::format("expected {}, found {}", expected, brief(v));
    return false;
  };
  if (t.is_array()) {
    for (const json& m : t) {
      if (fits_cwl_type(v, m, nullptr)) return true;
    }
    return no("one of " + t.dump());
  }
  if (t.is_string()) {
    std::string s = t.get<std::string>();
    if (s == "null") return v.is_null() || no("null");
    if (s == "Any") return !v.is_null() || no("a value (Any is not null)");
    if (s == "boolean") return v.is_boolean() || no("a boolean");
    if (s == "int" || s == "long") return v.is_number_integer() || no("an integer");
    if (s == "float" || s == "double") return v.is_number() || no("a number");
    if (s == "string") return v.is_string() || no("a string");
    if (s == "File") return (v.is_object() && v.value("class", "") == "File") || no("a File");
    if (s == "Directory") return (v.is_object() && v.value("class", "") == "Directory") || no("a Directory");
    return true;
  }
  if (t.is_object()) {
    std::string kind = t.value("type", "");
    if (kind == "array") {
      if (!v.is_array()) return no("a list");
      for (size_t i = 0; i < v.size(); ++i) {
        if (!fits_cwl_type(v[i], t["items"], why)) {
          if (why) *why = fmt::format("item {}: {}", i, *why);
          return false;
        }
      }
      return true;
    }
    if (kind == "enum") {
      if (!v.is_string()) return no("one of the symbols " + t["symbols"].dump());
      std::string s = v.get<std::string>();
      for (const json& sym : t["symbols"]) {
        if (sym == s) return true;
      }
      return no("one of the symbols " + t["symbols"].dump());
    }
    if (kind == "record") {
      if (!v.is_object()) return no("a record");
      for (const json& f : t["fields"]) {
        std::string name = f.value("name", "");
        json fv = v.contains(name) ? v[name] : json(nullptr);
        if (!fits_cwl_type(fv, f["type"], why)) {
          if (why) *why = fmt::format("field `{}`: {}", name, *why);
          return false;
        }
      }
      return true;
    }
  }
  return true;
}

std::optional<json> read_job(DocumentLoader& loader, const std::string& job_path, const json& inputs,
                             const std::map<std::string, std::string>& namespaces, std::vector<std::string>* errors) {
  json job = json::object();
  std::string base = fs::current_path().string();
  const YNode* root = nullptr;
  if (!job_path.empty()) {
    root = loader.load_file(job_path, Span{});
    if (!root) {
      errors->push_back(fmt::format("cannot read the job `{}`", job_path));
      return std::nullopt;
    }
    if (!root->is_map() && !root->is_null()) {
      errors->push_back(fmt::format("{}: a job is a map of input names to values, not {}", job_path, root->what()));
      return std::nullopt;
    }
    job = root->is_null() ? json::object() : root->to_json();
    base = fs::absolute(job_path).parent_path().string();
  }
  auto where = [&](const std::string& name) -> std::string {
    if (!root) return "";
    const YNode* n = root->get(name);
    if (!n) return job_path + ": ";
    const SourceFile& f = loader.sources().file(n->key_span.file);
    LineCol lc = f.line_col(n->key_span.begin);
    return fmt::format("{}:{}:{}: ", job_path, lc.line, lc.column);
  };
  json out = json::object();
  std::vector<std::string> missing;
  for (const json& in : inputs) {
    std::string id = in.value("id", "");
    // An explicit null is as if the job did not give it: the default applies.
    bool given = job.contains(id) && !job[id].is_null();
    json value = given ? job[id] : (in.contains("default") ? in["default"] : json(nullptr));
    if (given) value = resolve_file_locations(value, base, &missing);
    for (const std::string& m : missing) {
      errors->push_back(fmt::format("{}input `{}`: the file `{}` does not exist", where(id), id, m));
    }
    missing.clear();
    std::string why;
    if (!fits_cwl_type(value, in["type"], &why)) {
      if (value.is_null()) {
        errors->push_back(fmt::format("{}input `{}` is required (its type is {}) but the job does not give it",
                                      where(id), id, in["type"].dump()));
      } else {
        errors->push_back(fmt::format("{}input `{}`: {}", where(id), id, why));
      }
      continue;
    }
    if (given) expand_formats(value, namespaces);
    // A default's files get their secondary files found beside them too.
    json patterns = in.value("secondaryFiles", json());
    if (given || (!value.is_null() && !patterns.is_null())) {
      discover(value, in["type"], patterns_of(patterns), errors, id);
      out[id] = value;
    }
  }
  if (!errors->empty()) return std::nullopt;
  return out;
}

}  // namespace flowc::cwl
