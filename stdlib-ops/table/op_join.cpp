// join: both tables hash-shuffled on the key (equal keys meet on one rank),
// each sorted by key, then merged: every left row of a key with every right
// row of it, in file order.
#include <algorithm>

#include "errors.h"
#include "ops.h"

namespace flowc::table {

namespace {

// The output's columns: the key, the left's others, the right's others.
std::string joined_header(const Loaded& left, const Loaded& right) {
  std::vector<std::string> names;
  std::string line = left.header.raw[left.spec.key_column];
  names.push_back(left.header.names[left.spec.key_column]);
  for (size_t i = 0; i < left.header.names.size(); ++i) {
    if (i == left.spec.key_column) continue;
    line += "," + left.header.raw[i];
    names.push_back(left.header.names[i]);
  }
  for (size_t i = 0; i < right.header.names.size(); ++i) {
    if (i == right.spec.key_column) continue;
    std::string name = right.header.names[i];
    if (std::find(names.begin(), names.end(), name) == names.end()) {
      line += "," + right.header.raw[i];
    } else {
      name += "_right";
      line += "," + csv_field(name);
    }
    names.push_back(name);
  }
  return line;
}

// Writes `line`'s fields except the one at `skip`, each after a comma.
void write_other_fields(Sink& sink, std::string_view line, size_t skip, std::vector<std::string_view>& fields) {
  std::string problem;
  split_fields(line, &fields, &problem);
  for (size_t i = 0; i < fields.size(); ++i) {
    if (i == skip) continue;
    sink.put(',');
    sink.write(fields[i]);
  }
}

}  // namespace

void join_tables(const Comm& comm, const std::string& left_path, const std::string& right_path, const std::string& on,
                 JoinHow how, Context& context) {
  Loaded left = load_table(comm, left_path, on, context);
  Loaded right = load_table(comm, right_path, on, context);
  std::string header = joined_header(left, right);
  Rows l = shuffle_by_key(comm, left, context);
  Rows r = shuffle_by_key(comm, right, context);
  together(comm, [&] {
    sort_by_key(l, context.kind);
    sort_by_key(r, context.kind);
  });

  const KeyKind kind = context.kind;
  const size_t left_key = left.spec.key_column, right_key = right.spec.key_column;
  const size_t right_others = right.spec.columns - 1;
  uint64_t rows_out = 0;
  auto body = [&](Sink& sink) {
    std::vector<std::string_view> fields;
    rows_out = 0;
    size_t j = 0;
    const size_t nl = l.rows.size(), nr = r.rows.size();
    for (size_t i = 0; i < nl;) {
      const Row& first = l.rows[i];
      size_t i_end = i + 1;
      while (i_end < nl && compare_keys(l, l.rows[i_end], l, first, kind) == 0) ++i_end;
      while (j < nr && compare_keys(r, r.rows[j], l, first, kind) < 0) ++j;
      size_t j_end = j;
      while (j_end < nr && compare_keys(r, r.rows[j_end], l, first, kind) == 0) ++j_end;
      for (size_t a = i; a < i_end; ++a) {
        const Row& lr = l.rows[a];
        if (j == j_end) {
          if (how == JoinHow::Inner) continue;
          ++rows_out;
          if (sink.counting()) {  // the left line (its key moved first), a comma per right column but the key
            sink.count_only(lr.length + right_others + 1);
            continue;
          }
          sink.write(l.raw_key(lr));
          write_other_fields(sink, l.line(lr), left_key, fields);
          for (size_t k = 0; k < right_others; ++k) sink.put(',');
          sink.put('\n');
          continue;
        }
        for (size_t b = j; b < j_end; ++b) {
          ++rows_out;
          if (sink.counting()) {  // the left line, the right one without its key (and with the comma before it)
            const Row& rr = r.rows[b];
            sink.count_only(lr.length + rr.length - r.raw_key(rr).size() + 1);
            continue;
          }
          sink.write(l.raw_key(lr));
          write_other_fields(sink, l.line(lr), left_key, fields);
          write_other_fields(sink, r.line(r.rows[b]), right_key, fields);
          sink.put('\n');
        }
      }
      i = i_end;
    }
  };
  context.bytes_written = write_output(comm, context.output, header, body);
  context.rows_out = rows_out;
}

}  // namespace flowc::table
