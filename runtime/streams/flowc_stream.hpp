// flowc_stream.hpp: speak flowc's stream protocol natively (header-only,
// needs cppzmq: `#include <zmq.hpp>`, link -lzmq).
//
// An op whose command says `streams "native"` gets its endpoints in the
// environment instead of stdin/stdout:
//
//   FLOWC_STREAM_IN_<port>   "<endpoint> <producers>": bind a PULL socket
//                            there; the stream ends after <producers> END
//                            messages
//   FLOWC_STREAM_FD_<port>   with a tcp endpoint: a socket already listening
//                            at it, made by flowc (so the port cannot be
//                            taken meanwhile): bind with ZMQ_USE_FD set to it
//   FLOWC_STREAM_HOST        with tcp: this node's address, where outputs
//                            take their consumers' acknowledgements
//   FLOWC_STREAM_OUT_<port>  "ep,ep;ep": connect one PUSH socket to each;
//                            `;` separates consumer groups (each gets every
//                            message), `,` the members of a group (one of
//                            them gets each message, round-robin, skipping
//                            the full ones)
//   FLOWC_STREAM_HWM         high-water mark, in messages, of every socket
//   FLOWC_STREAM_STATS       a file to append each port's counts to (JSON lines)
//
// The wire: a data message is one single-part ZeroMQ message, its payload
// as it is. The end of a producer's stream is a two-part message: an empty
// part, then "END <n> <ack endpoint>", n being how many data messages that
// producer sent to this consumer. A consumer's stream ends when every
// producer's END has arrived; since a producer's messages arrive in order
// before its END, the consumer then has them all, and checks that it got
// exactly the sum of the counts (nothing lost, nothing duplicated). On each
// END the consumer sends "ACK" to the producer's ack endpoint, and a
// producer keeps its sockets open until every consumer has acknowledged:
// libzmq can drop the last messages of a peer that disconnects while the
// receiver's queue is full (libzmq issues #1264, #1922), so a producer must
// not leave before its consumers have everything.
//
//   zmq::context_t ctx;
//   auto in = flowc_stream::Input::from_env(ctx, "frames");
//   auto out = flowc_stream::Output::from_env(ctx, "partial");
//   zmq::message_t msg;
//   while (in.next(msg)) out.send(msg);
//   out.close();   // END to every consumer; also done by the destructor
//
// flowc's own bridge (stdin/stdout commands) uses this same header.
#pragma once

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <unistd.h>
#include <exception>
#include <stdexcept>
#include <string>
#include <type_traits>
#include <vector>

#include <zmq.hpp>

namespace flowc_stream {

inline int default_hwm() {
  const char* h = std::getenv("FLOWC_STREAM_HWM");
  int v = h ? std::atoi(h) : 0;
  return v > 0 ? v : 100;
}

inline std::string env_or_throw(const std::string& name) {
  const char* v = std::getenv(name.c_str());
  if (!v)
    throw std::runtime_error("flowc_stream: " + name +
                             " is not set (is this op's command run by flowc with `streams \"native\"`?)");
  return v;
}

inline void append_stats(const std::string& line) {
  const char* path = std::getenv("FLOWC_STREAM_STATS");
  if (!path || !*path) return;
  if (FILE* f = std::fopen(path, "a")) {
    std::fputs((line + "\n").c_str(), f);
    std::fclose(f);
  }
}

// One stream input: a PULL socket, fed by every producer of the stream.
class Input {
 public:
  // `listening_fd`: a tcp socket already listening at `bind_endpoint`, to
  // bind through (ZMQ_USE_FD); -1: ZeroMQ makes its own.
  Input(zmq::context_t& ctx, const std::string& bind_endpoint, uint64_t producers, int hwm = default_hwm(),
        std::string port = "", int listening_fd = -1)
      : ctx_(&ctx), socket_(ctx, zmq::socket_type::pull), expect_(producers), port_(std::move(port)) {
    socket_.set(zmq::sockopt::rcvhwm, hwm);
    socket_.set(zmq::sockopt::linger, 0);
    if (listening_fd >= 0) socket_.set(zmq::sockopt::use_fd, listening_fd);
    socket_.bind(bind_endpoint);
    endpoint_ = socket_.get(zmq::sockopt::last_endpoint);
  }
  static Input from_env(zmq::context_t& ctx, const std::string& port) {
    std::string v = env_or_throw("FLOWC_STREAM_IN_" + port);
    size_t space = v.rfind(' ');
    if (space == std::string::npos) throw std::runtime_error("flowc_stream: bad FLOWC_STREAM_IN_" + port + ": " + v);
    const char* fd = std::getenv(("FLOWC_STREAM_FD_" + port).c_str());
    return Input(ctx, v.substr(0, space), std::stoull(v.substr(space + 1)), default_hwm(), port,
                 fd && *fd ? std::atoi(fd) : -1);
  }
  Input(Input&&) = default;
  ~Input() {
    if (!reported_ && !port_.empty()) report();
  }

