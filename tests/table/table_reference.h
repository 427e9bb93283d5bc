// A single-process reference for flowc-table's operations, written
// independently of stdlib-ops/table/ and as plainly as possible (whole files
// in memory, std::stable_sort, nested loops), so the property tests compare
// the MPI program with something that is obviously right.
#pragma once

#include <string>
#include <vector>

namespace flowc::test::table {

struct CsvRow {
  std::string line;                 // as written, without "\r" or "\n"
  std::vector<std::string> fields;  // as written (quotes included)
};

struct Csv {
  std::string header;
  std::vector<std::string> columns;  // names, unquoted
  std::vector<CsvRow> rows;          // blank lines skipped
};

Csv parse_csv(const std::string& text);
std::vector<std::string> split_csv_line(const std::string& line);
std::string unquoted(const std::string& field);
size_t column_of(const Csv& csv, const std::string& name);

// Key order: bytes, or numbers (strtod) when `numeric`.
int compare_key(const std::string& a, const std::string& b, bool numeric);

// Each returns the whole output file's text (header first).
std::string sort_reference(const Csv& t, const std::string& by, bool numeric);
std::string join_reference(const Csv& left, const Csv& right, const std::string& on, bool left_join, bool numeric);
std::string groupby_sum_reference(const Csv& t, const std::string& by, const std::vector<std::string>& sums,
                                  bool numeric);

// The lines of a text, without its first (the header), sorted: outputs
// whose row order is not specified are compared this way.
std::vector<std::string> sorted_body(const std::string& text);
std::string first_line(const std::string& text);

}  // namespace flowc::test::table
