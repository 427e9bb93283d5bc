// The task whose use is known (tests/observe/usage_probe.c: 200 MiB touched,
// 0.6 s of CPU, a given number of bytes written) and the checks of what was
// measured of it: one workflow and one set of checks for the local,
// container and Slurm observe tests.
#pragma once

#include <string>

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

namespace flowc::test {

// The workflow: `op_lines` go before the op's `run` (its image, its
// resources); `exe_type` is how the probe is given (str: a path on every
// node; file: staged into a container).
inline std::string usage_probe_flow(const std::string& exe_type, const std::string& op_lines, long written) {
  return "op probe(exe: " + exe_type + ", mib: int) -> (out: file) {\n" + op_lines + "\n    run \"${exe} ${mib} 0.6 " +
         std::to_string(written) + " ${out}\"\n}\nworkflow main(exe: " + exe_type +
         ") -> (out: file) {\n    p = probe(exe = exe, mib = 200)\n    return (out = p.out)\n}\n";
}

// What every executor must have measured of it. `min_cpu`: the 0.6 s of
// the probe's own clock, less what the executor's counter may round away.
inline void check_probe_usage(const nlohmann::json& u, double min_cpu, long written, long mem_requested) {
  INFO(u.dump());
  CHECK(u["rss"].get<double>() >= 200.0 * 1024 * 1024);
  CHECK(u["user"].get<double>() + u["sys"].get<double>() >= min_cpu);
  CHECK(u["user"].get<double>() >= 0.3);  // mostly in user mode
  CHECK(u["written"].get<double>() >= written);
  CHECK(u["requested"]["mem"] == mem_requested);
}

}  // namespace flowc::test
