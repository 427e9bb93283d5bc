// partition: the rows hash-shuffled on the key and written as they arrived —
// part r (rank r's file) holds every row whose key hashes to r, in file order.
#include "errors.h"
#include "ops.h"

namespace flowc::table {

void partition_table(const Comm& comm, const std::string& input, const std::string& by, Context& context) {
  Loaded table = load_table(comm, input, by, context);
  Rows rows = shuffle_by_key(comm, table, context);
  context.rows_out = rows.rows.size();
  context.bytes_written = write_output(comm, context.output, table.header.line, [&](Sink& sink) {
    for (const Row& r : rows.rows) {
      sink.write(rows.line(r));
      sink.put('\n');
    }
  });
}

}  // namespace flowc::table