  // The endpoint actually bound (a tcp port chosen by the system filled in).
  const std::string& endpoint() const { return endpoint_; }

  // Whether a message (or the end) is waiting, so next() would not block: a
  // reader that batches what it writes on flushes before it would wait.
  bool pending() { return (socket_.get(zmq::sockopt::events) & ZMQ_POLLIN) != 0; }

  // The next message, or false at the end of the stream. Throws if the
  // counts in the END messages do not match what arrived.
  bool next(zmq::message_t& msg) { return next(msg, nullptr); }

  // The same, calling before_waiting() whenever nothing has come yet and it
  // is about to block: a reader that batches what it passes on flushes
  // there, so a live stream's messages are not held back, and pays nothing
  // while messages keep coming (unlike asking pending() for each one).
  template <class F>
  bool next(zmq::message_t& msg, F&& before_waiting) {
    while (ended_ < expect_) {
      if constexpr (std::is_same_v<std::decay_t<F>, std::nullptr_t>) {
        (void)socket_.recv(msg, zmq::recv_flags::none);
      } else if (!socket_.recv(msg, zmq::recv_flags::dontwait)) {
        before_waiting();
        (void)socket_.recv(msg, zmq::recv_flags::none);
      }
      if (!msg.more()) {
        ++messages_;
        bytes_ += msg.size();
        return true;
      }
      zmq::message_t control;
      (void)socket_.recv(control, zmq::recv_flags::none);
      std::string text = control.to_string();
      if (text.rfind("END ", 0) != 0) throw std::runtime_error("flowc_stream: unknown control message `" + text + "`");
      size_t space = text.find(' ', 4);
      announced_ += std::stoull(text.substr(4, space == std::string::npos ? std::string::npos : space - 4));
      ++ended_;
      if (space != std::string::npos) acknowledge(text.substr(space + 1));
    }
    if (messages_ != announced_) {
      throw std::runtime_error("flowc_stream: input `" + port_ + "` received " + std::to_string(messages_) +
                               " messages but its producers sent " + std::to_string(announced_));
    }
    if (!reported_ && !port_.empty()) report();
    return false;
  }

  uint64_t messages() const { return messages_; }
  uint64_t bytes() const { return bytes_; }
  uint64_t producers_ended() const { return ended_; }

 private:
  void report() {
    reported_ = true;
    append_stats("{\"port\": \"" + port_ + "\", \"direction\": \"in\", \"messages\": " + std::to_string(messages_) +
                 ", \"bytes\": " + std::to_string(bytes_) + ", \"producers\": " + std::to_string(expect_) +
                 ", \"ended\": " + std::to_string(ended_) + ", \"announced\": " + std::to_string(announced_) + "}");
  }

