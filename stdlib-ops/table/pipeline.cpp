// Reading, checking and hash-shuffling tables (pipeline.h).
#include "pipeline.h"

#include <algorithm>

#include "errors.h"
#include "input_share.h"
#include "partitioning.h"

namespace flowc::table {

Loaded load_table(const Comm& comm, const std::string& path, const std::string& key, Context& context,
                  const std::vector<std::string>& number_columns, std::vector<bool>* integers) {
  Share share = read_share(comm, path, context.budget);
  Loaded out;
  out.header = std::move(share.header);
  out.rows = std::move(share.rows);
  together(comm, [&] {
    out.spec.path = path;
    out.spec.columns = out.header.names.size();
    out.spec.key_column = out.header.column(key);
    out.spec.key_name = key;
    out.spec.kind = context.kind;
    for (const std::string& name : number_columns) {
      out.spec.number_columns.push_back(out.header.column(name));
      out.spec.number_names.push_back(name);
    }
    index_rows(out.rows, out.spec, share.first_line, context.budget, integers);
  });
  if (integers) {
    for (size_t i = 0; i < integers->size(); ++i) (*integers)[i] = comm.all((*integers)[i]);
  }
  context.rows_in += out.rows.rows.size();
  return out;
}

Rows shuffle_by_key(const Comm& comm, Loaded& table, Context& context) {
  Outgoing outgoing;
  together(comm, [&] {
    outgoing = pack_for_ranks(table.rows, comm.size, context.budget,
                              [&](size_t i) { return hash_rank(table.rows, i, context.kind, comm.size); });
    table.rows.clear();
  });
  Rows received;
  shuffle(comm, std::move(outgoing), received, context.budget, context.shuffle_chunk, &context.shuffle);
  together(comm, [&] { index_rows(received, table.spec, 0, context.budget); });
  return received;
}

void sort_by_key(Rows& rows, KeyKind kind) {
  const Rows* r = &rows;
  std::sort(rows.rows.begin(), rows.rows.end(), [r, kind](const Row& a, const Row& b) {
    int c = compare_keys(*r, a, *r, b, kind);
    return c != 0 ? c < 0 : a.offset < b.offset;
  });
}

std::string csv_field(const std::string& value) {
  if (value.find_first_of(",\"\r\n") == std::string::npos) return value;
  std::string out = "\"";
  for (char c : value) {
    if (c == '"') out += '"';
    out += c;
  }
  return out + "\"";
}

}  // namespace flowc::table
