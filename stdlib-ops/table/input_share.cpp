// Reading one rank's share of a CSV file (input_share.h).
#include "input_share.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "errors.h"

namespace flowc::table {

FileDescriptor::~FileDescriptor() { close(); }

FileDescriptor& FileDescriptor::operator=(FileDescriptor&& other) noexcept {
  if (this != &other) {
    close();
    fd_ = other.fd_;
    other.fd_ = -1;
  }
  return *this;
}

bool FileDescriptor::close() {
  if (fd_ < 0) return true;
  int rc = ::close(fd_);
  fd_ = -1;
  return rc == 0;
}

namespace {

constexpr size_t kBlock = 64 * 1024;

std::string cannot_read(const std::string& path, int error) {
  return "cannot read `" + path + "`: " + std::strerror(error) + " (give the path of a readable CSV file)";
}

// Reads [begin, end) of the file into out; throws TableError.
void read_range(int fd, const std::string& path, uint64_t begin, uint64_t end, char* out) {
  uint64_t done = 0;
  while (begin + done < end) {
    size_t want = static_cast<size_t>(std::min<uint64_t>(end - begin - done, 1u << 30));
    ssize_t n = ::pread(fd, out + done, want, static_cast<off_t>(begin + done));
    if (n < 0) {
      if (errno == EINTR) continue;
      throw TableError(cannot_read(path, errno));
    }
    if (n == 0) throw TableError("`" + path + "` became shorter while it was read; was it being written?");
    done += static_cast<uint64_t>(n);
  }
}

// The offset just after the first '\n' at or after `from` (or `size`).
uint64_t after_next_newline(int fd, const std::string& path, uint64_t from, uint64_t size) {
  char buf[kBlock];
  while (from < size) {
    uint64_t end = std::min<uint64_t>(size, from + kBlock);
    read_range(fd, path, from, end, buf);
    if (const void* nl = std::memchr(buf, '\n', end - from)) {
      return from + static_cast<uint64_t>(static_cast<const char*>(nl) - buf) + 1;
    }
    from = end;
  }
  return size;
}

}  // namespace

Share read_share(const Comm& comm, const std::string& path, MemoryBudget& budget) {
  Share share;
  FileDescriptor file;
  uint64_t size = 0, start = 0;
  together(comm, [&] {
    file = FileDescriptor(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
    if (file.get() < 0) throw TableError(cannot_read(path, errno));
    struct stat st;
    if (::fstat(file.get(), &st) != 0) throw TableError(cannot_read(path, errno));
    if (S_ISDIR(st.st_mode)) throw TableError("cannot read `" + path + "`: it is a directory, not a CSV file");
    size = static_cast<uint64_t>(st.st_size);
    if (size == 0) throw TableError("`" + path + "` is empty: a table needs at least its header line");
    uint64_t data = after_next_newline(file.get(), path, 0, size);
    std::string header(data, '\0');
    read_range(file.get(), path, 0, data, header.data());
    if (!header.empty() && header.back() == '\n') header.pop_back();
    share.header = parse_header(header, path);
    // The data region is cut into equal byte ranges; each rank starts at the
    // first line that starts in its range.
    uint64_t nominal = data + (size - data) * static_cast<uint64_t>(comm.rank) / static_cast<uint64_t>(comm.size);
    start = nominal == data ? data : after_next_newline(file.get(), path, nominal - 1, size);
  });
  std::vector<uint64_t> starts = comm.all_gather(start);
  uint64_t end = comm.rank + 1 < comm.size ? starts[comm.rank + 1] : size;
  if (end < start) end = start;
  together(comm, [&] {
    share.rows.bytes_held =
        Reservation(budget, end - start,
                    "its share of `" + path + "` (" + human_bytes(end - start) + " of " + human_bytes(size) + ")");
    share.rows.bytes = ByteBuffer(end - start);
    read_range(file.get(), path, start, end, share.rows.bytes.data());
  });
  share.file_bytes = size;
  uint64_t before = comm.exclusive_prefix_sum(count_lines(share.rows.bytes));
  share.first_line = 2 + before;  // line 1 is the header
  return share;
}

}  // namespace flowc::table
