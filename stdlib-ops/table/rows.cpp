// Indexing, comparing and hashing rows (rows.h).
#include "rows.h"

#include <xxhash.h>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstring>

#include "errors.h"

namespace flowc::table {

uint64_t count_lines(std::string_view bytes) {
  uint64_t n = 0;
  const char* p = bytes.data();
  const char* end = p + bytes.size();
  while (p < end) {
    const void* nl = std::memchr(p, '\n', end - p);
    ++n;
    if (!nl) break;
    p = static_cast<const char*>(nl) + 1;
  }
  return n;
}

bool parse_number(std::string_view text, double* value) {
  if (text.empty()) return false;
  const char* begin = text.data();
  if (*begin == '+') ++begin;  // from_chars takes no '+'
  auto [end, ec] = std::from_chars(begin, text.data() + text.size(), *value);
  return ec == std::errc() && end == text.data() + text.size() && !std::isnan(*value);
}

bool parse_integer(std::string_view text, int64_t* value) {
  if (text.empty()) return false;
  const char* begin = text.data();
  if (*begin == '+') ++begin;
  auto [end, ec] = std::from_chars(begin, text.data() + text.size(), *value);
  return ec == std::errc() && end == text.data() + text.size();
}

namespace {

uint64_t big_endian_prefix(std::string_view key) {
  unsigned char buf[8] = {};
  std::memcpy(buf, key.data(), std::min<size_t>(8, key.size()));
  uint64_t v = 0;
  for (unsigned char c : buf) v = (v << 8) | c;
  return v;
}

std::string shown(std::string_view text) {
  if (text.size() > 40) return std::string(text.substr(0, 40)) + "...";
  return std::string(text);
}

}  // namespace

void index_rows(Rows& rows, const RowSpec& spec, uint64_t first_line, MemoryBudget& budget,
                std::vector<bool>* integers) {
  const bool check = first_line > 0;
  std::string_view all = rows.bytes;
  uint64_t lines = count_lines(all);
  rows.index_held =
      Reservation(budget, lines * sizeof(Row), "the index of " + with_commas(lines) + " rows of `" + spec.path + "`");
  rows.rows.clear();
  rows.rows.reserve(lines);
  if (integers) integers->assign(spec.number_columns.size(), true);

  std::vector<std::string_view> fields;
  std::string problem;
  uint64_t line_number = first_line;
  size_t pos = 0;
  while (pos < all.size()) {
    size_t nl = all.find('\n', pos);
    size_t end = nl == std::string_view::npos ? all.size() : nl;
    std::string_view line = without_cr(all.substr(pos, end - pos));
    uint64_t offset = pos;
    pos = end + 1;
    uint64_t here = line_number++;
    if (line.empty()) continue;
    auto where = [&] { return spec.path + ":" + std::to_string(here); };
    if (line.size() > UINT32_MAX) throw TableError(where() + ": a line longer than 4 GiB");
    std::string_view raw;
    size_t count = 0;
    if (!locate_field(line, spec.key_column, &raw, &count, &problem)) {
      if (check) throw TableError(where() + ": " + problem);
      continue;
    }
    if (check && count != spec.columns) {
      throw TableError(where() + ": a ragged row: it has " + std::to_string(count) + " field" +
                       (count == 1 ? "" : "s") + ", the header has " + std::to_string(spec.columns) +
                       " (every row needs one value per column; an empty value is written as nothing between "
                       "two commas)");
    }
    std::string_view key = field_value(raw);
    Row r;
    r.offset = offset;
    r.length = static_cast<uint32_t>(line.size());
    r.key_begin = static_cast<uint32_t>(key.data() - line.data());
    r.key_length = static_cast<uint32_t>(key.size());
    r.key_quoted = key.size() != raw.size() ? 1 : 0;
    if (spec.kind == KeyKind::Number) {
      if (!parse_number(key, &r.number)) {
        throw TableError(where() + ": the key column `" + spec.key_name + "` holds `" + shown(key) +
                         "`, which is not a number (keys are compared as numbers here; compare them as strings, "
                         "without --numeric, or fix the row)");
      }
      if (r.number == 0) r.number = 0;  // -0 and 0 are one key
    } else {
      r.prefix = big_endian_prefix(key);
    }
    if (check && !spec.number_columns.empty()) {
      split_fields(line, &fields, &problem);
      for (size_t i = 0; i < spec.number_columns.size(); ++i) {
        std::string_view v = field_value(fields[spec.number_columns[i]]);
        if (v.empty()) continue;  // nothing: left out of the sum
        int64_t as_int;
        double as_double;
        if (parse_integer(v, &as_int)) continue;
        if (!parse_number(v, &as_double)) {
          throw TableError(where() + ": the column `" + spec.number_names[i] + "` holds `" + shown(v) +
                           "`, which is not a number (it is summed; leave it empty to leave it out)");
        }
        if (integers) (*integers)[i] = false;
      }
    }
    rows.rows.push_back(r);
  }
}

int compare_keys(const Rows& a, const Row& ra, const Rows& b, const Row& rb, KeyKind kind) {
  if (kind == KeyKind::Number) return ra.number < rb.number ? -1 : (rb.number < ra.number ? 1 : 0);
  if (ra.prefix != rb.prefix) return ra.prefix < rb.prefix ? -1 : 1;
  // Equal first 8 bytes, and neither longer: the shorter is first (its
  // prefix was padded with zeros, which a longer key's bytes equal).
  if (ra.key_length <= 8 && rb.key_length <= 8) {
    return ra.key_length < rb.key_length ? -1 : (ra.key_length > rb.key_length ? 1 : 0);
  }
  int c = a.key(ra).compare(b.key(rb));
  return c < 0 ? -1 : (c > 0 ? 1 : 0);
}

uint64_t key_hash(const Rows& rows, const Row& r, KeyKind kind) {
  if (kind == KeyKind::Number) return XXH3_64bits(&r.number, sizeof r.number);
  std::string_view k = rows.key(r);
  return XXH3_64bits(k.data(), k.size());
}

}  // namespace flowc::table
