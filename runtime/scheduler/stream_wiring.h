// How a stream task's ports connect to its peers: decided by the plan when
// the task's gang is released (plan_streams.cpp), read by the run (the
// task's key, the bridge spec). One typed record, written to JSON in one
// place (stream_wiring.cpp) as
//   {"inputs":  {port: {"key": "main.r#0/frames", "expect": 2, "from": ["main.p.out"]}},
//   (an input that is a local pipe also has "pipe": true)
//    "outputs": {port: {"channel": "main.p.out", "to": [["main.r#0/frames", "main.r#1/frames"]]}}}
// A task's key holds that JSON, so its shape and names are part of the cache.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "runtime/value/value.h"

namespace flowc::runtime {

struct StreamInputWiring {
  std::string key;                // where the input registers its endpoint: "<task path>/<port>"
  uint64_t expect = 0;            // the producers whose end of stream it waits for
  std::vector<std::string> from;  // the channels (producer ports) it reads
  // One stdin/stdout producer writing to this one stdin/stdout consumer
  // only, lines or frames: where both run on one host, the stream can be a
  // named pipe between their bridges (runtime/streams/local_pipe.h).
  bool pipe = false;
  bool operator==(const StreamInputWiring&) const = default;
};

struct StreamOutputWiring {
  std::string channel;  // "<producer path>.<port>"
  // The consumer groups: every group gets every message, round-robin over
  // the group's members (replicas), each named by its input's key.
  std::vector<std::vector<std::string>> to;
  bool operator==(const StreamOutputWiring&) const = default;
};

struct StreamWiring {
  std::map<std::string, StreamInputWiring> inputs;    // by port
  std::map<std::string, StreamOutputWiring> outputs;  // by port
  bool operator==(const StreamWiring&) const = default;
};

void to_json(Value& j, const StreamInputWiring& w);
void from_json(const Value& j, StreamInputWiring& w);
void to_json(Value& j, const StreamOutputWiring& w);
void from_json(const Value& j, StreamOutputWiring& w);
void to_json(Value& j, const StreamWiring& w);
void from_json(const Value& j, StreamWiring& w);

}  // namespace flowc::runtime
