// CWL output objects (cwl_output.h), with SHA-1 checksums as CWL reports them.
#include "cli/cwl_output.h"

#include <array>
#include <cstdint>
#include <filesystem>
#include <fstream>

#include <fmt/format.h>

#include "ir/uri.h"
#include "runtime/value/file_object.h"

namespace flowc::cli {

namespace fs = std::filesystem;

namespace {

// SHA-1 (FIPS 180-4): CWL's checksums are "sha1$<hex>".
class Sha1 {
 public:
  void update(const unsigned char* data, size_t n) {
    for (size_t i = 0; i < n; ++i) {
      block_[fill_++] = data[i];
      if (fill_ == 64) {
        process();
        fill_ = 0;
      }
    }
    length_ += n;
  }
  std::string hex() {
    uint64_t bits = length_ * 8;
    unsigned char pad = 0x80;
    update(&pad, 1);
    unsigned char zero = 0;
    while (fill_ != 56) update(&zero, 1);
    for (int i = 7; i >= 0; --i) {
      unsigned char b = static_cast<unsigned char>(bits >> (i * 8));
      update(&b, 1);
    }
    std::string out;
    for (uint32_t v : h_) out += fmt::format("{:08x}", v);
    return out;
  }

 private:
  static uint32_t rol(uint32_t x, int n) { return (x << n) | (x >> (32 - n)); }
  void process() {
    uint32_t w[80];
    for (int i = 0; i < 16; ++i) {
      w[i] = (uint32_t(block_[i * 4]) << 24) | (uint32_t(block_[i * 4 + 1]) << 16) |
             (uint32_t(block_[i * 4 + 2]) << 8) | uint32_t(block_[i * 4 + 3]);
    }
    for (int i = 16; i < 80; ++i) w[i] = rol(w[i - 3] ^ w[i - 8] ^ w[i - 14] ^ w[i - 16], 1);
    uint32_t a = h_[0], b = h_[1], c = h_[2], d = h_[3], e = h_[4];
    for (int i = 0; i < 80; ++i) {
      uint32_t f, k;
      if (i < 20) f = (b & c) | (~b & d), k = 0x5A827999;
      else if (i < 40) f = b ^ c ^ d, k = 0x6ED9EBA1;
      else if (i < 60) f = (b & c) | (b & d) | (c & d), k = 0x8F1BBCDC;
      else f = b ^ c ^ d, k = 0xCA62C1D6;
      uint32_t t = rol(a, 5) + f + e + k + w[i];
      e = d;
      d = c;
      c = rol(b, 30);
      b = a;
      a = t;
    }
    h_[0] += a, h_[1] += b, h_[2] += c, h_[3] += d, h_[4] += e;
  }
  std::array<uint32_t, 5> h_{0x67452301, 0xEFCDAB89, 0x98BADCFE, 0x10325476, 0xC3D2E1F0};
  std::array<unsigned char, 64> block_{};
  size_t fill_ = 0;
  uint64_t length_ = 0;
};

std::string sha1_of(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  Sha1 s;
  std::array<char, 65536> buf;
  while (in) {
    in.read(buf.data(), buf.size());
    s.update(reinterpret_cast<const unsigned char*>(buf.data()), static_cast<size_t>(in.gcount()));
  }
  return s.hex();
}

nlohmann::json describe_file(const nlohmann::json& v);

// A file or folder literal among the outputs (an ExpressionTool's `{"class":
// "File", "contents": ...}`): written out under `dir`, so it has a place.
nlohmann::json materialize(nlohmann::json v, const fs::path& dir) {
  if (!runtime::path_of(v).empty()) return v;
  std::error_code ec;
  fs::create_directories(dir, ec);
  std::string base = v.value("basename", runtime::is_directory_object(v) ? "dir" : "file");
  fs::path at = dir / base;
  if (runtime::is_directory_object(v)) {
    fs::create_directories(at, ec);
    if (v.contains("listing")) {
      for (auto& item : v["listing"]) {
        std::string p = runtime::path_of(item);
        if (p.empty()) {
          item = materialize(item, at);
        } else {
          fs::copy(p, at / fs::path(p).filename(), fs::copy_options::recursive | fs::copy_options::skip_existing, ec);
        }
      }
    }
  } else {
    std::ofstream out(at, std::ios::binary);
    out << v.value("contents", "");
  }
  v["path"] = at.string();
  return v;
}

nlohmann::json materialize_all(const nlohmann::json& v, const fs::path& dir) {
  if (v.is_array()) {
    nlohmann::json out = nlohmann::json::array();
    for (size_t i = 0; i < v.size(); ++i) out.push_back(materialize_all(v[i], dir / std::to_string(i)));
    return out;
  }
  if (!v.is_object()) return v;
  if (runtime::is_file_object(v)) return materialize(v, dir);
  nlohmann::json out = nlohmann::json::object();
  for (const auto& [k, item] : v.items()) out[k] = materialize_all(item, dir / k);
  return out;
}

nlohmann::json listing(const std::string& dir) {
  nlohmann::json out = nlohmann::json::array();
  std::vector<fs::path> items;
  std::error_code ec;
  for (const auto& e : fs::directory_iterator(dir, ec)) items.push_back(e.path());
  std::sort(items.begin(), items.end());
  for (const fs::path& p : items) {
    bool d = fs::is_directory(p);
    out.push_back(describe_file({{"class", d ? "Directory" : "File"}, {"path", p.string()}}));
  }
  return out;
}

nlohmann::json describe_file(const nlohmann::json& v) {
  std::string path = runtime::path_of(v);
  nlohmann::json out = v;
  if (path.empty()) return out;
  bool dir = runtime::is_directory_object(v);
  out["location"] = ir::file_uri(path);
  out["path"] = path;
  out["basename"] = fs::path(path).filename().string();
  if (dir) {
    out["listing"] = listing(path);
  } else {
    std::error_code ec;
    out["size"] = static_cast<int64_t>(fs::file_size(path, ec));
    out["checksum"] = "sha1$" + sha1_of(path);
    out.erase("contents");
  }
  out.erase("dirname");
  out.erase("nameroot");
  out.erase("nameext");
  if (out.contains("secondaryFiles")) {
    nlohmann::json sec = nlohmann::json::array();
    for (const auto& s : out["secondaryFiles"]) sec.push_back(describe_file(s));
    out["secondaryFiles"] = sec;
  }
  return out;
}

nlohmann::json describe(const nlohmann::json& v) {
  if (v.is_array()) {
    nlohmann::json out = nlohmann::json::array();
    for (const auto& item : v) out.push_back(describe(item));
    return out;
  }
  if (!v.is_object()) return v;
  if (runtime::is_file_object(v)) return describe_file(v);
  nlohmann::json out = nlohmann::json::object();
  for (const auto& [k, item] : v.items()) out[k] = describe(item);
  return out;
}

}  // namespace

nlohmann::json cwl_output_object(const nlohmann::json& published, const nlohmann::ordered_json& outputs,
                                 const std::string& outdir) {
  nlohmann::json out = nlohmann::json::object();
  for (const auto& o : outputs) {
    std::string id = o.value("id", "");
    nlohmann::json value = published.contains(id) ? published[id] : nlohmann::json(nullptr);
    out[id] = describe(materialize_all(value, fs::path(outdir) / id));
  }
  return out;
}

}  // namespace flowc::cli
