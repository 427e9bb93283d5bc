// The job script and the exit status it leaves behind.
#include "runtime/executors/slurm/job_script.h"

#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cmath>
#include <set>
#include <string_view>
#include <filesystem>
#include <fstream>
#include <sstream>

#include <fmt/format.h>

#include "runtime/executors/slurm/command.h"
#include "runtime/mpi/mpi_launch.h"
#include "runtime/observe/usage.h"

namespace flowc::runtime::slurm {

namespace {

bool is_identifier(std::string_view name) {
  if (name.empty() || std::isdigit(static_cast<unsigned char>(name[0]))) return false;
  return std::all_of(name.begin(), name.end(),
                     [](char c) { return c == '_' || std::isalnum(static_cast<unsigned char>(c)); });
}

std::string_view name_of(std::string_view entry) { return entry.substr(0, entry.find('=')); }

// `export`/`unset` lines turning the environment `from` into `to`.
std::string env_changes(const std::vector<std::string>& from, const std::vector<std::string>& to) {
  std::set<std::string_view> had(from.begin(), from.end()), names_to;
  for (const std::string& e : to) names_to.insert(name_of(e));
  std::string out;
  for (const std::string& e : from) {
    if (!names_to.count(name_of(e))) out += "unset " + std::string(name_of(e)) + "\n";
  }
  for (const std::string& e : to) {
    if (!had.count(e)) out += "export " + shell_quote(e) + "\n";
  }
  return out;
}

}  // namespace

bool exportable(const std::vector<std::string>& env) {
  return std::all_of(env.begin(), env.end(), [](const std::string& e) {
    return e.find('=') != std::string::npos && is_identifier(name_of(e));
  });
}

std::string job_script(const LaunchSpec& spec, const ScriptOptions& options) {
  std::vector<std::string> command = spec.argv;
  if (spec.mpi_ranks > 0) {
    command = srun_command(spec.mpi_ranks, spec.cpus, options.overcommit, false, spec.argv);
  }
  std::string timeout;
  if (spec.timeout_seconds > 0) {
    // SIGTERM at the limit, SIGKILL 3 s later, like the local executor.
    timeout = fmt::format("timeout --signal=TERM --kill-after=3 {:g} ", spec.timeout_seconds);
  }
  std::string line;
  for (const std::string& word : command) line += (line.empty() ? "" : " ") + shell_quote(word);
  if (!options.measure.empty() && spec.mpi_ranks == 0) {
    line = shell_quote(options.measure) + " " + observe::kUsageFile + " -- " + line;
  }

  std::ostringstream s;
  s << "#!/bin/sh\n"
    << "# flowc task " << spec.job_name << ": written by flowc (runtime/executors/slurm/job_script.cpp).\n"
    << "# Runs the task's command and leaves how it ended in " << kExitFile << ",\n"
    << "# which flowc reads, even when it was restarted meanwhile.\n"
    << "cd " << shell_quote(spec.work_dir) << " || exit 97\n"
    << "# Slurm signals the whole job (a node set down, scancel, its time limit):\n"
    << "# the command ends and this script still writes how; flowc then asks\n"
    << "# Slurm why. (A handler, not an ignored signal: the command gets SIGTERM.)\n"
    << "trap : TERM\n"
    << (options.job_env ? env_changes(*options.job_env, spec.env) : "");
  bool staged = !options.scratch.empty() && options.staging && !options.staging->empty();
  std::string err = ">>" + shell_quote(spec.stderr_path);
  if (staged) s << staging_start(*options.staging, options.scratch, err) << "if [ $rc -eq 0 ]; then\n";
  s << (spec.timeout_seconds > 0 ? "start=$(date +%s)\n" : "") << timeout << line << " </dev/null >"
    << shell_quote(spec.stdout_path) << " 2>" << shell_quote(spec.stderr_path) << "\n"
    << "rc=$?\n";
  if (staged) s << "fi\n" << staging_end(*options.staging, err);
  s << "timed_out=0\n";
  if (spec.timeout_seconds > 0) {
    // `timeout` exits 124 (or 137 after SIGKILL) when it stopped the command.
    s << "if { [ $rc -eq 124 ] || [ $rc -eq 137 ]; } && [ $(( $(date +%s) - start )) -ge "
      << static_cast<long>(std::floor(spec.timeout_seconds)) << " ]; then timed_out=1; fi\n";
  }
  s << "printf '%s %s\\n' \"$rc\" \"$timed_out\" > " << kExitFile << ".tmp && mv -f " << kExitFile << ".tmp "
    << kExitFile << "\n"
    << "exit $rc\n";
  return s.str();
}

std::optional<ExitStatus> read_exit_status(const std::string& work_dir) {
  std::ifstream in(std::filesystem::path(work_dir) / kExitFile);
  ExitStatus status;
  int timed_out = 0;
  if (!(in >> status.exit_code >> timed_out)) return std::nullopt;
  status.timed_out = timed_out != 0;
  status.usage = observe::read_usage_file(work_dir);
  return status;
}

Outcome outcome_of(const ExitStatus& status, bool cancelling) {
  Outcome o;
  o.usage = status.usage;
  if (o.usage) o.seconds = o.usage->wall_seconds;
  if (cancelling && status.exit_code != 0) {
    o.how = Outcome::How::Cancelled;
    o.signal = SIGTERM;
  } else if (status.timed_out) {
    o.how = Outcome::How::TimedOut;
    o.signal = SIGTERM;
  } else {
    o.how = Outcome::How::Exited;
    o.exit_code = status.exit_code;
  }
  return o;
}

bool write_atomically(const std::string& path, const std::string& text) {
  std::string temporary = fmt::format("{}.{}.tmp", path, ::getpid());
  {
    std::ofstream out(temporary, std::ios::binary | std::ios::trunc);
    out << text;
    if (!out.flush()) return false;
  }
  std::error_code ec;
  std::filesystem::rename(temporary, path, ec);
  return !ec;
}

}  // namespace flowc::runtime::slurm
