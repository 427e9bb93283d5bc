// How an MPI task's command is started: the launcher in front of it and its
// flags. Executors build their commands with these; each launch is its own
// MPI job, so every task gets its own MPI_COMM_WORLD.
//
// Every rank runs the task's command (SPMD, as `mpirun -np N cmd` does); the
// launcher gathers all ranks' stdout and stderr into the task's files.
#pragma once

#include <string>
#include <vector>

namespace flowc::runtime {

// `mpirun -np N` on this machine (Open MPI): ranks may outnumber the cores
// (--oversubscribe; flowc's own accounting keeps the machine busy, not
// overloaded), are not pinned (--bind-to none: two MPI tasks side by side
// would otherwise share the same cores), and root may run them.
std::vector<std::string> mpirun_command(const std::string& mpirun, int ranks, bool as_root,
                                        const std::vector<std::string>& argv);

// `srun --mpi=pmix -n N` inside a Slurm allocation (Debian's Open MPI only
// speaks PMIx), with --kill-on-bad-exit: a rank that fails or crashes ends
// the step, as under mpirun (else the other ranks may wait for it forever).
// `overcommit`: more ranks than allocated CPUs (without it the step waits
// forever). `step_of_allocation`: a step among others in a pilot's
// allocation (--overlap: the pilot, not Slurm, shares the cores out).
std::vector<std::string> srun_command(int ranks, int cpus_per_rank, bool overcommit, bool step_of_allocation,
                                      const std::vector<std::string>& argv);

}  // namespace flowc::runtime
