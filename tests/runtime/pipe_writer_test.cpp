// The bridge's stdin writer: large message bodies go into the pipe by
// reference (vmsplice), so the message must outlive the reader's read.
// These tests read slowly while the writer keeps making and dropping
// messages: a body released too early would be overwritten by the next
// ones before the reader saw it.
#include <fcntl.h>
#include <signal.h>
#include <unistd.h>

#include <chrono>
#include <cstring>
#include <string>
#include <thread>
#include <vector>

#include <catch2/catch.hpp>

#include "runtime/streams/pipe_writer.h"

using flowc::runtime::streams::PipeWriter;

namespace {

// The bytes of message `i` of `size` bytes: recognisable at every offset.
char pattern(size_t i, size_t at) { return static_cast<char>((i * 131 + at * 7 + at / 4096) & 0xff); }

zmq::message_t message(size_t i, size_t size) {
  zmq::message_t msg(size);
  char* p = static_cast<char*>(msg.data());
  for (size_t at = 0; at < size; ++at) p[at] = pattern(i, at);
  return msg;
}

std::string read_all_slowly(int fd, std::chrono::microseconds pause) {
  std::string all;
  std::vector<char> chunk(48 << 10);  // smaller than a large message: it is read in pieces
  for (;;) {
    ssize_t r = ::read(fd, chunk.data(), chunk.size());
    if (r <= 0) break;
    all.append(chunk.data(), static_cast<size_t>(r));
    std::this_thread::sleep_for(pause);
  }
  return all;
}

}  // namespace

TEST_CASE("a pipe writer delivers small and large messages byte for byte to a slow reader", "[streams][pipe]") {
  int fds[2];
  REQUIRE(::pipe(fds) == 0);
  const std::vector<size_t> sizes = {
      5, PipeWriter::kByReference - 1, PipeWriter::kByReference, 1 << 20, 3, (1 << 20) + 4095, 200000, 1, 777777};
  std::string got;
  std::thread reader([&] { got = read_all_slowly(fds[0], std::chrono::microseconds(300)); });
  uint64_t total = 0;
  {
    PipeWriter pipe(fds[1]);
    for (int round = 0; round < 3; ++round) {
      for (size_t k = 0; k < sizes.size(); ++k) {
        size_t i = round * sizes.size() + k;
        char header[2] = {'<', static_cast<char>('a' + k)};
        REQUIRE(pipe.copy(header, 2));
        zmq::message_t msg = message(i, sizes[k]);
        REQUIRE(pipe.give(msg));  // msg is moved from or copied: either way ours to drop now
        total += 2 + sizes[k];
      }
    }
    pipe.drain();
    CHECK(pipe.written() == total);
  }
  ::close(fds[1]);
  reader.join();
  ::close(fds[0]);
  REQUIRE(got.size() == total);
  size_t at = 0;
  for (int round = 0; round < 3; ++round) {
    for (size_t k = 0; k < sizes.size(); ++k) {
      size_t i = round * sizes.size() + k;
      REQUIRE(got[at] == '<');
      REQUIRE(got[at + 1] == static_cast<char>('a' + k));
      at += 2;
      for (size_t b = 0; b < sizes[k]; ++b) {
        if (got[at + b] != pattern(i, b)) FAIL("message " << i << " of " << sizes[k] << " bytes differs at byte " << b);
      }
      at += sizes[k];
    }
  }
}

TEST_CASE("a pipe writer whose reader stops early reports it and does not wait", "[streams][pipe]") {
  // As in the bridge: writing to a pipe nobody reads is EPIPE, not a signal.
  struct IgnorePipe {
    void (*before)(int) = ::signal(SIGPIPE, SIG_IGN);
    ~IgnorePipe() { ::signal(SIGPIPE, before); }
  } ignore;
  int fds[2];
  REQUIRE(::pipe(fds) == 0);
  std::thread reader([&] {
    char some[1000];
    (void)!::read(fds[0], some, sizeof some);
    ::close(fds[0]);  // a command that stops reading
  });
  bool broken = false;
  {
    PipeWriter pipe(fds[1]);
    for (int i = 0; i < 64 && !broken; ++i) {
      zmq::message_t msg = message(i, 1 << 20);
      broken = !pipe.give(msg);
    }
    CHECK(pipe.broken());
    pipe.drain();  // returns: nobody will read the rest
  }
  CHECK(broken);
  reader.join();
  ::close(fds[1]);
}
