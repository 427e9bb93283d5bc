// What /proc says about other processes: when one started (to tell it from
// a later process that got the same pid), which processes are in a process
// group, and whether one carries a given environment entry. Used to stop
// what a killed flowc left running, and to name a lock's holder.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <string>
#include <vector>

namespace flowc::runtime {

// The start time of a process in clock ticks since boot; 0 if it does not
// exist (or is a zombie: it runs nothing any more).
int64_t process_start(pid_t pid);

// The clock process_start() is read in, now: clock ticks since boot
// (CLOCK_BOOTTIME, which the kernel stamps a new process with). A process
// made between two readings that agree started in that tick, so its start
// is known without reading /proc (runtime/executors/local).
int64_t boot_ticks_now();

// The same in seconds since the epoch; 0 if unknown.
double process_start_seconds(pid_t pid);

// The living (not zombie) members of process group `pgid`.
std::vector<pid_t> process_group_members(pid_t pgid);

// Whether `entry` ("NAME=value") is in the process's environment (readable
// for our own processes only).
bool process_has_env(pid_t pid, const std::string& entry);

// The living processes (not this one) with `entry` in their environment
// that are not session leaders (a daemon that called setsid() is its own
// business).
std::vector<pid_t> processes_with_env(const std::string& entry);

}  // namespace flowc::runtime
