// The stdin side of the stream bridge: gathered copies and vmsplice.
#include "runtime/streams/pipe_writer.h"

#include <fcntl.h>
#include <poll.h>
#include <sys/ioctl.h>
#include <sys/uio.h>
#include <unistd.h>

#include <cerrno>

namespace flowc::runtime::streams {
namespace {

// Gathered bytes are written once this many are waiting.
constexpr size_t kGather = size_t{128} << 10;

}  // namespace

PipeWriter::~PipeWriter() { drain(); }

bool PipeWriter::write_all(const char* data, size_t n) {
  while (n > 0 && !broken_) {
    ssize_t w = ::write(fd_, data, n);
    if (w < 0) {
      if (errno == EINTR) continue;
      broken_ = true;  // EPIPE: the command stopped reading
      break;
    }
    data += w;
    n -= static_cast<size_t>(w);
    written_ += static_cast<uint64_t>(w);
  }
  return !broken_;
}

bool PipeWriter::copy(const void* data, size_t n) {
  if (broken_) return false;
  pending_.append(static_cast<const char*>(data), n);
  return pending_.size() < kGather || flush();
}

bool PipeWriter::flush() {
  if (!broken_ && !pending_.empty()) write_all(pending_.data(), pending_.size());
  pending_.clear();
  if (!held_.empty()) release_read();
  return !broken_;
}

bool PipeWriter::give(zmq::message_t& msg) {
  if (broken_) return false;
  if (msg.size() < kByReference || !by_reference_) return copy(msg.data(), msg.size());
  if (!flush()) return false;
  // Held from the first byte handed over: the pipe refers to its pages.
  held_.push_back(Held{written_ + msg.size(), std::move(msg)});
  const char* data = static_cast<const char*>(held_.back().msg.data());
  size_t left = held_.back().msg.size();
  while (left > 0) {
    iovec piece{const_cast<char*>(data), left};
    ssize_t w = ::vmsplice(fd_, &piece, 1, 0);
    if (w < 0) {
      if (errno == EINTR) continue;
      if ((errno == EINVAL || errno == ENOSYS) && left == held_.back().msg.size()) {
        // Not a pipe, or no vmsplice here: copy this one and every later one.
        by_reference_ = false;
        zmq::message_t copy_of = std::move(held_.back().msg);
        held_.pop_back();
        return write_all(static_cast<const char*>(copy_of.data()), copy_of.size());
      }
      broken_ = true;
      return false;
    }
    data += w;
    left -= static_cast<size_t>(w);
    written_ += static_cast<uint64_t>(w);
    release_read();
  }
  return true;
}

void PipeWriter::release_read() {
  int unread = 0;
  if (::ioctl(fd_, FIONREAD, &unread) != 0) return;  // keep them: nothing is known
  uint64_t read = written_ - static_cast<uint64_t>(unread);
  while (!held_.empty() && held_.front().end <= read) held_.pop_front();
}

void PipeWriter::drain() {
  flush();
  while (!held_.empty()) {
    release_read();
    if (held_.empty()) break;
    // Waits a little, or less if the reader closes its end (POLLERR).
    pollfd p{fd_, 0, 0};
    if (::poll(&p, 1, 2) > 0 && (p.revents & (POLLERR | POLLHUP))) break;  // nobody will read the rest
  }
  held_.clear();
}

}  // namespace flowc::runtime::streams
