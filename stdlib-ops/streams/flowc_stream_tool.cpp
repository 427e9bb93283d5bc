// flowc-stream-tool: a native stream command (flowc_stream.hpp), and the
// raw ZeroMQ loopback that bench/stream compares flowc with.
//
//   flowc-stream-tool emit  COUNT SIZE          native: sends COUNT messages of SIZE bytes on port `out`
//   flowc-stream-tool emit  COUNT SIZE --stdio  the same as bytes frames on stdout (for a bridged op)
//   flowc-stream-tool relay                     native: `frames` → `out`, each message passed on
//   flowc-stream-tool sink  SUMMARY             native: reads `frames`, writes a summary (JSON) to SUMMARY
//   flowc-stream-tool sink  SUMMARY --stdio     the same, reading bytes frames on stdin
//   flowc-stream-tool reduce                    native: each message of `frames` → 16 bytes on `out`
//                                               (its sequence number and the sum of its bytes)
//   flowc-stream-tool raw-push ENDPOINT COUNT SIZE   plain PUSH (connects), then an END,
//                                                    and waits for the PULL's ACK (as flowc's
//                                                    streams do: see flowc_stream.hpp), taken on
//                                                    FLOWC_STREAM_HOST (default 127.0.0.1)
//   flowc-stream-tool raw-pull ENDPOINT SUMMARY      plain PULL (binds), until the END
//
// The same work through files, for bench/stream's file-based workflow:
//   flowc-stream-tool write-files DIR COUNT SIZE       COUNT files of SIZE bytes
//   flowc-stream-tool reduce-files DIR K N OUT         files K, K+N, K+2N... → OUT, 16 bytes each
//   flowc-stream-tool sink-files SUMMARY FILE...       the reduced files, summarised
//
// A summary: {"messages": n, "bytes": b, "checksum": c, "seconds": first → last
// message, "mb_per_s": ..., "messages_per_s": ...}. Each message starts with
// its sequence number (8 bytes, when SIZE allows), so the checksum proves
// every message arrived once.
#include <sys/uio.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <iostream>
#include <string>
#include <string_view>
#include <vector>

#include "flowc_stream.hpp"

namespace {

using Clock = std::chrono::steady_clock;

struct Summary {
  uint64_t messages = 0, bytes = 0, checksum = 0;
  Clock::time_point first, last;
  void add(const void* data, size_t size) {
    if (messages == 0) first = Clock::now();
    ++messages;
    bytes += size;
    uint64_t seq = 0;
    if (size >= 8) std::memcpy(&seq, data, 8);
    checksum += seq * 2654435761u + size;
    last = Clock::now();
  }
  void write(const std::string& path) const {
    double s = messages > 1 ? std::chrono::duration<double>(last - first).count() : 0;
    FILE* f = std::fopen(path.c_str(), "w");
    if (!f) throw std::runtime_error("cannot write " + path);
    std::fprintf(f,
                 "{\"messages\": %llu, \"bytes\": %llu, \"checksum\": %llu, \"seconds\": %.6f, \"mb_per_s\": %.3f, "
                 "\"messages_per_s\": %.1f}\n",
                 (unsigned long long)messages, (unsigned long long)bytes, (unsigned long long)checksum, s,
                 s > 0 ? bytes / s / 1e6 : 0.0, s > 0 ? messages / s : 0.0);
    std::fclose(f);
  }
};

void fill(std::vector<char>& buf, uint64_t seq) {
  if (buf.size() >= 8) std::memcpy(buf.data(), &seq, 8);
}

// A frame reduced to 16 bytes: its sequence number and the sum of its bytes.
void reduce_frame(const void* data, size_t size, char out[16]) {
  uint64_t seq = 0, sum = 0;
  if (size >= 8) std::memcpy(&seq, data, 8);
  const unsigned char* p = static_cast<const unsigned char*>(data);
  for (size_t i = 0; i < size; ++i) sum += p[i];
  std::memcpy(out, &seq, 8);
  std::memcpy(out + 8, &sum, 8);
}

// Frames of a stream[bytes] on a file descriptor (a 4-byte big-endian
// length, then the bytes), written and read through one 64 KiB buffer with
// plain write(2)/read(2): the framing costs a copy, not a locked stdio call
// per header and per body (which cost this tool more than the bridge it
// measures).
class FrameWriter {
 public:
  explicit FrameWriter(int fd) : fd_(fd) { buf_.reserve(kSize); }
  bool write(const char* data, size_t size) {
    uint32_t len = static_cast<uint32_t>(size);
    const char header[4] = {char(len >> 24), char(len >> 16), char(len >> 8), char(len)};
    if (buf_.size() + 4 + size > kSize && !flush()) return false;
    if (size >= kSize) {
      // A large frame goes out in one writev(2), not through the buffer.
      iovec pieces[2] = {{const_cast<char*>(header), 4}, {const_cast<char*>(data), size}};
      ssize_t w;
      while ((w = ::writev(fd_, pieces, 2)) < 0 && errno == EINTR) {
      }
      if (w < 0) return false;
      size_t done = static_cast<size_t>(w);
      if (done < 4) return write_all(header + done, 4 - done) && write_all(data, size);
      return write_all(data + (done - 4), size - (done - 4));
    }
    buf_.append(header, 4);
    buf_.append(data, size);
    return true;
  }
  bool flush() {
    bool ok = write_all(buf_.data(), buf_.size());
    buf_.clear();
    return ok;
  }

