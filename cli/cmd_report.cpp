// flowc report and flowc trace: a run's tasks as a file.
#include <chrono>
#include <iostream>

#include <fmt/format.h>

#include "cli/commands.h"
#include "cli/compile_helpers.h"
#include "cli/journal_helpers.h"
#include "runtime/observe/run_view.h"
#include "runtime/observe/trace.h"
#include "runtime/report/report.h"

namespace flowc::cli {
namespace obs = runtime::observe;

int cmd_trace(const ObserveOptions& options) {
  auto chosen = chosen_run(options);
  if (!chosen) return kExitUsage;
  return write_output(options.output, obs::trace_tsv(chosen->store->task_summaries(chosen->run.id), options.raw));
}

int cmd_report(const ObserveOptions& options) {
  auto chosen = chosen_run(options);
  if (!chosen) return kExitUsage;
  auto start = std::chrono::steady_clock::now();
  std::string html = runtime::report::report_html(*chosen->store, chosen->run, options.state_dir);
  std::string output = options.output.empty() ? "report.html" : options.output;
  if (int rc = write_output(output, html); rc != kExitOk) return rc;
  if (output != "-") {
    double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    std::cerr << fmt::format("flowc: report of run {} in {} ({:.1f} MB, {:.2f}s); it opens offline in any browser\n",
                             chosen->run.id, output, static_cast<double>(html.size()) / 1e6, seconds);
  }
  return kExitOk;
}

}  // namespace flowc::cli
