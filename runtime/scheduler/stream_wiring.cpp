// Stream wiring to and from JSON (stream_wiring.h). The names here are the
// ones task keys were made of before the wiring was typed: keep them.
#include "runtime/scheduler/stream_wiring.h"

namespace flowc::runtime {

void to_json(Value& j, const StreamInputWiring& w) {
  j = Value{{"key", w.key}, {"expect", w.expect}, {"from", w.from}};
  if (w.pipe) j["pipe"] = true;  // only then: the keys of every other task stay as they were
}

void from_json(const Value& j, StreamInputWiring& w) {
  j.at("key").get_to(w.key);
  j.at("expect").get_to(w.expect);
  w.from = j.value("from", std::vector<std::string>{});
  w.pipe = j.value("pipe", false);
}

void to_json(Value& j, const StreamOutputWiring& w) { j = Value{{"channel", w.channel}, {"to", w.to}}; }

void from_json(const Value& j, StreamOutputWiring& w) {
  w.channel = j.value("channel", std::string());
  j.at("to").get_to(w.to);
}

void to_json(Value& j, const StreamWiring& w) {
  j = Value{{"inputs", Value::object()}, {"outputs", Value::object()}};
  for (const auto& [port, in] : w.inputs) j["inputs"][port] = in;
  for (const auto& [port, out] : w.outputs) j["outputs"][port] = out;
}

void from_json(const Value& j, StreamWiring& w) {
  j.at("inputs").get_to(w.inputs);
  j.at("outputs").get_to(w.outputs);
}

}  // namespace flowc::runtime
