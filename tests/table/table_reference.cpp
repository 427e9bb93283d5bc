// The single-process reference (table_reference.h).
#include "tests/table/table_reference.h"

#include <algorithm>
#include <charconv>
#include <cstdlib>
#include <map>
#include <stdexcept>

namespace flowc::test::table {

std::vector<std::string> split_csv_line(const std::string& line) {
  std::vector<std::string> out;
  std::string field;
  bool quoted = false;
  for (size_t i = 0; i < line.size(); ++i) {
    char c = line[i];
    if (quoted) {
      if (c == '"' && i + 1 < line.size() && line[i + 1] == '"') {
        field += "\"\"";
        ++i;
      } else {
        if (c == '"') quoted = false;
        field += c;
      }
    } else if (c == ',') {
      out.push_back(field);
      field.clear();
    } else {
      if (c == '"') quoted = true;
      field += c;
    }
  }
  out.push_back(field);
  return out;
}

std::string unquoted(const std::string& field) {
  if (field.size() >= 2 && field.front() == '"' && field.back() == '"') return field.substr(1, field.size() - 2);
  return field;
}

Csv parse_csv(const std::string& text) {
  Csv csv;
  std::vector<std::string> lines;
  size_t start = 0;
  while (start < text.size()) {
    size_t nl = text.find('\n', start);
    std::string line = text.substr(start, nl == std::string::npos ? std::string::npos : nl - start);
    if (!line.empty() && line.back() == '\r') line.pop_back();
    lines.push_back(line);
    if (nl == std::string::npos) break;
    start = nl + 1;
  }
  if (lines.empty()) throw std::runtime_error("no header");
  csv.header = lines[0];
  for (const std::string& f : split_csv_line(lines[0])) csv.columns.push_back(unquoted(f));
  for (size_t i = 1; i < lines.size(); ++i) {
    if (lines[i].empty()) continue;
    csv.rows.push_back(CsvRow{lines[i], split_csv_line(lines[i])});
  }
  return csv;
}

size_t column_of(const Csv& csv, const std::string& name) {
  for (size_t i = 0; i < csv.columns.size(); ++i) {
    if (csv.columns[i] == name) return i;
  }
  throw std::runtime_error("no column " + name);
}

int compare_key(const std::string& a, const std::string& b, bool numeric) {
  if (numeric) {
    double x = std::strtod(a.c_str(), nullptr), y = std::strtod(b.c_str(), nullptr);
    return x < y ? -1 : (y < x ? 1 : 0);
  }
  return a < b ? -1 : (b < a ? 1 : 0);
}

std::string sort_reference(const Csv& t, const std::string& by, bool numeric) {
  size_t k = column_of(t, by);
  std::vector<CsvRow> rows = t.rows;
  std::stable_sort(rows.begin(), rows.end(), [&](const CsvRow& a, const CsvRow& b) {
    return compare_key(unquoted(a.fields[k]), unquoted(b.fields[k]), numeric) < 0;
  });
  std::string out = t.header + "\n";
  for (const CsvRow& r : rows) out += r.line + "\n";
  return out;
}

std::string join_reference(const Csv& left, const Csv& right, const std::string& on, bool left_join, bool numeric) {
  size_t lk = column_of(left, on), rk = column_of(right, on);
  std::vector<std::string> header_fields = split_csv_line(left.header);
  std::vector<std::string> right_fields = split_csv_line(right.header);
  std::vector<std::string> names = {left.columns[lk]};
  std::string header = header_fields[lk];
  for (size_t i = 0; i < left.columns.size(); ++i) {
    if (i == lk) continue;
    header += "," + header_fields[i];
    names.push_back(left.columns[i]);
  }
  for (size_t i = 0; i < right.columns.size(); ++i) {
    if (i == rk) continue;
    std::string name = right.columns[i];
    if (std::find(names.begin(), names.end(), name) != names.end()) {
      name += "_right";
      header += "," + name;
    } else {
      header += "," + right_fields[i];
    }
    names.push_back(name);
  }
  std::string out = header + "\n";
  for (const CsvRow& l : left.rows) {
    std::string left_part = l.fields[lk];
    for (size_t i = 0; i < l.fields.size(); ++i) {
      if (i != lk) left_part += "," + l.fields[i];
    }
    bool matched = false;
    for (const CsvRow& r : right.rows) {
      if (compare_key(unquoted(l.fields[lk]), unquoted(r.fields[rk]), numeric) != 0) continue;
      matched = true;
      std::string line = left_part;
      for (size_t i = 0; i < r.fields.size(); ++i) {
        if (i != rk) line += "," + r.fields[i];
      }
      out += line + "\n";
    }
    if (!matched && left_join) out += left_part + std::string(right.columns.size() - 1, ',') + "\n";
  }
  return out;
}

std::string groupby_sum_reference(const Csv& t, const std::string& by, const std::vector<std::string>& sums,
                                  bool numeric) {
  size_t k = column_of(t, by);
  std::vector<size_t> cols;
  for (const std::string& s : sums) cols.push_back(column_of(t, s));
  // Integer columns: every non-empty value parses whole as an integer.
  std::vector<bool> integer(cols.size(), true);
  for (const CsvRow& r : t.rows) {
    for (size_t c = 0; c < cols.size(); ++c) {
      std::string v = unquoted(r.fields[cols[c]]);
      if (v.empty()) continue;
      char* end = nullptr;
      errno = 0;
      std::strtoll(v.c_str(), &end, 10);
      if (*end != '\0' || errno == ERANGE) integer[c] = false;
    }
  }
  struct Group {
    std::string key_text;
    std::vector<long long> ints;
    std::vector<double> floats;
  };
  std::vector<Group> groups;  // in order of first appearance
  for (const CsvRow& r : t.rows) {
    std::string key = unquoted(r.fields[k]);
    Group* g = nullptr;
    for (Group& existing : groups) {
      if (compare_key(unquoted(existing.key_text), key, numeric) == 0) g = &existing;
    }
    if (!g) {
      groups.push_back(Group{r.fields[k], std::vector<long long>(cols.size()), std::vector<double>(cols.size())});
      g = &groups.back();
    }
    for (size_t c = 0; c < cols.size(); ++c) {
      std::string v = unquoted(r.fields[cols[c]]);
      if (v.empty()) continue;
      if (integer[c]) {
        g->ints[c] += std::strtoll(v.c_str(), nullptr, 10);
      } else {
        g->floats[c] += std::strtod(v.c_str(), nullptr);
      }
    }
  }
  std::vector<std::string> header_fields = split_csv_line(t.header);
  std::string out = header_fields[k];
  for (size_t c : cols) out += "," + header_fields[c];
  out += "\n";
  for (const Group& g : groups) {
    out += g.key_text;
    for (size_t c = 0; c < cols.size(); ++c) {
      if (integer[c]) {
        out += "," + std::to_string(g.ints[c]);
      } else {
        char buf[64];
        auto [end, ec] = std::to_chars(buf, buf + sizeof buf, g.floats[c]);
        out += "," + std::string(buf, end);
      }
    }
    out += "\n";
  }
  return out;
}

std::vector<std::string> sorted_body(const std::string& text) {
  std::vector<std::string> lines;
  size_t start = text.find('\n');
  if (start == std::string::npos) return lines;
  ++start;
  while (start < text.size()) {
    size_t nl = text.find('\n', start);
    lines.push_back(text.substr(start, nl == std::string::npos ? std::string::npos : nl - start));
    if (nl == std::string::npos) break;
    start = nl + 1;
  }
  std::sort(lines.begin(), lines.end());
  return lines;
}

std::string first_line(const std::string& text) { return text.substr(0, text.find('\n')); }

}  // namespace flowc::test::table
