// Local pipes between two bridges: the named pipes, and the forwarder that
// counts messages while the bytes pass through.
#include "runtime/streams/local_pipe.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <functional>
#include <thread>

#include <fmt/format.h>

namespace flowc::runtime::streams {
namespace {

constexpr size_t kBuffer = size_t{64} << 10;
// Bodies with at least this much still to come are spliced, not read.
constexpr uint64_t kSplice = uint64_t{64} << 10;

class Forwarder {
 public:
  Forwarder(int from, int to, bool frames, bool discard) : from_(from), to_(to), frames_(frames), discard_(discard) {}

  Forwarded run() {
    for (;;) {
      if (pos_ == have_) {
        if (!write_pending()) return std::move(f_);
        if (frames_ && body_left_ >= kSplice && !f_.broken) {
          if (!splice_body()) return std::move(f_);
          if (ended_) break;
          continue;
        }
        ssize_t r = ::read(from_, buf_.data(), buf_.size());
        if (r < 0 && errno == EINTR) continue;
        if (r <= 0) break;
        have_ = static_cast<size_t>(r);
        pos_ = start_ = 0;
      }
      if (frames_) {
        take_frames();
      } else {
        take_lines();
      }
    }
    finish();
    return std::move(f_);
  }

 private:
  // Frames: the rest of a body, then headers and bodies.
  void take_frames() {
    while (pos_ < have_) {
      if (body_left_ > 0) {
        size_t take = static_cast<size_t>(std::min<uint64_t>(body_left_, have_ - pos_));
        pos_ += take;
        read_total_ += take;
        body_left_ -= take;
        if (body_left_ == 0) message_ended();
        continue;
      }
      header_[header_have_++] = static_cast<unsigned char>(buf_[pos_++]);
      ++read_total_;
      if (header_have_ < 4) continue;
      header_have_ = 0;
      uint32_t len =
          (uint32_t(header_[0]) << 24) | (uint32_t(header_[1]) << 16) | (uint32_t(header_[2]) << 8) | header_[3];
      f_.bytes += len;
      frame_len_ = len;
      body_left_ = len;
      if (len == 0) message_ended();
    }
  }

  // Lines: every newline ends one.
  void take_lines() {
    const char* base = buf_.data();
    while (pos_ < have_) {
      const void* nl = std::memchr(base + pos_, '\n', have_ - pos_);
      size_t end = nl ? static_cast<size_t>(static_cast<const char*>(nl) - base) + 1 : have_;
      size_t n = end - pos_;
      read_total_ += n;
      pos_ = end;
      if (nl) {
        f_.bytes += line_len_ + n - 1;
        line_len_ = 0;
        message_ended();
      } else {
        line_len_ += n;
      }
    }
  }

  void message_ended() {
    ++f_.messages;
    if (f_.broken) return;
    ends_.push_back(read_total_);
  }

  // Writes what was read and not yet written; false when the caller must
  // return (the reader went away and nothing is to be discarded).
  bool write_pending() {
    if (start_ == pos_) return true;
    if (!f_.broken) write_all(buf_.data() + start_, pos_ - start_);
    start_ = pos_;
    return !f_.broken || discard_;
  }

  void write_all(const char* data, size_t n) {
    while (n > 0) {
      ssize_t w = ::write(to_, data, n);
      if (w < 0 && errno == EINTR) continue;
      if (w < 0) {
        broke();
        return;
      }
      data += w;
      n -= static_cast<size_t>(w);
      written_total_ += static_cast<uint64_t>(w);
    }
    settle();
  }

  // Messages whose last byte has been written are delivered.
  void settle() {
    size_t done = 0;
    while (done < ends_.size() && ends_[done] <= written_total_) ++done;
    f_.delivered += done;
    ends_.erase(ends_.begin(), ends_.begin() + static_cast<std::ptrdiff_t>(done));
  }

  void broke() {
    settle();
    ends_.clear();
    f_.broken = true;
  }

  // The rest of a large body, from pipe to pipe without passing through us.
  bool splice_body() {
    while (body_left_ > 0) {
      ssize_t w = ::splice(from_, nullptr, to_, nullptr, static_cast<size_t>(std::min<uint64_t>(body_left_, 1 << 30)),
                           SPLICE_F_MOVE);
      if (w < 0 && errno == EINTR) continue;
      if (w < 0 && errno == EINVAL) return copy_body();  // not pipes after all
      if (w < 0) {
        broke();
        return discard_;  // the rest is read (and dropped) by the loop
      }
      if (w == 0) {
        ended_ = true;  // inside the body: finish() says so
        return true;
      }
      body_left_ -= static_cast<uint64_t>(w);
      read_total_ += static_cast<uint64_t>(w);
      written_total_ += static_cast<uint64_t>(w);
    }
    message_ended();
    settle();
    return true;
  }

