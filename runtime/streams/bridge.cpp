// The stream bridge: registry, endpoints, the command, and (for stdio
// commands) the pumps between its pipes and ZeroMQ.
#include "runtime/streams/bridge.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <functional>
#include <iostream>
#include <optional>
#include <sstream>
#include <thread>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "ir/json_parse.h"
#include "ir/type_parser.h"
#include "ir/utf8.h"
#include "runtime/streams/bridge_spec.h"
#include "runtime/streams/flowc_stream.hpp"
#include "runtime/streams/local_pipe.h"
#include "runtime/streams/node_address.h"
#include "runtime/streams/pipe_writer.h"
#include "runtime/streams/registry.h"
#include "runtime/value/value.h"

extern char** environ;

namespace flowc::runtime::streams {
namespace fs = std::filesystem;
using json = nlohmann::json;

namespace {

constexpr int kStreamFailed = 70;  // EX_SOFTWARE: the stream, not the command, failed

enum class Framing { Lines, Frames, JsonLines };

Framing framing_of(const std::string& elem) {
  if (elem == "str") return Framing::Lines;
  if (elem == "bytes") return Framing::Frames;
  return Framing::JsonLines;
}

// A file descriptor, closed once.
class Fd {
 public:
  explicit Fd(int fd = -1) : fd_(fd) {}
  ~Fd() { reset(); }
  Fd(Fd&& o) noexcept : fd_(o.release()) {}
  Fd& operator=(Fd&& o) noexcept {
    reset(o.release());
    return *this;
  }
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  int get() const { return fd_; }
  int release() {
    int f = fd_;
    fd_ = -1;
    return f;
  }
  void reset(int fd = -1) {
    if (fd_ >= 0) ::close(fd_);
    fd_ = fd;
  }

 private:
  int fd_;
};

// Reads exactly n bytes; returns how many were read before end of file.
size_t read_exact(int fd, char* data, size_t n) {
  size_t got = 0;
  while (got < n) {
    ssize_t r = ::read(fd, data + got, n - got);
    if (r < 0 && errno == EINTR) continue;
    if (r <= 0) break;
    got += static_cast<size_t>(r);
  }
  return got;
}

// Reads through a 64 KiB buffer (small frames cost a copy, not two
// syscalls each); a large read goes straight to its destination.
class BufferedReader {
 public:
  explicit BufferedReader(int fd) : fd_(fd), buf_(1 << 16) {}
  // Reads exactly n bytes; returns how many were read before end of file.
  size_t read(char* dst, size_t n) {
    size_t got = std::min(n, have_ - pos_);
    std::memcpy(dst, buf_.data() + pos_, got);
    pos_ += got;
    if (got == n) return got;
    if (n - got >= buf_.size()) return got + read_exact(fd_, dst + got, n - got);
    while (got < n) {
      ssize_t r = ::read(fd_, buf_.data(), buf_.size());
      if (r < 0 && errno == EINTR) continue;
      if (r <= 0) break;
      have_ = static_cast<size_t>(r);
      pos_ = std::min(n - got, have_);
      std::memcpy(dst + got, buf_.data(), pos_);
      got += pos_;
    }
    return got;
  }