  // Tells a producer its END arrived (so it may close its sockets).
  void acknowledge(const std::string& endpoint) {
    zmq::socket_t ack(*ctx_, zmq::socket_type::push);
    ack.set(zmq::sockopt::linger, 10000);
    ack.connect(endpoint);
    ack.send(zmq::str_buffer("ACK"), zmq::send_flags::none);
    acks_.push_back(std::move(ack));  // closed with the input: the ACK has time to leave
  }

  zmq::context_t* ctx_ = nullptr;
  zmq::socket_t socket_;
  std::vector<zmq::socket_t> acks_;
  std::string endpoint_;
  uint64_t expect_ = 0, ended_ = 0, announced_ = 0, messages_ = 0, bytes_ = 0;
  std::string port_;
  bool reported_ = false;
};

// One stream output: a PUSH socket per consumer; every group gets each
// message, one member of a group (round-robin, skipping full ones) gets it.
class Output {
 public:
  // `ack_host`: the address (of this node) where consumers on tcp send their
  // acknowledgements; empty: FLOWC_STREAM_HOST, else 127.0.0.1.
  Output(zmq::context_t& ctx, const std::vector<std::vector<std::string>>& groups, int hwm = default_hwm(),
         std::string port = "", std::string ack_host = "")
      : ack_(ctx, zmq::socket_type::pull), port_(std::move(port)) {
    std::string first;
    for (const auto& members : groups) {
      for (const std::string& ep : members) {
        if (first.empty()) first = ep;
      }
    }
    // Where consumers acknowledge our END: beside their own endpoints.
    if (first.rfind("ipc://", 0) == 0) {
      static int outputs = 0;
      ack_.bind(first + ".ack" + std::to_string(::getpid()) + "-" + std::to_string(outputs++));
    } else {
      if (ack_host.empty()) {
        const char* h = std::getenv("FLOWC_STREAM_HOST");
        ack_host = h && *h ? h : "127.0.0.1";
      }
      ack_.bind("tcp://" + ack_host + ":*");
    }
    ack_endpoint_ = ack_.get(zmq::sockopt::last_endpoint);
    ack_.set(zmq::sockopt::linger, 0);
    for (const auto& members : groups) {
      Group g;
      for (const std::string& ep : members) {
        Member m{zmq::socket_t(ctx, zmq::socket_type::push), 0};
        m.socket.set(zmq::sockopt::sndhwm, hwm);
        m.socket.set(zmq::sockopt::linger, -1);  // deliver everything, END included, before closing
        m.socket.connect(ep);
        g.members.push_back(std::move(m));
      }
      if (!g.members.empty()) groups_.push_back(std::move(g));
    }
  }
  static Output from_env(zmq::context_t& ctx, const std::string& port) {
    return Output(ctx, parse_groups(env_or_throw("FLOWC_STREAM_OUT_" + port)), default_hwm(), port);
  }
  static std::vector<std::vector<std::string>> parse_groups(const std::string& text) {
    std::vector<std::vector<std::string>> groups;
    size_t start = 0;
    while (start <= text.size()) {
      size_t end = text.find(';', start);
      std::string group = text.substr(start, end == std::string::npos ? std::string::npos : end - start);
      std::vector<std::string> members;
      size_t s = 0;
      while (s <= group.size()) {
        size_t e = group.find(',', s);
        std::string ep = group.substr(s, e == std::string::npos ? std::string::npos : e - s);
        if (!ep.empty()) members.push_back(ep);
        if (e == std::string::npos) break;
        s = e + 1;
      }
      groups.push_back(std::move(members));
      if (end == std::string::npos) break;
      start = end + 1;
    }
    return groups;
  }
  Output(Output&&) = default;
  // Ends the stream, unless the output is being left because of an
  // exception: then consumers must not take what was sent for the whole.
  ~Output() {
    try {
      if (std::uncaught_exceptions() > 0) {
        abandon();
      } else {
        close();
      }
    } catch (...) {
    }
  }

