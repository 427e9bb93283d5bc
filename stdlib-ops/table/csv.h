// The CSV the table ops read and write: a header line naming the columns,
// then one row per line, fields separated by commas. A field may be quoted
// ("a, b"; a quote inside is doubled: ""), but no field holds a line break —
// that is what lets every rank start reading at any line boundary. A line
// ending "\r\n" counts as "\n"; blank lines are skipped.
//
// Keys are compared by their value: a quoted field without its quotes.
// Output copies fields as they were written (quotes included).
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace flowc::table {

// Splits `line` (no line break) into its fields as written. Returns false,
// saying why in *problem, for a quote that is never closed or text after a
// closing quote.
bool split_fields(std::string_view line, std::vector<std::string_view>* fields, std::string* problem);

// The same, without keeping the fields: `*field` is the one at `index`
// (empty if there are fewer) and `*count` how many there are.
bool locate_field(std::string_view line, size_t index, std::string_view* field, size_t* count, std::string* problem);

// A field's value: without the quotes around it.
inline std::string_view field_value(std::string_view raw) {
  if (raw.size() >= 2 && raw.front() == '"' && raw.back() == '"') return raw.substr(1, raw.size() - 2);
  return raw;
}

// `line` without a final "\r".
inline std::string_view without_cr(std::string_view line) {
  if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
  return line;
}

struct Header {
  std::string path;                // the file it came from, for messages
  std::string line;                // as written, without its line break
  std::vector<std::string> names;  // the columns' names (values: unquoted)
  std::vector<std::string> raw;    // the columns' names as written

  // The column's index; throws TableError naming the file and its columns.
  size_t column(const std::string& name) const;
};

// Throws TableError when the header cannot be read as CSV.
Header parse_header(std::string_view line, const std::string& path);

}  // namespace flowc::table
