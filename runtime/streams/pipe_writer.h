// Writes a bridged stream to a command's stdin pipe with as few copies as
// the kernel allows: small pieces (frame headers, short messages) are
// gathered and written together; a large message body is handed to the
// pipe by reference (vmsplice), not copied into it, and the message is
// kept until the command has read past it (the pipe holds our pages, not
// a copy of them, so they must not change before then).
#pragma once

#include <cstddef>
#include <cstdint>
#include <deque>
#include <string>

#include <zmq.hpp>

namespace flowc::runtime::streams {

class PipeWriter {
 public:
  // Bodies from this size on are handed over by reference.
  static constexpr size_t kByReference = size_t{64} << 10;

  explicit PipeWriter(int fd) : fd_(fd) {}
  // Drains (see drain()) before the held messages are released.
  ~PipeWriter();
  PipeWriter(const PipeWriter&) = delete;
  PipeWriter& operator=(const PipeWriter&) = delete;

  // Appends bytes to be copied into the pipe. False once the reader is gone.
  bool copy(const void* data, size_t n);
  // Writes `msg`'s bytes after everything before it, by reference when it
  // is large (and copied otherwise, or where vmsplice is refused).
  bool give(zmq::message_t& msg);
  // Writes what copy() gathered.
  bool flush();
  // Flushes, then waits until the reader has read everything (or closed its
  // end): only then may the messages whose pages the pipe holds be freed.
  void drain();
  bool broken() const { return broken_; }
  // Bytes written to the pipe so far.
  uint64_t written() const { return written_; }

 private:
  bool write_all(const char* data, size_t n);
  // Releases the messages the reader has read past.
  void release_read();

  struct Held {
    uint64_t end;  // the stream offset just past the message
    zmq::message_t msg;
  };
  int fd_;
  std::string pending_;
  std::deque<Held> held_;
  uint64_t written_ = 0;
  bool broken_ = false;
  bool by_reference_ = true;  // until vmsplice is refused
};

}  // namespace flowc::runtime::streams
