// Choosing an engine by name, and what the engines share.
#include "runtime/containers/container_engine.h"

#include <algorithm>
#include <cctype>

#include "runtime/containers/apptainer_engine.h"
#include "runtime/containers/charliecloud_engine.h"
#include "runtime/containers/oci_engine.h"

namespace flowc::runtime {

std::unique_ptr<ContainerEngine> make_container_engine(std::string_view name) {
  if (name == "podman") return std::make_unique<PodmanEngine>();
  if (name == "docker") return std::make_unique<DockerEngine>();
  if (name == "apptainer") return std::make_unique<ApptainerEngine>();
  if (name == "charliecloud") return std::make_unique<CharliecloudEngine>();
  return nullptr;
}

const std::vector<std::string>& container_engine_names() {
  static const std::vector<std::string> names = {"podman", "docker", "apptainer", "charliecloud"};
  return names;
}

std::string csv_field(std::string_view text) {
  if (text.find_first_of(",\"\r\n") == std::string_view::npos) return std::string(text);
  std::string out = "\"";
  for (char c : text) {
    if (c == '"') out += '"';
    out += c;
  }
  return out + "\"";
}

std::string ContainerEngine::parse_image_digest(std::string_view out) const {
  // The first word: podman and docker print the id alone, sha256sum prints
  // "<hex>  <file>".
  size_t start = 0;
  while (start < out.size() && std::isspace(static_cast<unsigned char>(out[start]))) ++start;
  size_t end = start;
  while (end < out.size() && !std::isspace(static_cast<unsigned char>(out[end]))) ++end;
  std::string word(out.substr(start, end - start));
  if (word.rfind("sha256:", 0) == 0) word.erase(0, 7);
  bool hex = word.size() == 64 && std::all_of(word.begin(), word.end(), [](char c) {
               return std::isdigit(static_cast<unsigned char>(c)) || (c >= 'a' && c <= 'f');
             });
  return hex ? "sha256:" + word : std::string();
}

}  // namespace flowc::runtime
