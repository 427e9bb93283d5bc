// Parsing flowc-table's command line (options.h).
#include "options.h"

#include <map>

#include "memory_budget.h"

namespace flowc::table {

const char* const kUsage = R"(usage: flowc-table COMMAND OPTIONS   (run by mpirun: every rank runs the same command)

Distributed operations on CSV tables with a header line. Each rank reads its
share of the input, rows are shuffled between ranks by key, and each rank
works on its part.

commands:
  sort         --input FILE --by COLUMN
               rows ordered by COLUMN (equal keys in file order); a merged
               output is globally sorted
  join         --left FILE --right FILE --on COLUMN [--how inner|left]
               the key, the left's other columns, the right's other columns
  groupby_sum  --input FILE --by COLUMN --sum COLUMN[,COLUMN...]
               one row per key with the sums of the columns
  partition    --input FILE --by COLUMN --output-dir DIR
               part-RRRRR.csv per rank: the rows whose key hashes to it

output (one of):
  --output FILE         one file: the ranks' parts in rank order
  --output-dir DIR      one file per rank: DIR/part-00000.csv, ...

options:
  --numeric             compare keys as numbers (default: as strings, bytewise)
  --mem-per-rank SIZE   memory budget of each rank (512MiB, 2GiB, bytes);
                        0 or none: half of the node's memory, shared among
                        the job's ranks on it
  --shuffle-chunk SIZE  most bytes between two ranks in one all-to-all round
                        (default 256MiB)
  --stats               each rank's figures as JSON lines on stderr
  --help
)";

namespace {

bool truth(const std::string& text, bool* value) {
  if (text == "true" || text == "1" || text == "yes") {
    *value = true;
    return true;
  }
  if (text == "false" || text == "0" || text == "no") {
    *value = false;
    return true;
  }
  return false;
}

std::vector<std::string> split_commas(const std::string& text) {
  std::vector<std::string> out;
  size_t start = 0;
  while (true) {
    size_t comma = text.find(',', start);
    out.push_back(text.substr(start, comma == std::string::npos ? std::string::npos : comma - start));
    if (comma == std::string::npos) return out;
    start = comma + 1;
  }
}

}  // namespace

std::optional<Options> parse_options(int argc, char** argv, std::string* error) {
  Options o;
  std::vector<std::string> args(argv + 1, argv + argc);
  if (args.empty()) {
    *error = "no command given (sort, join, groupby_sum or partition)";
    return std::nullopt;
  }
  if (args[0] == "--help" || args[0] == "-h") {
    o.help = true;
    return o;
  }
  o.command = args[0];
  const std::map<std::string, std::vector<std::string>> allowed = {
      {"sort", {"--input", "--by"}},
      {"join", {"--left", "--right", "--on", "--how"}},
      {"groupby_sum", {"--input", "--by", "--sum"}},
      {"partition", {"--input", "--by"}},
  };
  auto command = allowed.find(o.command);
  if (command == allowed.end()) {
    *error = "unknown command `" + o.command + "` (sort, join, groupby_sum or partition)";
    return std::nullopt;
  }
  std::string by;
  for (size_t i = 1; i < args.size(); ++i) {
    std::string name = args[i], value;
    bool has_value = false;
    if (size_t eq = name.find('='); name.rfind("--", 0) == 0 && eq != std::string::npos) {
      value = name.substr(eq + 1);
      name = name.substr(0, eq);
      has_value = true;
    }
    if (name == "--help" || name == "-h") {
      o.help = true;
      return o;
    }
    if (name == "--numeric" || name == "--stats") {
      bool v = true;
      if (has_value && !truth(value, &v)) {
        *error = name + " takes true or false, not `" + value + "`";
        return std::nullopt;
      }
      (name == "--numeric" ? o.numeric : o.stats) = v;
      continue;
    }
    bool per_command = false;
    for (const std::string& a : command->second) per_command |= a == name;
    const bool common =
        name == "--output" || name == "--output-dir" || name == "--mem-per-rank" || name == "--shuffle-chunk";
    if (!per_command && !common) {
      *error = "`" + o.command + "` has no option `" + name + "`";
      return std::nullopt;
    }
    if (!has_value) {
      if (i + 1 >= args.size()) {
        *error = name + " needs a value";
        return std::nullopt;
      }
      value = args[++i];
    }
    if (name == "--input") o.input = value;
    if (name == "--left") o.left = value;
    if (name == "--right") o.right = value;
    if (name == "--by" || name == "--on") o.key = value;
    if (name == "--how") o.how = value;
    if (name == "--sum") o.sums = split_commas(value);
    if (name == "--output") o.output_file = value;
    if (name == "--output-dir") o.output_dir = value;
    if (name == "--mem-per-rank" || name == "--shuffle-chunk") {
      uint64_t bytes = 0;
      if (!parse_size(value, &bytes) || (bytes == 0 && name == "--shuffle-chunk")) {
        *error = name + " takes a size such as 512MiB, 2GiB or a number of bytes, not `" + value + "`";
        return std::nullopt;
      }
      if (name == "--shuffle-chunk") {
        o.shuffle_chunk = bytes;
      } else if (bytes > 0) {
        o.mem_per_rank = bytes;  // 0: the default
      }
    }
  }
  auto missing = [&](const std::string& what) {
    *error = "`" + o.command + "` needs " + what;
    return std::nullopt;
  };
  if (o.command == "join") {
    if (o.left.empty() || o.right.empty()) return missing("--left FILE and --right FILE");
    if (o.key.empty()) return missing("--on COLUMN");
    if (o.how != "inner" && o.how != "left") {
      *error = "--how is inner or left, not `" + o.how + "`";
      return std::nullopt;
    }
  } else {
    if (o.input.empty()) return missing("--input FILE");
    if (o.key.empty()) return missing("--by COLUMN");
  }
  if (o.command == "groupby_sum" && (o.sums.empty() || o.sums[0].empty())) return missing("--sum COLUMN[,COLUMN...]");
  if (o.command == "partition") {
    if (o.output_dir.empty()) return missing("--output-dir DIR (one file per rank)");
    if (!o.output_file.empty()) {
      *error = "`partition` writes one file per rank: give --output-dir, not --output";
      return std::nullopt;
    }
  } else if (o.output_file.empty() == o.output_dir.empty()) {
    return missing("one of --output FILE (one merged file) or --output-dir DIR (one file per rank)");
  }
  return o;
}

}  // namespace flowc::table
