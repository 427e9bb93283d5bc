// `flowc stream-bridge SPEC`: how a stream task runs. flowc launches this
// helper instead of the command; it meets the registry, then runs the
// command. A stdio command gets its input stream on stdin and its output
// stream on stdout, framed by the element type (lines for str, 4-byte
// big-endian length-prefixed frames for bytes, JSON lines otherwise), the
// helper moving them to and from ZeroMQ; a native command gets its
// endpoints in the environment (runtime/streams/flowc_stream.hpp).
//
// A helper process rather than a thread of flowc: the stream's bytes never
// pass through the scheduler's process, and the helper runs wherever the
// task is placed (another job, another host), meeting its peers through the
// registry. bench/stream measures what the bridge costs.
#pragma once

#include <string>

namespace flowc::runtime::streams {

// The spec file (`.stream.json` in the work dir) is written by flowc run
// (stream_tasks.cpp). Returns the process's exit code: the command's, or 70
// if the stream itself failed (registry, framing, counts).
int bridge_main(const std::string& spec_path);

}  // namespace flowc::runtime::streams
