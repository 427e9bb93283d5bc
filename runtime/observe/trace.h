// `flowc trace`: a run's tasks as a TSV with Nextflow's trace columns, where
// they apply (https://www.nextflow.io/docs/latest/reports.html#trace-file):
// task_id hash native_id process name status exit attempt cpus memory time
// submit start complete duration realtime %cpu peak_rss rchar wchar workdir.
// Durations, sizes and dates read as Nextflow prints them ("1.2s", "2m 3s",
// "12.4 MB", "2026-12-01 14:03:07.123"), or as plain numbers with `raw`
// (milliseconds, bytes, epoch milliseconds), like Nextflow's trace.raw.
#pragma once

#include <string>
#include <vector>

#include "runtime/store/store.h"

namespace flowc::runtime::observe {

std::string trace_tsv(const std::vector<TaskRecord>& tasks, bool raw);

}  // namespace flowc::runtime::observe
