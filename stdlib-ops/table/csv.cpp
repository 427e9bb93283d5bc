// Splitting CSV lines into fields, and the header (csv.h).
#include "csv.h"

#include <cstring>

#include "errors.h"

namespace flowc::table {

namespace {

// Calls found(field) for each field of `line` in turn.
template <class Found>
bool each_field(std::string_view line, std::string* problem, Found&& found) {
  size_t i = 0, n = line.size();
  while (true) {
    size_t start = i;
    if (i < n && line[i] == '"') {
      ++i;
      while (true) {
        if (i >= n) {
          *problem = "a quote opened at column " + std::to_string(start + 1) + " is never closed";
          return false;
        }
        if (line[i] == '"') {
          if (i + 1 < n && line[i + 1] == '"') {
            i += 2;
            continue;
          }
          ++i;
          break;
        }
        ++i;
      }
      if (i < n && line[i] != ',') {
        *problem = "text after the closing quote at column " + std::to_string(i) +
                   " (a quote inside a quoted field is written \"\")";
        return false;
      }
    } else {
      const void* comma = i < n ? std::memchr(line.data() + i, ',', n - i) : nullptr;
      i = comma ? static_cast<size_t>(static_cast<const char*>(comma) - line.data()) : n;
    }
    found(line.substr(start, i - start));
    if (i >= n) return true;
    ++i;  // the comma
  }
}

}  // namespace

bool split_fields(std::string_view line, std::vector<std::string_view>* fields, std::string* problem) {
  fields->clear();
  return each_field(line, problem, [&](std::string_view f) { fields->push_back(f); });
}

bool locate_field(std::string_view line, size_t index, std::string_view* field, size_t* count, std::string* problem) {
  size_t n = 0;
  *field = std::string_view();
  bool ok = each_field(line, problem, [&](std::string_view f) {
    if (n++ == index) *field = f;
  });
  *count = n;
  return ok;
}

size_t Header::column(const std::string& name) const {
  for (size_t i = 0; i < names.size(); ++i) {
    if (names[i] == name) return i;
  }
  std::string all;
  for (const std::string& n : names) all += (all.empty() ? "" : ", ") + n;
  throw TableError("`" + path + "` has no column `" + name + "`; its columns are: " + all);
}

Header parse_header(std::string_view line, const std::string& path) {
  Header h;
  h.path = path;
  h.line = std::string(without_cr(line));
  std::vector<std::string_view> fields;
  std::string problem;
  if (!split_fields(h.line, &fields, &problem)) throw TableError(path + ":1: the header line: " + problem);
  for (std::string_view f : fields) {
    h.raw.emplace_back(f);
    h.names.emplace_back(field_value(f));
  }
  return h;
}

}  // namespace flowc::table