  // Leaves without an end of stream (a failure): the run stops the consumers.
  void abandon() {
    if (closed_) return;
    closed_ = true;
    for (Group& g : groups_) {
      for (Member& m : g.members) m.socket.set(zmq::sockopt::linger, 0);
    }
  }

  // Sends one message (moved from `msg`); blocks while every member of a
  // group is full (backpressure), never drops.
  void send(zmq::message_t& msg) {
    ++messages_;
    bytes_ += msg.size();
    for (size_t g = 0; g < groups_.size(); ++g) {
      if (g + 1 == groups_.size()) {
        send_to(groups_[g], msg);
      } else {
        zmq::message_t copy;
        copy.copy(msg);  // shares the buffer
        send_to(groups_[g], copy);
      }
    }
  }
  void send(const void* data, size_t size) {
    zmq::message_t msg(data, size);
    send(msg);
  }

  // END to every consumer, each with the count it was sent. Idempotent.
  void close() {
    if (closed_) return;
    closed_ = true;
    for (Group& g : groups_) {
      for (Member& m : g.members) {
        m.socket.send(zmq::message_t(), zmq::send_flags::sndmore);
        std::string end = "END " + std::to_string(m.sent) + " " + ack_endpoint_;
        m.socket.send(zmq::buffer(end), zmq::send_flags::none);
      }
    }
    // Stay until every consumer has the END (and so everything before it).
    size_t members = 0;
    for (Group& g : groups_) members += g.members.size();
    const char* t = std::getenv("FLOWC_STREAM_ACK_TIMEOUT");
    int timeout_ms = (t && std::atoi(t) > 0 ? std::atoi(t) : 600) * 1000;
    ack_.set(zmq::sockopt::rcvtimeo, timeout_ms);
    for (size_t k = 0; k < members; ++k) {
      zmq::message_t ack;
      if (!ack_.recv(ack, zmq::recv_flags::none)) {
        throw std::runtime_error("flowc_stream: output `" + port_ + "`: " + std::to_string(members - k) + " of " +
                                 std::to_string(members) + " consumers did not confirm the end of the stream within " +
                                 std::to_string(timeout_ms / 1000) + " s");
      }
    }
    if (!port_.empty()) {
      std::string per;
      for (Group& g : groups_) {
        for (Member& m : g.members) per += (per.empty() ? "" : ", ") + std::to_string(m.sent);
      }
      append_stats("{\"port\": \"" + port_ + "\", \"direction\": \"out\", \"messages\": " + std::to_string(messages_) +
                   ", \"bytes\": " + std::to_string(bytes_) + ", \"per_consumer\": [" + per + "]}");
    }
  }

  uint64_t messages() const { return messages_; }
  uint64_t bytes() const { return bytes_; }

 private:
  struct Member {
    zmq::socket_t socket;
    uint64_t sent;
  };
  struct Group {
    std::vector<Member> members;
    size_t next = 0;
  };

  static void send_to(Group& g, zmq::message_t& msg) {
    size_t n = g.members.size();
    for (;;) {
      for (size_t k = 0; k < n; ++k) {
        Member& m = g.members[(g.next + k) % n];
        if (m.socket.send(msg, zmq::send_flags::dontwait)) {
          ++m.sent;
          g.next = (g.next + k + 1) % n;
          return;
        }
      }
      // Every member is full: wait until one has room.
      std::vector<zmq::pollitem_t> items;
      for (Member& m : g.members) items.push_back({m.socket.handle(), 0, ZMQ_POLLOUT, 0});
      zmq::poll(items.data(), items.size(), std::chrono::milliseconds(-1));
    }
  }

  zmq::socket_t ack_;
  std::string ack_endpoint_;
  std::vector<Group> groups_;
  uint64_t messages_ = 0, bytes_ = 0;
  std::string port_;
  bool closed_ = false;
};

}  // namespace flowc_stream
