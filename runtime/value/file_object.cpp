// File objects (see file_object.h).
#include "runtime/value/file_object.h"

#include "ir/uri.h"

#include <cctype>
#include <cstring>

namespace flowc::runtime {

namespace {

bool has_class(const Value& v, const char* name) {
  if (!v.is_object()) return false;
  auto it = v.find("class");
  return it != v.end() && it->is_string() && it->get_ref<const std::string&>() == name;
}

}  // namespace

bool is_file_object(const Value& v) { return has_class(v, "File") || has_class(v, "Directory"); }
bool is_directory_object(const Value& v) { return has_class(v, "Directory"); }

std::string path_of(const Value& file) {
  if (file.is_string()) return file.get<std::string>();
  if (file.is_object()) {
    auto it = file.find("path");
    if (it != file.end() && it->is_string()) return it->get<std::string>();
  }
  return "";
}

void for_each_object_path(const Value& v, const std::function<void(const std::string&, bool)>& fn) {
  if (v.is_array()) {
    for (const Value& item : v) for_each_object_path(item, fn);
    return;
  }
  if (!v.is_object()) return;
  if (!is_file_object(v)) {
    for (const auto& [key, item] : v.items()) for_each_object_path(item, fn);
    return;
  }
  bool dir = is_directory_object(v);
  std::string path = path_of(v);
  if (!path.empty()) fn(path, dir);
  if (dir && path.empty()) {
    if (auto it = v.find("listing"); it != v.end()) for_each_object_path(*it, fn);
  }
  if (auto it = v.find("secondaryFiles"); it != v.end()) for_each_object_path(*it, fn);
}

Value map_object_paths(const Value& v, const std::function<std::string(const std::string&)>& fn) {
  if (v.is_array()) {
    Value out = Value::array();
    for (const Value& item : v) out.push_back(map_object_paths(item, fn));
    return out;
  }
  if (!v.is_object()) return v;
  Value out = v;
  if (!is_file_object(v)) {
    for (auto& [key, item] : out.items()) item = map_object_paths(item, fn);
    return out;
  }
  bool dir = is_directory_object(v);
  std::string path = path_of(v);
  if (!path.empty()) out["path"] = fn(path);
  if (dir && path.empty()) {
    if (auto it = out.find("listing"); it != out.end()) *it = map_object_paths(*it, fn);
  }
  if (auto it = out.find("secondaryFiles"); it != out.end()) *it = map_object_paths(*it, fn);
  return out;
}

}  // namespace flowc::runtime

#include <sys/stat.h>

#include <filesystem>

namespace flowc::runtime {

std::pair<std::string, std::string> split_extension(const std::string& basename) {
  size_t dot = basename.rfind('.');
  if (dot == std::string::npos || dot == 0) return {basename, ""};
  return {basename.substr(0, dot), basename.substr(dot)};
}

Value with_file_details(const Value& v) {
  if (v.is_array()) {
    Value out = Value::array();
    for (const Value& item : v) out.push_back(with_file_details(item));
    return out;
  }
  if (!v.is_object()) return v;
  Value out = v;
  if (!is_file_object(v)) {
    for (auto& [key, item] : out.items()) item = with_file_details(item);
    return out;
  }
  std::string path = path_of(v);
  std::filesystem::path p(path);
  if (!out.contains("basename") && !path.empty()) out["basename"] = p.filename().string();
  if (!path.empty()) {
    if (!out.contains("location")) out["location"] = ir::file_uri(path);
    out["dirname"] = p.parent_path().string();
  }
  if (!is_directory_object(v)) {
    std::string base = out.value("basename", "");
    auto [root, ext] = split_extension(base);
    out["nameroot"] = root;
    out["nameext"] = ext;
    struct stat st {};
    if (!out.contains("size") && !path.empty() && ::stat(path.c_str(), &st) == 0)
      out["size"] = static_cast<int64_t>(st.st_size);
    if (!out.contains("size") && out.contains("contents") && out["contents"].is_string()) {
      out["size"] = out["contents"].get_ref<const std::string&>().size();
    }
  }
  for (const char* key : {"secondaryFiles", "listing"}) {
    if (auto it = out.find(key); it != out.end()) *it = with_file_details(*it);
  }
  return out;
}

}  // namespace flowc::runtime
