// Running flowc-table under mpirun from the tests, with the flags flowc's
// own MPI launcher uses on this machine (runtime/mpi/): ranks may outnumber
// the cores, are not pinned, and root may run them.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "tests/support/test_support.h"

namespace flowc::test::table {

// `flowc-table ARGS` as `ranks` MPI ranks, in `cwd`.
CommandResult run_table(int ranks, const std::vector<std::string>& args, const std::string& cwd);

// A scratch folder, removed at the end.
struct Scratch {
  std::filesystem::path dir;
  explicit Scratch(const std::string& name);
  ~Scratch();
  Scratch(const Scratch&) = delete;
  Scratch& operator=(const Scratch&) = delete;
  std::string path(const std::string& name) const { return (dir / name).string(); }
  std::string write(const std::string& name, const std::string& text) const;
  std::string read(const std::string& name) const { return read_file(path(name)); }
};

}  // namespace flowc::test::table
