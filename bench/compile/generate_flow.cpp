// Writes a valid .flow program of about N lines to standard output: record
// types, ops with clauses and multi-line commands, and workflows with for,
// if, calls and expressions — the shapes real files have, in bulk.
//   generate_flow LINES > big.flow
#include <cstdio>
#include <cstdlib>
#include <string>

namespace {

int lines = 0;

void emit(const std::string& text) {
  std::fputs(text.c_str(), stdout);
  for (char c : text) lines += c == '\n';
}

std::string n(int i) { return std::to_string(i); }

void record_type(int i) {
  emit("/// Sample " + n(i) + ": one unit of input data.\n");
  emit("type Sample" + n(i) + " = {\n    id: str,\n    reads: file,\n    depth: int,\n    quality: float?,\n}\n\n");
}

void op(int i) {
  emit("/// Processes one sample (op " + n(i) + ").\n");
  emit("op process" + n(i) + "(sample: Sample" + n(i % 50) + ", threads: int = 4, label: str = \"run-" + n(i) +
       "\", ref: file?) -> (bam: file = \"${sample.id}.bam\", stats: file, count: int) {\n");
  emit("    image \"localhost/flow-busybox:latest\"\n");
  emit("    resources { cpus = threads, mem = 2GiB + 512MiB, time = 2h }\n");
  emit("    retry { attempts = 3, exit_codes = [75, 143], on_timeout = true }\n");
  emit("    timeout 90m\n");
  emit("    env { OMP_NUM_THREADS = str(threads), SAMPLE = sample.id }\n");
  emit("    run \"\"\"\n");
  emit("        set -euo pipefail\n");
  emit("        echo \"processing ${sample.id} with ${threads} threads (${label})\" >&2\n");
  emit(
      "        tool align --in ${sample.reads} ${\"--ref=\" + str(ref ?? file(\"none\"))} --depth ${sample.depth} > ${bam}\n");
  emit("        for f in $${HOME}/*.cfg; do echo \"$f\"; done > /dev/null\n");
  emit("        tool stats ${bam} | tee ${stats} | wc -l > ${count}\n");
  emit("    \"\"\"\n}\n\n");
}

void workflow(int i, int ops) {
  int a = i % ops, b = (i * 7 + 3) % ops;
  emit("/// Pipeline " + n(i) + ".\n");
  emit("workflow pipeline" + n(i) + "(samples: list[Sample" + n(a % 50) +
       "], min_depth: int = 10, threads: int = 8)\n");
  emit("        -> (report: file, total: int, best: str?) {\n");
  emit("    for s in samples with { min_success_ratio = 0.9 } {\n");
  emit("        if s.depth >= min_depth && len(s.id) > 0 {\n");
  emit("            p = process" + n(a) + "(sample = s, threads = threads, label = \"deep-${s.id}\")\n");
  emit("            scaled = p.count * 2 + (s.depth - min_depth) % 7\n");
  emit("        } else {\n");
  emit("            q = process" + n(a) + "(sample = s, threads = max(1, threads / 2))\n");
  emit("        }\n");
  emit("        tag = \"${s.id}:${s.depth}\"\n");
  emit("    }\n");
  emit("    counts = select_all(scaled)\n");
  emit("    names = sep(tag, \",\")\n");
  emit("    first = samples[0]\n");
  emit("    again = process" + n(b % ops) + "(sample = first, threads = len(counts) + 1) with { optional = true }\n");
  emit("    return (report = again.stats ?? first.reads, total = sum(counts), best = names)\n");
  emit("}\n\n");
}

}  // namespace

int main(int argc, char** argv) {
  int target = argc > 1 ? std::atoi(argv[1]) : 10000;
  int types = 50;
  for (int i = 0; i < types; ++i) record_type(i);
  // Ops and workflows alternate in blocks until the file is long enough.
  int op_count = 0, wf_count = 0;
  while (lines < target) {
    for (int k = 0; k < 4 && lines < target; ++k) op(op_count++);
    if (lines < target) workflow(wf_count++, op_count);
  }
  std::fprintf(stderr, "generated %d lines: %d types, %d ops, %d workflows\n", lines, types, op_count, wf_count);
  return 0;
}
