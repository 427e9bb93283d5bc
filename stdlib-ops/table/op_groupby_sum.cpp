// groupby_sum: rows hash-shuffled on the key, sorted by it, and each run of
// equal keys summed. Rows of a key are summed in file order, so a float sum
// is the same for every number of ranks.
#include <charconv>

#include "errors.h"
#include "ops.h"

namespace flowc::table {

namespace {

struct Group {
  size_t first;  // its first row (whose key text is written)
  size_t sums;   // where its sums start in the sums arrays
};

std::string number_text(double v) {
  char buf[64];
  auto [end, ec] = std::to_chars(buf, buf + sizeof buf, v);
  return std::string(buf, ec == std::errc() ? end : buf);
}

}  // namespace

void groupby_sum(const Comm& comm, const std::string& input, const std::string& by,
                 const std::vector<std::string>& sums, Context& context) {
  std::vector<bool> integers;
  Loaded table = load_table(comm, input, by, context, sums, &integers);
  Rows rows = shuffle_by_key(comm, table, context);

  const size_t columns = sums.size();
  std::vector<Group> groups;
  std::vector<int64_t> int_sums;
  std::vector<double> float_sums;
  Reservation held;
  together(comm, [&] {
    sort_by_key(rows, context.kind);
    auto same_key = [&](size_t a, size_t b) {
      return compare_keys(rows, rows.rows[a], rows, rows.rows[b], context.kind) == 0;
    };
    uint64_t distinct = rows.rows.empty() ? 0 : 1;
    for (size_t i = 1; i < rows.rows.size(); ++i) distinct += same_key(i, i - 1) ? 0 : 1;
    held = Reservation(context.budget, distinct * (sizeof(Group) + columns * 16),
                       "the sums of " + with_commas(distinct) + " keys");
    groups.reserve(distinct);
    int_sums.reserve(distinct * columns);
    float_sums.reserve(distinct * columns);
    std::vector<std::string_view> fields;
    std::string problem;
    for (size_t i = 0; i < rows.rows.size();) {
      size_t end = i + 1;
      while (end < rows.rows.size() && same_key(end, i)) ++end;
      groups.push_back(Group{i, int_sums.size()});
      int_sums.resize(int_sums.size() + columns, 0);
      float_sums.resize(float_sums.size() + columns, 0.0);
      for (size_t k = i; k < end; ++k) {
        split_fields(rows.line(rows.rows[k]), &fields, &problem);
        for (size_t c = 0; c < columns; ++c) {
          std::string_view v = field_value(fields[table.spec.number_columns[c]]);
          if (v.empty()) continue;
          size_t at = groups.back().sums + c;
          if (integers[c]) {
            int64_t x = 0;
            parse_integer(v, &x);
            if (__builtin_add_overflow(int_sums[at], x, &int_sums[at])) {
              throw TableError("the sum of `" + sums[c] + "` for the key `" + std::string(rows.key(rows.rows[i])) +
                               "` does not fit in a 64-bit integer");
            }
          } else {
            double x = 0;
            parse_number(v, &x);
            float_sums[at] += x;
          }
        }
      }
      i = end;
    }
  });

  std::string header = table.header.raw[table.spec.key_column];
  for (size_t c = 0; c < columns; ++c) header += "," + table.header.raw[table.spec.number_columns[c]];
  context.rows_out = groups.size();
  context.bytes_written = write_output(comm, context.output, header, [&](Sink& sink) {
    for (const Group& g : groups) {
      sink.write(rows.raw_key(rows.rows[g.first]));
      for (size_t c = 0; c < columns; ++c) {
        sink.put(',');
        sink.write(integers[c] ? std::to_string(int_sums[g.sums + c]) : number_text(float_sums[g.sums + c]));
      }
      sink.put('\n');
    }
  });
}

}  // namespace flowc::table