 private:
  static constexpr size_t kSize = size_t{1} << 16;
  bool write_all(const char* data, size_t n) {
    while (n > 0) {
      ssize_t w = ::write(fd_, data, n);
      if (w < 0 && errno == EINTR) continue;
      if (w <= 0) return false;
      data += w;
      n -= static_cast<size_t>(w);
    }
    return true;
  }
  int fd_;
  std::string buf_;
};

class FrameReader {
 public:
  explicit FrameReader(int fd) : fd_(fd) {}
  // The next frame (valid until the next call), or false at the end of the
  // input. Throws on a frame cut short.
  bool next(std::string_view& frame) {
    if (!fill(4)) {
      if (end_ == pos_) return false;
      throw std::runtime_error("truncated frame header");
    }
    const auto* h = reinterpret_cast<const unsigned char*>(buf_.data() + pos_);
    size_t len = (size_t(h[0]) << 24) | (size_t(h[1]) << 16) | (size_t(h[2]) << 8) | h[3];
    pos_ += 4;
    if (len > buf_.size() / 2) {
      // A large frame is read straight into its own buffer, not through this one.
      big_.resize(len);
      size_t have = std::min(len, end_ - pos_);
      std::memcpy(big_.data(), buf_.data() + pos_, have);
      pos_ += have;
      while (have < len) {
        ssize_t r = ::read(fd_, big_.data() + have, len - have);
        if (r < 0 && errno == EINTR) continue;
        if (r <= 0) throw std::runtime_error("truncated frame");
        have += static_cast<size_t>(r);
      }
      frame = std::string_view(big_.data(), len);
      return true;
    }
    if (!fill(len)) throw std::runtime_error("truncated frame");
    frame = std::string_view(buf_.data() + pos_, len);
    pos_ += len;
    return true;
  }

 private:
  // Makes n bytes from pos_ available; false at the end of the input.
  bool fill(size_t n) {
    if (end_ - pos_ >= n) return true;
    std::memmove(buf_.data(), buf_.data() + pos_, end_ - pos_);
    end_ -= pos_;
    pos_ = 0;
    while (end_ < n) {
      ssize_t r = ::read(fd_, buf_.data() + end_, buf_.size() - end_);
      if (r < 0 && errno == EINTR) continue;
      if (r <= 0) return false;
      end_ += static_cast<size_t>(r);
    }
    return true;
  }
  int fd_;
  std::vector<char> buf_ = std::vector<char>(size_t{1} << 16);
  std::vector<char> big_;
  size_t pos_ = 0, end_ = 0;
};

std::string read_whole(const std::string& path) {
  FILE* f = std::fopen(path.c_str(), "rb");
  if (!f) throw std::runtime_error("cannot read " + path);
  std::string out;
  char buf[1 << 16];
  for (size_t n; (n = std::fread(buf, 1, sizeof buf, f)) > 0;) out.append(buf, n);
  std::fclose(f);
  return out;
}

int usage() {
  std::cerr << "usage: flowc-stream-tool emit COUNT SIZE [--stdio] | relay | sink SUMMARY [--stdio] |\n"
               "       raw-push ENDPOINT COUNT SIZE | raw-pull ENDPOINT SUMMARY\n";
  return 2;
}

}  // namespace

