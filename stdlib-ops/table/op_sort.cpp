// sort: a sample sort. Each rank sends samples of its keys to all; all pick
// the same ranks-1 splitters; each row goes to the rank between its
// splitters; each rank sorts what it received.
//
// A sample is (key, rank, row): ties between equal keys are broken by where
// the row was in the file, so a key repeated a million times can still be
// spread over several ranks and the result is still the stable order.
#include <algorithm>
#include <cstring>

#include "errors.h"
#include "ops.h"
#include "partitioning.h"

namespace flowc::table {

namespace {

struct Sample {
  std::string key;
  double number = 0;
  uint64_t rank = 0;
  uint64_t index = 0;
};

// Samples taken per rank: enough for an even split (samples per splitter
// interval), few enough to gather cheaply.
constexpr uint64_t kSamplesPerRank = 64;

int compare_sample(const Sample& a, const Sample& b, KeyKind kind) {
  int c;
  if (kind == KeyKind::Number) {
    c = a.number < b.number ? -1 : (b.number < a.number ? 1 : 0);
  } else {
    c = std::string_view(a.key).compare(b.key);
  }
  if (c != 0) return c;
  if (a.rank != b.rank) return a.rank < b.rank ? -1 : 1;
  return a.index < b.index ? -1 : (a.index > b.index ? 1 : 0);
}

void put_u64(std::string& out, uint64_t v) { out.append(reinterpret_cast<const char*>(&v), sizeof v); }
uint64_t get_u64(const std::string& in, size_t* at) {
  uint64_t v;
  std::memcpy(&v, in.data() + *at, sizeof v);
  *at += sizeof v;
  return v;
}

std::vector<Sample> choose_splitters(const Comm& comm, const Rows& rows, KeyKind kind) {
  const uint64_t n = rows.rows.size();
  const uint64_t take = std::min<uint64_t>(n, kSamplesPerRank * static_cast<uint64_t>(comm.size));
  std::string mine;
  for (uint64_t j = 0; j < take; ++j) {
    uint64_t i = (2 * j + 1) * n / (2 * take);
    const Row& r = rows.rows[i];
    put_u64(mine, i);
    if (kind == KeyKind::Number) {
      uint64_t bits;
      std::memcpy(&bits, &r.number, sizeof bits);
      put_u64(mine, bits);
    } else {
      std::string_view k = rows.key(r);
      put_u64(mine, k.size());
      mine.append(k);
    }
  }
  std::vector<std::string> all = comm.all_gather_bytes(mine);
  std::vector<Sample> samples;
  for (int rank = 0; rank < comm.size; ++rank) {
    const std::string& bytes = all[rank];
    size_t at = 0;
    while (at < bytes.size()) {
      Sample s;
      s.rank = static_cast<uint64_t>(rank);
      s.index = get_u64(bytes, &at);
      uint64_t v = get_u64(bytes, &at);
      if (kind == KeyKind::Number) {
        std::memcpy(&s.number, &v, sizeof v);
      } else {
        s.key = bytes.substr(at, v);
        at += v;
      }
      samples.push_back(std::move(s));
    }
  }
  std::sort(samples.begin(), samples.end(),
            [kind](const Sample& a, const Sample& b) { return compare_sample(a, b, kind) < 0; });
  std::vector<Sample> splitters;
  if (samples.empty()) return splitters;
  for (int j = 1; j < comm.size; ++j) splitters.push_back(samples[j * samples.size() / comm.size]);
  return splitters;
}

}  // namespace

void sort_table(const Comm& comm, const std::string& input, const std::string& by, Context& context) {
  Loaded table = load_table(comm, input, by, context);
  const KeyKind kind = context.kind;
  std::vector<Sample> splitters = choose_splitters(comm, table.rows, kind);

  Outgoing outgoing;
  together(comm, [&] {
    Sample probe;
    probe.rank = static_cast<uint64_t>(comm.rank);
    outgoing = pack_for_ranks(table.rows, comm.size, context.budget, [&](size_t i) {
      const Row& r = table.rows.rows[i];
      if (kind == KeyKind::Number) {
        probe.number = r.number;
      } else {
        probe.key.assign(table.rows.key(r));
      }
      probe.index = i;
      auto after =
          std::upper_bound(splitters.begin(), splitters.end(), probe,
                           [kind](const Sample& a, const Sample& b) { return compare_sample(a, b, kind) < 0; });
      return static_cast<int>(after - splitters.begin());
    });
    table.rows.clear();
  });
  Rows received;
  shuffle(comm, std::move(outgoing), received, context.budget, context.shuffle_chunk, &context.shuffle);
  together(comm, [&] {
    index_rows(received, table.spec, 0, context.budget);
    // Arrived from rank 0 first, each in file order: (key, offset) is the
    // stable order.
    sort_by_key(received, kind);
  });
  context.rows_out = received.rows.size();
  context.bytes_written = write_output(comm, context.output, table.header.line, [&](Sink& sink) {
    for (const Row& r : received.rows) {
      sink.write(received.line(r));
      sink.put('\n');
    }
  });
}

}  // namespace flowc::table
