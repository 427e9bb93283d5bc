// A stream between two stdin/stdout commands on one host, one producer
// writing to one consumer (the plan marks the consumer's input `pipe`):
// instead of ZeroMQ, a named pipe between their two bridges. From the
// producer's stdout to the consumer's stdin a large frame's bytes are then
// copied twice, as in a shell pipeline (the command's write, the other
// command's read; its body is moved from pipe to pipe by splice(2)), where
// the sockets copy them five times. Lines and small frames go through each
// bridge's buffer, a read and a write per buffer's worth.
//
// The bridges still see every message: they count them, the producer's
// checks its command's framing, and the consumer's stdin ends only when the
// producer has ended well: its bridge then writes the counts to a second
// named pipe, `.end`. A producer that fails writes nothing there, and its
// consumer sees no end of stream, as with ZeroMQ (the run stops it).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace flowc::runtime::streams {

// The consumer's bridge makes both named pipes in the run's ipc folder and
// registers `pipe://<data>`; the producer's bridge, finding that, opens them.
inline constexpr const char* kPipeScheme = "pipe://";
struct LocalPipePaths {
  std::string data, end;
};
LocalPipePaths local_pipe_paths(const std::string& ipc_dir, const std::string& key);
LocalPipePaths local_pipe_paths(const std::string& data);  // from the registered path
// Makes them (mkfifo); "" or what failed.
std::string make_local_pipe(const LocalPipePaths& paths);
// The producer's side: opens the consumer's `.end`, then its data pipe, for
// writing, waiting up to `timeout_ms` for the consumer's bridge to open them
// for reading. Returns false (and why) when it did not.
bool open_local_pipe_for_writing(const LocalPipePaths& paths, int timeout_ms, int* end_fd, int* data_fd,
                                 std::string* error);

// What a forwarder moved.
struct Forwarded {
  uint64_t messages = 0;   // read from `from`
  uint64_t bytes = 0;      // their payload (without frame headers or newlines)
  uint64_t delivered = 0;  // of them written whole to `to`
  bool broken = false;     // `to`'s reader went away
  std::string error;       // `from` ended inside a message: what was wrong
};

// Moves a stream from `from` to `to` message by message: frames (a 4-byte
// big-endian length, then that many bytes) or lines. What arrives is
// written on before waiting for more (a live consumer sees each message as
// it comes); a body of 64 KiB or more is spliced. A last line without its
// newline is given one. When `to`'s reader goes away: with
// `discard_when_broken`, reads on to the end and counts what was not
// delivered; else returns at once.
Forwarded forward_messages(int from, int to, bool frames, bool discard_when_broken);

// The `.end` record: the producer's counts, written after its last message.
std::string end_record(const Forwarded& f);
// Whether `record` (what was read from `.end`) says the stream ended well
// with exactly what `f` received.
bool ended_well(const std::string& record, const Forwarded& f);

}  // namespace flowc::runtime::streams