 private:
  int fd_;
  std::vector<char> buf_;
  size_t have_ = 0, pos_ = 0;
};

// The largest pipe buffer the system lets us set, up to 1 MiB (Linux's
// default is 64 KiB): a large message then crosses the pipe in one write
// and one read, not sixteen of each, every one a wake-up of the process on
// the other side. Where the limit (/proc/sys/fs/pipe-max-size, or a user's
// pipe-user-pages quota) refuses it, the pipe keeps its default size.
void enlarge_pipe(int fd) {
  static const int size = [] {
    long max = 1 << 20;
    if (std::FILE* f = std::fopen("/proc/sys/fs/pipe-max-size", "r")) {
      long limit = 0;
      if (std::fscanf(f, "%ld", &limit) == 1 && limit > 0) max = std::min(max, limit);
      std::fclose(f);
    }
    return static_cast<int>(max);
  }();
  ::fcntl(fd, F_SETPIPE_SZ, size);
}

// A listening tcp socket on `host`, on a port the system chose: a native
// command binds its input with ZMQ_USE_FD set to it, so the port is its own
// from the start (no window in which another process could take it).
// Returns the socket and the endpoint it listens at.
std::pair<Fd, std::string> listening_socket(const std::string& host) {
  Fd s(::socket(AF_INET, SOCK_STREAM, 0));  // no CLOEXEC: the command inherits it
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_port = 0;
  socklen_t len = sizeof a;
  if (s.get() < 0 || ::inet_pton(AF_INET, host.c_str(), &a.sin_addr) != 1 ||
      ::bind(s.get(), reinterpret_cast<sockaddr*>(&a), sizeof a) != 0 || ::listen(s.get(), 128) != 0 ||
      ::getsockname(s.get(), reinterpret_cast<sockaddr*>(&a), &len) != 0) {
    throw std::runtime_error(fmt::format("cannot listen on a tcp port of {}: {}", host, std::strerror(errno)));
  }
  return {std::move(s), fmt::format("tcp://{}:{}", host, ntohs(a.sin_port))};
}

struct Spec {
  BridgeSpec file;    // what .stream.json says
  std::string host_;  // the address tcp endpoints bind to, once known