int main(int argc, char** argv) {
  std::vector<std::string> args(argv + 1, argv + argc);
  bool stdio = !args.empty() && args.back() == "--stdio";
  if (stdio) args.pop_back();
  if (args.empty()) return usage();
  const std::string& mode = args[0];
  try {
    zmq::context_t ctx(1);
    if (mode == "emit" && args.size() == 3) {
      uint64_t count = std::stoull(args[1]);
      std::vector<char> buf(std::stoull(args[2]), 'x');
      if (stdio) {
        FrameWriter frames(1);
        for (uint64_t i = 0; i < count; ++i) {
          fill(buf, i);
          if (!frames.write(buf.data(), buf.size())) return 1;
        }
        return frames.flush() ? 0 : 1;
      }
      auto out = flowc_stream::Output::from_env(ctx, "out");
      for (uint64_t i = 0; i < count; ++i) {
        fill(buf, i);
        out.send(buf.data(), buf.size());
      }
      out.close();
      return 0;
    }
    if (mode == "relay" && args.size() == 1) {
      auto in = flowc_stream::Input::from_env(ctx, "frames");
      auto out = flowc_stream::Output::from_env(ctx, "out");
      zmq::message_t msg;
      while (in.next(msg)) out.send(msg);
      out.close();
      return 0;
    }
    if (mode == "sink" && args.size() == 2) {
      Summary s;
      if (stdio) {
        FrameReader frames(0);
        std::string_view frame;
        while (frames.next(frame)) s.add(frame.data(), frame.size());
      } else {
        auto in = flowc_stream::Input::from_env(ctx, "frames");
        zmq::message_t msg;
        while (in.next(msg)) s.add(msg.data(), msg.size());
      }
      s.write(args[1]);
      return 0;
    }
    if (mode == "reduce" && args.size() == 1) {
      auto in = flowc_stream::Input::from_env(ctx, "frames");
      auto out = flowc_stream::Output::from_env(ctx, "out");
      zmq::message_t msg;
      char reduced[16];
      while (in.next(msg)) {
        reduce_frame(msg.data(), msg.size(), reduced);
        out.send(reduced, sizeof reduced);
      }
      out.close();
      return 0;
    }
    if (mode == "write-files" && args.size() == 4) {
      uint64_t count = std::stoull(args[2]);
      std::vector<char> buf(std::stoull(args[3]), 'x');
      for (uint64_t i = 0; i < count; ++i) {
        fill(buf, i);
        std::string path = args[1] + "/frame_" + std::to_string(i);
        FILE* f = std::fopen(path.c_str(), "wb");
        if (!f || std::fwrite(buf.data(), 1, buf.size(), f) != buf.size() || std::fclose(f) != 0) {
          throw std::runtime_error("cannot write " + path);
        }
      }
      return 0;
    }
    if (mode == "reduce-files" && args.size() == 5) {
      uint64_t k = std::stoull(args[2]), n = std::stoull(args[3]);
      FILE* out = std::fopen(args[4].c_str(), "wb");
      if (!out) throw std::runtime_error("cannot write " + args[4]);
      for (uint64_t i = k;; i += n) {
        std::string path = args[1] + "/frame_" + std::to_string(i);
        if (::access(path.c_str(), R_OK) != 0) break;
        std::string frame = read_whole(path);
        char reduced[16];
        reduce_frame(frame.data(), frame.size(), reduced);
        std::fwrite(reduced, 1, sizeof reduced, out);
      }
      std::fclose(out);
      return 0;
    }
    if (mode == "sink-files" && args.size() >= 2) {
      Summary s;
      for (size_t a = 2; a < args.size(); ++a) {
        std::string data = read_whole(args[a]);
        for (size_t off = 0; off + 16 <= data.size(); off += 16) s.add(data.data() + off, 16);
      }
      s.write(args[1]);
      return 0;
    }
    if (mode == "raw-push" && args.size() == 4) {
      zmq::socket_t push(ctx, zmq::socket_type::push);
      push.set(zmq::sockopt::sndhwm, flowc_stream::default_hwm());
      push.set(zmq::sockopt::linger, -1);
      push.connect(args[1]);
      zmq::socket_t ack(ctx, zmq::socket_type::pull);
      // The consumer acknowledges at FLOWC_STREAM_HOST (this node's address,
      // for a consumer on another node), as flowc_stream.hpp's outputs do.
      const char* host = std::getenv("FLOWC_STREAM_HOST");
      ack.bind(args[1].rfind("ipc://", 0) == 0 ? args[1] + ".ack"
                                               : "tcp://" + std::string(host && *host ? host : "127.0.0.1") + ":*");
      std::string ack_endpoint = ack.get(zmq::sockopt::last_endpoint);
      uint64_t count = std::stoull(args[2]);
      std::vector<char> buf(std::stoull(args[3]), 'x');
      for (uint64_t i = 0; i < count; ++i) {
        fill(buf, i);
        push.send(zmq::message_t(buf.data(), buf.size()), zmq::send_flags::none);
      }
      push.send(zmq::message_t(), zmq::send_flags::sndmore);
      push.send(zmq::buffer(ack_endpoint), zmq::send_flags::none);
      zmq::message_t done;
      (void)ack.recv(done, zmq::recv_flags::none);
      return 0;
    }
    if (mode == "raw-pull" && args.size() == 3) {
      zmq::socket_t pull(ctx, zmq::socket_type::pull);
      pull.set(zmq::sockopt::rcvhwm, flowc_stream::default_hwm());
      pull.bind(args[1]);
      Summary s;
      zmq::message_t msg;
      for (;;) {
        (void)pull.recv(msg, zmq::recv_flags::none);
        if (msg.more()) break;
        s.add(msg.data(), msg.size());
      }
      zmq::message_t ack_endpoint;
      (void)pull.recv(ack_endpoint, zmq::recv_flags::none);
      zmq::socket_t ack(ctx, zmq::socket_type::push);
      ack.set(zmq::sockopt::linger, 10000);
      ack.connect(ack_endpoint.to_string());
      ack.send(zmq::str_buffer("ACK"), zmq::send_flags::none);
      s.write(args[2]);
      return 0;
    }
  } catch (const std::exception& e) {
    std::cerr << "flowc-stream-tool " << mode << ": " << e.what() << "\n";
    return 1;
  }
  return usage();
}
