// Merged or per-rank output files (output.h).
#include "output.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>

#include "errors.h"
#include "input_share.h"

namespace flowc::table {

namespace {

std::string cannot_write(const std::string& path, int error) {
  return "cannot write `" + path + "`: " + std::strerror(error) + " (is its folder there and writable?)";
}

FileDescriptor open_for_writing(const std::string& path, bool truncate) {
  int flags = O_WRONLY | O_CREAT | O_CLOEXEC | (truncate ? O_TRUNC : 0);
  FileDescriptor fd(::open(path.c_str(), flags, 0644));
  if (fd.get() < 0) throw TableError(cannot_write(path, errno));
  return fd;
}

void close_written(FileDescriptor& fd, const std::string& path) {
  if (!fd.close()) throw TableError(cannot_write(path, errno));
}

}  // namespace

void Sink::flush() {
  size_t done = 0;
  while (done < buffer_.size()) {
    ssize_t n = ::pwrite(fd_, buffer_.data() + done, buffer_.size() - done, static_cast<off_t>(offset_));
    if (n < 0) {
      if (errno == EINTR) continue;
      throw TableError(cannot_write(path_, errno));
    }
    done += static_cast<size_t>(n);
    offset_ += static_cast<uint64_t>(n);
  }
  buffer_.clear();
}

std::string part_path(const std::string& dir, int rank) {
  char name[32];
  std::snprintf(name, sizeof name, "part-%05d.csv", rank);
  return (std::filesystem::path(dir) / name).string();
}

uint64_t write_output(const Comm& comm, const OutputTarget& target, std::string_view header, const Body& body) {
  std::string head = std::string(header) + "\n";
  if (!target.dir.empty()) {
    together(comm, [&] {
      if (comm.rank != 0) return;
      std::error_code ec;
      std::filesystem::create_directories(target.dir, ec);
      if (ec) throw TableError("cannot create the folder `" + target.dir + "`: " + ec.message());
    });
    uint64_t written = 0;
    together(comm, [&] {
      std::string path = part_path(target.dir, comm.rank);
      FileDescriptor fd = open_for_writing(path, true);
      Sink sink(fd.get(), 0, path);
      sink.write(head);
      body(sink);
      sink.flush();
      close_written(fd, path);
      written = sink.count();
    });
    return written;
  }

  // One file: sizes first, then every rank writes at its offset.
  Sink counter = Sink::counter();
  together(comm, [&] { body(counter); });
  uint64_t before = comm.exclusive_prefix_sum(counter.count());
  uint64_t total = comm.sum(counter.count());
  FileDescriptor fd;
  together(comm, [&] {
    if (comm.rank != 0) return;
    fd = open_for_writing(target.file, true);
    if (::ftruncate(fd.get(), static_cast<off_t>(head.size() + total)) != 0) {
      throw TableError(cannot_write(target.file, errno));
    }
    Sink sink(fd.get(), 0, target.file);
    sink.write(head);
    sink.flush();
  });
  uint64_t written = comm.rank == 0 ? head.size() : 0;
  together(comm, [&] {
    if (comm.rank != 0) fd = open_for_writing(target.file, false);
    Sink sink(fd.get(), head.size() + before, target.file);
    body(sink);
    sink.flush();
    close_written(fd, target.file);
    if (sink.count() != counter.count()) {
      throw TableError("internal error: rank " + std::to_string(comm.rank) + " wrote " + std::to_string(sink.count()) +
                       " bytes after counting " + std::to_string(counter.count()));
    }
    written += sink.count();
  });
  return written;
}

}  // namespace flowc::table