  // Where tcp endpoints bind: loopback, or this node's address when the
  // run's tasks are spread over nodes (a batch executor).
  const std::string& host() {
    if (host_.empty()) {
      if (file.across_nodes) {
        std::string error;
        host_ = node_address(&error);
        if (host_.empty()) throw std::runtime_error(error);
      } else {
        host_ = "127.0.0.1";
      }
    }
    return host_;
  }
  bool tcp() const { return file.transport == "tcp"; }
  // The endpoint a bridged input binds (a tcp port chosen by ZeroMQ).
  std::string endpoint_for(const std::string& key) {
    if (tcp()) return fmt::format("tcp://{}:*", host());
    // The folder is flowc run's, made private before any bridge starts.
    return fmt::format("ipc://{}/{:016x}.sock", file.ipc_dir, std::hash<std::string>{}(key));
  }
};

void append_stats(const std::string& path, const json& line) {
  std::ofstream out(path, std::ios::app);
  out << line.dump() << "\n";
}

// The command's output, cut into messages by the framing, sent on.
// Returns "" or what was wrong with the output.
std::string pump_out(int fd, Framing framing, const ir::Type* elem, flowc_stream::Output& out) {
  if (framing == Framing::Frames) {
    BufferedReader in(fd);
    for (;;) {
      unsigned char header[4];
      size_t got = in.read(reinterpret_cast<char*>(header), 4);
      if (got == 0) return "";
      if (got < 4) return fmt::format("its output ended inside a frame header ({} of 4 bytes)", got);
      uint32_t len = (uint32_t(header[0]) << 24) | (uint32_t(header[1]) << 16) | (uint32_t(header[2]) << 8) | header[3];
      zmq::message_t msg(len);
      size_t body = in.read(static_cast<char*>(msg.data()), len);
      if (body < len) {
        return fmt::format(
            "its output ended {} bytes into a frame of {} (a stream[bytes] is written as frames: a "
            "4-byte big-endian length, then that many bytes)",
            body, len);
      }
      out.send(msg);
    }
  }
  std::string buf;
  std::vector<char> chunk(1 << 16);
  uint64_t line_no = 0;
  auto emit = [&](std::string_view line) -> std::string {
    ++line_no;
    if (framing == Framing::JsonLines) {
      if (line.find_first_not_of(" \t\r") == std::string_view::npos) return "";
      std::string why;
      std::optional<json> parsed = ir::parse_json(line, &why);
      json v = parsed ? std::move(*parsed) : json();
      if (!parsed) why = "it is not JSON: " + why;
      else if (!conforms(v, elem, &why) && why.empty()) why = "wrong type";
      if (!why.empty()) {
        return fmt::format("line {} of its output is not a {} ({}): {}", line_no, elem->str(), why,
                           ir::printable_utf8(line.substr(0, 200)));
      }
    }
    zmq::message_t msg(line.data(), line.size());
    out.send(msg);
    return "";
  };
  for (;;) {
    ssize_t r = ::read(fd, chunk.data(), chunk.size());
    if (r < 0 && errno == EINTR) continue;
    if (r <= 0) break;
    std::string_view data(chunk.data(), static_cast<size_t>(r));
    size_t start = 0;
    for (size_t nl = data.find('\n'); nl != std::string_view::npos; nl = data.find('\n', start)) {
      std::string err;
      if (!buf.empty()) {
        buf.append(data.substr(start, nl - start));
        err = emit(buf);
        buf.clear();
      } else {
        err = emit(data.substr(start, nl - start));
      }
      if (!err.empty()) return err;
      start = nl + 1;
    }
    buf.append(data.substr(start));
  }
  if (!buf.empty()) return emit(buf);
  return "";
}

// Messages from the stream, framed, written to the command's stdin. A
// command that stops reading early (closes stdin) does not stall the
// producers: the rest is received and counted as discarded.
struct InResult {
  std::string error;
  uint64_t discarded = 0;
  uint64_t messages = 0, bytes = 0, producers = 0;  // what came (from ZeroMQ's Input once it ends)
};

void pump_in(flowc_stream::Input& in, Fd fd, Framing framing, InResult& result) {
  {
    PipeWriter pipe(fd.get());
    try {
      zmq::message_t msg;
      // What has come is written on before waiting for more: a live
      // consumer sees a slow producer's messages as they come, not when
      // 128 KiB have gathered or the stream ends. (Holding them a moment
      // longer, to write fewer and larger pieces, measured no cheaper.)
      while (in.next(msg, [&pipe] { pipe.flush(); })) {
        if (pipe.broken()) {
          ++result.discarded;
          continue;
        }
        bool written;
        if (framing == Framing::Frames) {
          uint32_t len = static_cast<uint32_t>(msg.size());
          char header[4] = {char(len >> 24), char(len >> 16), char(len >> 8), char(len)};
          written = pipe.copy(header, 4) && pipe.give(msg);
        } else {
          written = pipe.give(msg) && pipe.copy("\n", 1);
        }
        if (!written) ++result.discarded;
      }
      pipe.drain();
    } catch (const std::exception& e) {
      result.error = e.what();
    }
  }
  // fd closes here, after the command read everything: it sees the end of its input.
}

// A local pipe's consumer side (local_pipe.h): from the named pipe to the
// command's stdin, which ends only if the producer's `.end` says it ended
// well with exactly what came.
void pump_pipe_in(LocalPipePaths paths, Fd stdin_fd, bool frames, InResult& result) {
  // Blocking opens, `.end` first as the producer does: each returns once
  // the producer's bridge has opened that pipe for writing.
  Fd end(::open(paths.end.c_str(), O_RDONLY | O_CLOEXEC));
  Fd data(end.get() >= 0 ? ::open(paths.data.c_str(), O_RDONLY | O_CLOEXEC) : -1);
  if (data.get() < 0) {
    result.error = fmt::format("cannot open the stream's pipe `{}`: {}", paths.data, std::strerror(errno));
    return;
  }
  enlarge_pipe(data.get());
  Forwarded f = forward_messages(data.get(), stdin_fd.get(), frames, true);
  data.reset();
  std::string record;
  char buf[128];
  for (ssize_t r; (r = ::read(end.get(), buf, sizeof buf)) != 0;) {
    if (r < 0 && errno == EINTR) continue;
    if (r < 0) break;
    record.append(buf, static_cast<size_t>(r));
  }
  result.messages = f.messages;
  result.bytes = f.bytes;
  result.producers = 1;
  result.discarded = f.messages - f.delivered;
  if (record.empty()) {
    // The producer failed (or was stopped): no end of stream for the
    // command, which must not take a partial stream for the whole one.
    // The run stops this task with its producer's failure.
    for (;;) ::pause();
  }
  if (!ended_well(record, f)) {
    // Never expected: nothing lost or duplicated goes unnoticed. The
    // command's stdin ends, and the bridge fails with this.
    result.error = fmt::format(
        "the stream's local pipe lost or changed messages: the producer sent `{}`, {} came ({} "
        "bytes){}",
        record.substr(0, record.find('\n')), f.messages, f.bytes, f.error.empty() ? "" : "; " + f.error);
  }
  // stdin_fd closes here: the command sees the end of its input.
}

const ir::Type* parse_elem(const std::string& text, ir::TypeTable& types) {
  std::string error;
  const ir::Type* t = ir::parse_type(
      text, types, [](std::string_view) { return nullptr; }, &error);
  if (!t) throw std::runtime_error(fmt::format("bad element type `{}` in the stream spec: {}", text, error));
  return t;
}

// Dies of the signal that ended the command, so flowc reports what
// happened to it.
[[noreturn]] void exit_like(int status) {
  int sig = WTERMSIG(status);
  ::signal(sig, SIG_DFL);
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, sig);
  ::sigprocmask(SIG_UNBLOCK, &set, nullptr);
  ::kill(::getpid(), sig);
  ::_exit(128 + sig);
}

int run_bridge(const std::string& spec_path) {
  Spec spec;
  {
    std::ifstream in(spec_path);
    if (!in) throw std::runtime_error(fmt::format("cannot read the stream spec `{}`", spec_path));
    spec.file = json::parse(in).get<BridgeSpec>();
  }
  const BridgeSpec& file = spec.file;
  bool native = file.native;
  const auto& inputs = file.inputs;
  const auto& outputs = file.outputs;
  const std::string& stats_path = file.stats;
  int hwm = file.hwm;
  auto lookup_timeout = std::chrono::milliseconds(static_cast<int64_t>(file.lookup_timeout * 1000));
  if (!native && (inputs.size() > 1 || outputs.size() > 1)) {
    throw std::runtime_error(fmt::format(
        "op has {} stream inputs and {} stream outputs, but a stdio command has one stdin and one stdout; give the op "
        "`streams \"native\"` and read them with runtime/streams/flowc_stream.hpp",
        inputs.size(), outputs.size()));
  }

  std::string error;
  auto registry = open_registry(file.registry, file.run_id, &error);
  if (!registry) throw std::runtime_error(error);

  ir::TypeTable types;
  zmq::context_t ctx(1);
  std::vector<std::string> env;
  for (char** e = environ; *e; ++e) env.emplace_back(*e);
  env.push_back(fmt::format("FLOWC_STREAM_HWM={}", hwm));
  env.push_back("FLOWC_STREAM_STATS=" + stats_path);

  // Where a native command's outputs take their acknowledgements.
  if (spec.tcp()) env.push_back("FLOWC_STREAM_HOST=" + spec.host());

  // Inputs first: bind and register, so producers can find them.
  std::optional<flowc_stream::Input> input;
  std::optional<LocalPipePaths> pipe_in;  // or a local pipe (local_pipe.h)
  std::string input_port;
  Framing input_framing = Framing::Lines;
  std::vector<Fd> listening;  // a native command's tcp inputs, until it has started
  for (const auto& [port, in] : inputs) {
    const std::string& key = in.wiring.key;
    uint64_t expect = in.wiring.expect;
    std::string endpoint;
    if (native) {
      if (spec.tcp()) {
        auto [fd, bound] = listening_socket(spec.host());
        endpoint = bound;
        env.push_back(fmt::format("FLOWC_STREAM_FD_{}={}", port, fd.get()));
        listening.push_back(std::move(fd));
      } else {
        endpoint = spec.endpoint_for(key);
      }
      env.push_back(fmt::format("FLOWC_STREAM_IN_{}={} {}", port, endpoint, expect));
    } else if (in.wiring.pipe && file.local_pipes && framing_of(in.type) != Framing::JsonLines) {
      pipe_in = local_pipe_paths(file.ipc_dir, key);
      if (std::string e = make_local_pipe(*pipe_in); !e.empty()) throw std::runtime_error(e);
      endpoint = kPipeScheme + pipe_in->data;
      input_port = port;
      input_framing = framing_of(in.type);
    } else {
      input.emplace(ctx, spec.endpoint_for(key), expect, hwm);
      endpoint = input->endpoint();
      input_port = port;
      input_framing = framing_of(in.type);
    }
    if (std::string e = registry->put(key, endpoint); !e.empty()) throw std::runtime_error(e);
  }

  // Outputs: every consumer's endpoint, by name.
  std::optional<flowc_stream::Output> output;
  Fd pipe_end, pipe_data;  // or a local pipe to the one consumer, which offered it
  std::string output_port;
  Framing output_framing = Framing::Lines;
  const ir::Type* output_elem = nullptr;
  for (const auto& [port, out] : outputs) {
    std::vector<std::vector<std::string>> groups;
    std::string text;
    for (const std::vector<std::string>& group : out.wiring.to) {
      std::vector<std::string> members;
      for (const std::string& key : group) {
        auto endpoint = registry->wait(key, lookup_timeout, &error);
        if (!endpoint) {
          throw std::runtime_error(
              error.empty() ? fmt::format("the consumer `{}` did not register its endpoint within {} s in {}; did it "
                                          "start? (its own log says why)",
                                          key, lookup_timeout.count() / 1000.0, registry->describe())
                            : error);
        }
        members.push_back(*endpoint);
      }
      text += (text.empty() ? "" : ";") + fmt::format("{}", fmt::join(members, ","));
      groups.push_back(std::move(members));
    }
    bool offered_pipe = groups.size() == 1 && groups[0].size() == 1 && groups[0][0].starts_with(kPipeScheme);
    if (native || !offered_pipe) {
      for (const auto& members : groups) {
        for (const std::string& e : members) {
          if (e.starts_with(kPipeScheme)) {
            throw std::runtime_error(fmt::format(
                "the consumer `{}` offers a local pipe, which only a lone stdin/stdout producer can write to",
                e.substr(std::strlen(kPipeScheme))));
          }
        }
      }
    }
    if (native) {
      env.push_back(fmt::format("FLOWC_STREAM_OUT_{}={}", port, text));
    } else if (offered_pipe) {
      if (framing_of(out.type) == Framing::JsonLines) {
        throw std::runtime_error("a stream of records cannot go through a local pipe: its lines are checked");
      }
      int end_fd = -1, data_fd = -1;
      if (!open_local_pipe_for_writing(local_pipe_paths(groups[0][0].substr(std::strlen(kPipeScheme))),
                                       static_cast<int>(lookup_timeout.count()), &end_fd, &data_fd, &error)) {
        throw std::runtime_error(error);
      }
      pipe_end.reset(end_fd);
      pipe_data.reset(data_fd);
      enlarge_pipe(data_fd);
      output_port = port;
      output_framing = framing_of(out.type);
    } else {
      output.emplace(ctx, groups, hwm, "", spec.tcp() ? spec.host() : "");
      output_port = port;
      output_elem = parse_elem(out.type, types);
      output_framing = framing_of(out.type);
    }
  }

  // The command, with pipes for the bridged streams.
  Fd stdin_read, stdin_write, stdout_read, stdout_write;
  int fds[2];
  if (input || pipe_in) {
    if (::pipe2(fds, O_CLOEXEC) != 0) throw std::runtime_error("pipe failed");
    enlarge_pipe(fds[1]);
    stdin_read.reset(fds[0]);
    stdin_write.reset(fds[1]);
  }
  bool piped_out = pipe_data.get() >= 0;
  if (output || piped_out) {
    if (::pipe2(fds, O_CLOEXEC) != 0) throw std::runtime_error("pipe failed");
    enlarge_pipe(fds[1]);
    stdout_read.reset(fds[0]);
    stdout_write.reset(fds[1]);
  }
  posix_spawn_file_actions_t actions;
  posix_spawnattr_t attr;
  posix_spawn_file_actions_init(&actions);
  posix_spawnattr_init(&attr);
  sigset_t none, all;
  sigemptyset(&none);
  sigfillset(&all);
  posix_spawnattr_setsigmask(&attr, &none);
  posix_spawnattr_setsigdefault(&attr, &all);
  posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);
  if (stdin_read.get() >= 0) posix_spawn_file_actions_adddup2(&actions, stdin_read.get(), 0);
  if (stdout_write.get() >= 0) posix_spawn_file_actions_adddup2(&actions, stdout_write.get(), 1);
  std::vector<std::string> argv_s = file.command;
  std::vector<char*> argv, envp;
  for (std::string& a : argv_s) argv.push_back(a.data());
  argv.push_back(nullptr);
  for (std::string& e : env) envp.push_back(e.data());
  envp.push_back(nullptr);
  pid_t pid = 0;
  int rc = posix_spawn(&pid, argv[0], &actions, &attr, argv.data(), envp.data());
  posix_spawn_file_actions_destroy(&actions);
  posix_spawnattr_destroy(&attr);
  if (rc != 0) throw std::runtime_error(fmt::format("cannot start `{}`: {}", argv_s[0], std::strerror(rc)));
  stdin_read.reset();
  stdout_write.reset();
  listening.clear();  // the command holds them now

