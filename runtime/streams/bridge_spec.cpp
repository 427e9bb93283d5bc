// The bridge spec to and from JSON (bridge_spec.h). A port is its wiring's
// fields and "type", flat.
#include "runtime/streams/bridge_spec.h"

namespace flowc::runtime::streams {
namespace {

template <class Port>
Value port_json(const Port& port) {
  Value j = port.wiring;
  j["type"] = port.type;
  return j;
}

template <class Port>
Port port_from(const Value& j) {
  Port port;
  j.get_to(port.wiring);
  j.at("type").get_to(port.type);
  return port;
}

}  // namespace

void to_json(Value& j, const BridgeSpec& spec) {
  Value inputs = Value::object(), outputs = Value::object();
  for (const auto& [port, in] : spec.inputs) inputs[port] = port_json(in);
  for (const auto& [port, out] : spec.outputs) outputs[port] = port_json(out);
  j = Value{{"task", spec.task},
            {"command", spec.command},
            {"native", spec.native},
            {"registry", spec.registry},
            {"run_id", spec.run_id},
            {"transport", spec.transport},
            {"host", spec.across_nodes ? "node" : "loopback"},
            {"ipc_dir", spec.ipc_dir},
            {"local_pipes", spec.local_pipes},
            {"hwm", spec.hwm},
            {"lookup_timeout", spec.lookup_timeout},
            {"stats", spec.stats},
            {"inputs", std::move(inputs)},
            {"outputs", std::move(outputs)}};
}

void from_json(const Value& j, BridgeSpec& spec) {
  spec.task = j.value("task", std::string());
  j.at("command").get_to(spec.command);
  spec.native = j.value("native", false);
  j.at("registry").get_to(spec.registry);
  j.at("run_id").get_to(spec.run_id);
  spec.transport = j.value("transport", std::string("ipc"));
  spec.across_nodes = j.value("host", std::string("loopback")) == "node";
  spec.ipc_dir = j.value("ipc_dir", std::string());
  spec.local_pipes = j.value("local_pipes", false);
  spec.hwm = j.value("hwm", 100);
  spec.lookup_timeout = j.value("lookup_timeout", 60.0);
  j.at("stats").get_to(spec.stats);
  spec.inputs.clear();
  spec.outputs.clear();
  for (const auto& [port, in] : j.at("inputs").items()) spec.inputs[port] = port_from<BridgeInput>(in);
  for (const auto& [port, out] : j.at("outputs").items()) spec.outputs[port] = port_from<BridgeOutput>(out);
}

}  // namespace flowc::runtime::streams
