// Rows held in memory: the lines themselves in one buffer, and a compact
// index (32 bytes a row) locating each line and its key. Sorting, hashing
// and joining work on the index; the bytes are copied only to be sent or
// written.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "byte_buffer.h"
#include "csv.h"
#include "memory_budget.h"

namespace flowc::table {

enum class KeyKind { String, Number };

struct Row {
  uint64_t offset;     // the line, in Rows::bytes
  uint32_t length;     // without its line break
  uint32_t key_begin;  // the key's value (unquoted), relative to the line
  uint32_t key_length;
  uint32_t key_quoted;  // 1 when the key was written in quotes
  union {
    uint64_t prefix;  // String: the key's first 8 bytes, big-endian (orders like the bytes)
    double number;    // Number: the key's value
  };
};
static_assert(sizeof(Row) == 32);

// What to check and index in each line.
struct RowSpec {
  std::string path;    // the file, for messages
  size_t columns = 0;  // how many fields every row must have
  size_t key_column = 0;
  std::string key_name;
  KeyKind kind = KeyKind::String;
  std::vector<size_t> number_columns;  // must hold numbers (or nothing)
  std::vector<std::string> number_names;
};

class Rows {
 public:
  ByteBuffer bytes;
  std::vector<Row> rows;
  Reservation bytes_held, index_held;  // their share of the memory budget

  std::string_view line(const Row& r) const { return {bytes.data() + r.offset, r.length}; }
  std::string_view key(const Row& r) const { return {bytes.data() + r.offset + r.key_begin, r.key_length}; }
  // The key as written (with its quotes, if it had them).
  std::string_view raw_key(const Row& r) const {
    return {bytes.data() + r.offset + r.key_begin - r.key_quoted, r.key_length + 2 * r.key_quoted};
  }
  void clear() {
    bytes.reset();
    std::vector<Row>().swap(rows);
    bytes_held.reset();
    index_held.reset();
  }
};

// How many lines `bytes` holds (a last line without a line break counts).
uint64_t count_lines(std::string_view bytes);

// Indexes every non-blank line of rows.bytes. With `first_line` > 0 (the
// file's line number of the first line) each row is checked: its number of
// fields, a numeric key, the number columns — a problem is a TableError
// naming path:line. `integers[i]` ends false when number column i holds a
// value that is not an integer. With first_line 0 (rows received in a
// shuffle, checked where they were read) nothing is checked.
void index_rows(Rows& rows, const RowSpec& spec, uint64_t first_line, MemoryBudget& budget,
                std::vector<bool>* integers = nullptr);

// Orders keys: bytes (as unsigned) for String, values for Number.
int compare_keys(const Rows& a, const Row& ra, const Rows& b, const Row& rb, KeyKind kind);

struct KeyLess {
  const Rows* rows;
  KeyKind kind;
  bool operator()(const Row& a, const Row& b) const { return compare_keys(*rows, a, *rows, b, kind) < 0; }
};

// The hash that decides a row's rank in a hash partition (XXH3 of the key's
// bytes, or of its value for Number, so 1 and 1.0 meet).
uint64_t key_hash(const Rows& rows, const Row& r, KeyKind kind);

// Parses a number as the ops read them (from_chars: no spaces, no NaN).
bool parse_number(std::string_view text, double* value);
bool parse_integer(std::string_view text, int64_t* value);

}  // namespace flowc::table
