// Each rank reads its own share of a table: the data after the header is cut
// into equal byte ranges, each moved forward to the next line start, so every
// line is read by exactly one rank and no rank reads the whole file.
#pragma once

#include <string>

#include "comm.h"
#include "csv.h"
#include "memory_budget.h"
#include "rows.h"

namespace flowc::table {

// An open file, closed when the object goes.
class FileDescriptor {
 public:
  FileDescriptor() = default;
  explicit FileDescriptor(int fd) : fd_(fd) {}
  ~FileDescriptor();
  FileDescriptor(FileDescriptor&& other) noexcept : fd_(other.fd_) { other.fd_ = -1; }
  FileDescriptor& operator=(FileDescriptor&& other) noexcept;
  FileDescriptor(const FileDescriptor&) = delete;
  FileDescriptor& operator=(const FileDescriptor&) = delete;
  int get() const { return fd_; }
  // Closes now, reporting a failed close (a write that did not land).
  bool close();

 private:
  int fd_ = -1;
};

struct Share {
  Header header;
  Rows rows;                // this rank's lines (not indexed yet)
  uint64_t first_line = 0;  // the file's line number of the first of them
  uint64_t file_bytes = 0;
};

// Collective. Reads the header and this rank's lines of `path`; their bytes
// count against `budget`. Errors (unreadable, empty, not a file, a bad
// header) stop every rank with the message printed once.
Share read_share(const Comm& comm, const std::string& path, MemoryBudget& budget);

}  // namespace flowc::table
