// `flowc report`: one self-contained HTML file for a run. It makes no network
// request (a Content-Security-Policy forbids any): the page's script and
// stylesheet are inline (runtime/report/assets.h), and so is the run's data,
// as gzip in base64 that the browser itself inflates (DecompressionStream).
//
// The data (columns: one array per field, one item per task, so 100,000
// tasks stay a few MB; docs/runtime.md, "Reports"):
//   {"v": 1, "generated": <epoch>, "run": <run JSON, docs/api.md>,
//    "graph": <graph.json>, "ops": [...], "states": [...], "executors": [...],
//    "columns": {"path": [...], "key": [...], "op": [index], "state": [index],
//                "executor": [index], "start": [ms after the run started],
//                "dur": [ms], "user": [ms], "sys": [ms], "rss": [KiB],
//                "mem": [KiB requested], "cpus": [...], "attempt": [...],
//                "exit": [...], "job": [...]},        (-1: not known)
//    "failures": [{"path", "op", "error", "stderr": <last lines>, "log"}],
//    "failures_total": N}
#pragma once

#include <string>

#include "runtime/store/store.h"

namespace flowc::runtime::report {

// The data above for `run` of the state folder `state_dir`.
std::string report_data_json(Store& store, const RunRecord& run, const std::string& state_dir);
// The whole page.
std::string report_html(Store& store, const RunRecord& run, const std::string& state_dir);

// A page of flowc serve's live UI: the script and stylesheet by URL, and
// `config` (JSON: which page) for the script.
std::string live_page_html(const std::string& title, const std::string& config_json);

}  // namespace flowc::runtime::report