  // A body through the buffer, where splice is refused.
  bool copy_body() {
    while (body_left_ > 0) {
      ssize_t r = ::read(from_, buf_.data(), static_cast<size_t>(std::min<uint64_t>(body_left_, buf_.size())));
      if (r < 0 && errno == EINTR) continue;
      if (r <= 0) {
        ended_ = true;
        return true;
      }
      body_left_ -= static_cast<uint64_t>(r);
      read_total_ += static_cast<uint64_t>(r);
      if (!f_.broken) write_all(buf_.data(), static_cast<size_t>(r));
      if (f_.broken && !discard_) return false;
    }
    message_ended();
    settle();
    return true;
  }

  void finish() {
    if (frames_ && header_have_ > 0) {
      f_.error = fmt::format("its output ended inside a frame header ({} of 4 bytes)", header_have_);
    } else if (frames_ && body_left_ > 0) {
      f_.error = fmt::format(
          "its output ended {} bytes into a frame of {} (a stream[bytes] is written as frames: a 4-byte big-endian "
          "length, then that many bytes)",
          frame_len_ - body_left_, frame_len_);
    } else if (!frames_ && line_len_ > 0) {
      // The last line, without its newline: given one, as a message.
      f_.bytes += line_len_;
      line_len_ = 0;
      ++read_total_;
      message_ended();
      if (!f_.broken) write_all("\n", 1);
    }
  }

  int from_, to_;
  bool frames_, discard_;
  Forwarded f_;
  std::vector<char> buf_ = std::vector<char>(kBuffer);
  size_t have_ = 0, pos_ = 0, start_ = 0;  // read into buf_; parsed up to pos_; written up to start_
  uint64_t read_total_ = 0, written_total_ = 0;
  std::vector<uint64_t> ends_;  // stream offsets just past each message read but not yet written
  unsigned char header_[4] = {};
  size_t header_have_ = 0;
  uint64_t body_left_ = 0, frame_len_ = 0;
  uint64_t line_len_ = 0;  // of the line read so far
  bool ended_ = false;     // `from` ended while a body was spliced
};

bool open_for_writing(const std::string& path, std::chrono::steady_clock::time_point deadline, int* fd,
                      std::string* error) {
  for (;;) {
    // Non-blocking: ENXIO until the consumer's bridge has it open for reading.
    *fd = ::open(path.c_str(), O_WRONLY | O_NONBLOCK | O_CLOEXEC);
    if (*fd >= 0) break;
    if (errno != ENXIO && errno != EINTR) {
      *error = fmt::format("cannot open the stream's pipe `{}`: {}", path, std::strerror(errno));
      return false;
    }
    if (std::chrono::steady_clock::now() > deadline) {
      *error = fmt::format(
          "the consumer did not open the stream's pipe `{}` in time; did it start? (its own log "
          "says why)",
          path);
      return false;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
  ::fcntl(*fd, F_SETFL, ::fcntl(*fd, F_GETFL) & ~O_NONBLOCK);
  return true;
}

}  // namespace

LocalPipePaths local_pipe_paths(const std::string& ipc_dir, const std::string& key) {
  return local_pipe_paths(fmt::format("{}/{:016x}.pipe", ipc_dir, std::hash<std::string>{}(key)));
}

LocalPipePaths local_pipe_paths(const std::string& data) {
  std::string base = data.size() > 5 && data.ends_with(".pipe") ? data.substr(0, data.size() - 5) : data;
  return {data, base + ".end"};
}

std::string make_local_pipe(const LocalPipePaths& paths) {
  for (const std::string* p : {&paths.data, &paths.end}) {
    ::unlink(p->c_str());  // of an earlier attempt
    if (::mkfifo(p->c_str(), 0600) != 0) {
      return fmt::format("cannot make the stream's pipe `{}`: {}", *p, std::strerror(errno));
    }
  }
  return "";
}

bool open_local_pipe_for_writing(const LocalPipePaths& paths, int timeout_ms, int* end_fd, int* data_fd,
                                 std::string* error) {
  auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
  *end_fd = *data_fd = -1;
  if (!open_for_writing(paths.end, deadline, end_fd, error)) return false;
  if (open_for_writing(paths.data, deadline, data_fd, error)) return true;
  ::close(*end_fd);
  *end_fd = -1;
  return false;
}

Forwarded forward_messages(int from, int to, bool frames, bool discard_when_broken) {
  return Forwarder(from, to, frames, discard_when_broken).run();
}

std::string end_record(const Forwarded& f) { return fmt::format("{} {}\n", f.messages, f.bytes); }

bool ended_well(const std::string& record, const Forwarded& f) { return f.error.empty() && record == end_record(f); }

}  // namespace flowc::runtime::streams
