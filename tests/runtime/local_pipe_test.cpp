// The forwarder of a local pipe (runtime/streams/local_pipe.h), between
// real pipes: every message counted as it passes, large bodies spliced and
// small ones through the buffer arriving byte for byte, a reader that goes
// away counted as what was not delivered, and a stream cut inside a
// message named.
#include <fcntl.h>
#include <signal.h>
#include <unistd.h>

#include <string>
#include <thread>

#include <catch2/catch.hpp>

#include "runtime/streams/local_pipe.h"

using namespace flowc::runtime::streams;

namespace {

std::string frame(const std::string& body) {
  uint32_t n = static_cast<uint32_t>(body.size());
  return std::string{char(n >> 24), char(n >> 16), char(n >> 8), char(n)} + body;
}

struct Pipe {
  int r = -1, w = -1;
  Pipe() {
    int fds[2];
    REQUIRE(::pipe2(fds, O_CLOEXEC) == 0);
    r = fds[0];
    w = fds[1];
  }
  ~Pipe() {
    close_read();
    close_write();
  }
  void close_read() {
    if (r >= 0) ::close(r);
    r = -1;
  }
  void close_write() {
    if (w >= 0) ::close(w);
    w = -1;
  }
};

// Writes `input` into one pipe from a thread, forwards it to another, and
// reads what comes out: what forward_messages reports and the bytes.
std::pair<Forwarded, std::string> through(const std::string& input, bool frames) {
  Pipe in, out;
  std::thread writer([&] {
    for (size_t at = 0; at < input.size();) {
      ssize_t w = ::write(in.w, input.data() + at, std::min<size_t>(input.size() - at, 100000));
      if (w <= 0) break;
      at += static_cast<size_t>(w);
    }
    in.close_write();
  });
  std::string got;
  std::thread reader([&] {
    char buf[65536];
    for (ssize_t r; (r = ::read(out.r, buf, sizeof buf)) > 0;) got.append(buf, static_cast<size_t>(r));
  });
  Forwarded f = forward_messages(in.r, out.w, frames, true);
  out.close_write();
  writer.join();
  reader.join();
  return {f, got};
}

}  // namespace

TEST_CASE("a local pipe passes frames byte for byte, large bodies spliced, and counts them", "[streams][pipe]") {
  std::string big(3 << 20, '\0');
  for (size_t i = 0; i < big.size(); ++i) big[i] = static_cast<char>(i * 7 + i / 4096);
  std::string input = frame("hello") + frame("") + frame(big) + frame(std::string(70000, 'y')) + frame("z");
  for (int i = 0; i < 2000; ++i) input += frame(std::to_string(i));
  auto [f, got] = through(input, true);
  CHECK(got == input);
  CHECK(f.messages == 2005);
  CHECK(f.delivered == 2005);
  CHECK(f.bytes == 5 + big.size() + 70000 + 1 + [] {
    size_t n = 0;
    for (int i = 0; i < 2000; ++i) n += std::to_string(i).size();
    return n;
  }());
  CHECK(f.error.empty());
  CHECK_FALSE(f.broken);
  CHECK(ended_well(end_record(f), f));
}

TEST_CASE("a local pipe of lines counts each, and ends the last one", "[streams][pipe]") {
  auto [f, got] = through("a\n\n" + std::string(200000, 'x') + "\nlast", false);
  CHECK(got == "a\n\n" + std::string(200000, 'x') + "\nlast\n");
  CHECK(f.messages == 4);
  CHECK(f.bytes == 1 + 0 + 200000 + 4);
}

TEST_CASE("a stream cut inside a frame is named, and its counts do not pass for the producer's", "[streams][pipe]") {
  auto [f, got] = through(frame("ok") + frame(std::string(100000, 'q')).substr(0, 70004), true);
  CHECK(f.error ==
        "its output ended 70000 bytes into a frame of 100000 (a stream[bytes] is written as frames: a "
        "4-byte big-endian length, then that many bytes)");
  CHECK(f.messages == 1);
  auto [h, header_only] = through(frame("ok") + std::string("\0\0", 2), true);
  CHECK(h.error == "its output ended inside a frame header (2 of 4 bytes)");
  // What the consumer's bridge compares with the producer's `.end`.
  Forwarded sent = f;
  sent.messages = 2;
  CHECK_FALSE(ended_well(end_record(sent), f));
  CHECK_FALSE(ended_well("", f));
}

TEST_CASE("a local pipe whose reader goes away reads on, counting what it did not deliver", "[streams][pipe]") {
  ::signal(SIGPIPE, SIG_IGN);  // as the bridge does
  Pipe in, out;
  std::string input;
  for (int i = 0; i < 5000; ++i) input += frame(std::string(1000, 'm'));
  input += frame(std::string(1 << 20, 'L'));  // spliced, into a pipe with no reader
  std::thread writer([&] {
    for (size_t at = 0; at < input.size();) {
      ssize_t w = ::write(in.w, input.data() + at, input.size() - at);
      if (w <= 0) break;
      at += static_cast<size_t>(w);
    }
    in.close_write();
  });
  Forwarded f;
  std::thread forwarder([&] { f = forward_messages(in.r, out.w, true, true); });
  char buf[3000];
  REQUIRE(::read(out.r, buf, sizeof buf) > 0);  // it reads a little, then leaves
  out.close_read();
  forwarder.join();
  writer.join();
  CHECK(f.broken);
  CHECK(f.messages == 5001);
  CHECK(f.delivered >= 2);
  CHECK(f.delivered < 5001);
  CHECK(f.error.empty());
}
