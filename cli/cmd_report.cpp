// flowc report and flowc trace: a run's tasks as a file.
#include <chrono>
#include <iostream>

#include <fmt/format.h>

#include "cli/commands.h"
#include "cli/compile_helpers.h"
#include "runtime/observe/run_view.h"
#include "runtime/observe/trace.h"
#include "runtime/report/report.h"

namespace flowc::cli {
namespace obs = runtime::observe;

namespace {

// The journal and the run the options name; prints why not.
std::optional<std::pair<std::unique_ptr<runtime::Store>, runtime::RunRecord>> chosen_run(const ObserveOptions& options) {
  std::string error;
  auto store = obs::open_journal(options.state_dir, &error);
  if (!store) {
    print_error(error);
    return std::nullopt;
  }
  auto run = obs::find_run(*store, options.run, &error);
  if (!run) {
    print_error(error);
    return std::nullopt;
  }
  return std::make_pair(std::move(store), *run);
}

}  // namespace

int cmd_trace(const ObserveOptions& options) {
  auto chosen = chosen_run(options);
  if (!chosen) return kExitUsage;
  return write_output(options.output, obs::trace_tsv(chosen->first->task_summaries(chosen->second.id), options.raw));
}

int cmd_report(const ObserveOptions& options) {
  auto chosen = chosen_run(options);
  if (!chosen) return kExitUsage;
  auto start = std::chrono::steady_clock::now();
  std::string html = runtime::report::report_html(*chosen->first, chosen->second, options.state_dir);
  std::string output = options.output.empty() ? "report.html" : options.output;
  if (int rc = write_output(output, html); rc != kExitOk) return rc;
  if (output != "-") {
    double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    std::cerr << fmt::format("flowc: report of run {} in {} ({:.1f} MB, {:.2f}s); it opens offline in any browser\n",
                             chosen->second.id, output, static_cast<double>(html.size()) / 1e6, seconds);
  }
  return kExitOk;
}

}  // namespace flowc::cli