  InResult in_result;
  std::thread in_thread;
  if (input)
    in_thread = std::thread(pump_in, std::ref(*input), std::move(stdin_write), input_framing, std::ref(in_result));
  if (pipe_in) {
    in_thread = std::thread(pump_pipe_in, *pipe_in, std::move(stdin_write), input_framing == Framing::Frames,
                            std::ref(in_result));
  }
  std::string out_error;
  if (output) out_error = pump_out(stdout_read.get(), output_framing, output_elem, *output);
  Forwarded piped;
  if (piped_out) {
    piped = forward_messages(stdout_read.get(), pipe_data.get(), output_framing == Framing::Frames, false);
    out_error = piped.error;
  }
  // A consumer gone: its stdout is left unread (the command waits, as on a
  // full ZeroMQ socket) until the run stops this task with the consumer's
  // failure.
  if (!piped.broken) stdout_read.reset();
  if (!out_error.empty()) ::kill(pid, SIGTERM);  // it wrote what cannot be a stream: stop it

  int status = 0;
  while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  bool command_ok = WIFEXITED(status) && WEXITSTATUS(status) == 0;
  if (!out_error.empty()) {
    // Its output was not a stream of its type: that is the failure to
    // report, whatever our SIGTERM did to the command.
    if (output) output->abandon();
    std::cerr << "flowc stream-bridge: the command's output stream `" << output_port << "`: " << out_error << "\n";
    std::cerr.flush();
    ::_exit(kStreamFailed);
  }
  // The end of stream only after a good end: a failed producer's consumers
  // must not take a partial stream for the whole one (the run stops them).
  if (output && command_ok && out_error.empty()) {
    output->close();
    append_stats(
        stats_path,
        {{"port", output_port}, {"direction", "out"}, {"messages", output->messages()}, {"bytes", output->bytes()}});
  }
  if (piped_out && command_ok && out_error.empty() && !piped.broken) {
    // The end of stream: the counts, then the data pipe closed.
    std::string record = end_record(piped);
    bool told = ::write(pipe_end.get(), record.data(), record.size()) == static_cast<ssize_t>(record.size());
    pipe_end.reset();
    pipe_data.reset();
    if (!told) throw std::runtime_error("the consumer closed the stream's pipe before its end");
    append_stats(stats_path,
                 {{"port", output_port}, {"direction", "out"}, {"messages", piped.messages}, {"bytes", piped.bytes}});
  }
  if (!command_ok) {
    // Its peers are stopped by the run; do not wait for the rest of the
    // input, and send no end of stream.
    if (output) output->abandon();
    std::cerr.flush();
    if (WIFSIGNALED(status)) exit_like(status);
    ::_exit(WIFEXITED(status) ? WEXITSTATUS(status) : kStreamFailed);
  }
  if (in_thread.joinable()) in_thread.join();
  if (input) {
    in_result.messages = input->messages();
    in_result.bytes = input->bytes();
    in_result.producers = input->producers_ended();
  }
  if (input || (pipe_in && in_result.error.empty())) {
    json line = {{"port", input_port},
                 {"direction", "in"},
                 {"messages", in_result.messages},
                 {"bytes", in_result.bytes},
                 {"producers", in_result.producers},
                 {"discarded", in_result.discarded}};
    if (pipe_in) line["pipe"] = true;
    append_stats(stats_path, line);
  }
  if (output && !out_error.empty()) output->abandon();
  if (!out_error.empty()) throw std::runtime_error("the command's output stream `" + output_port + "`: " + out_error);
  if (!in_result.error.empty()) throw std::runtime_error(in_result.error);
  return 0;
}

}  // namespace

int bridge_main(const std::string& spec_path) {
  ::signal(SIGPIPE, SIG_IGN);  // a command that stops reading is seen as EPIPE
  try {
    return run_bridge(spec_path);
  } catch (const std::exception& e) {
    std::cerr << "flowc stream-bridge: " << e.what() << "\n";
    return kStreamFailed;
  }
}

}  // namespace flowc::runtime::streams
