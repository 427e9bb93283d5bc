// JSON-RPC 2.0 framing as LSP uses it: `Content-Length: N\r\n\r\n` then N
// bytes of JSON. Reading never throws on bad input; it says what was wrong so
// the server can answer with an error and go on.
#pragma once

#include <cstdio>
#include <string>
#include <variant>

#include <nlohmann/json.hpp>

namespace flowc::lsp {

// JSON-RPC error codes (the spec's and LSP's).
namespace rpc_error {
inline constexpr int kParseError = -32700;
inline constexpr int kInvalidRequest = -32600;
inline constexpr int kMethodNotFound = -32601;
inline constexpr int kInvalidParams = -32602;
inline constexpr int kInternalError = -32603;
inline constexpr int kServerNotInitialized = -32002;
}  // namespace rpc_error

struct EndOfInput {};
// The frame was read but its headers or body were not usable.
struct BadFrame {
  std::string reason;
};
using Frame = std::variant<nlohmann::json, BadFrame, EndOfInput>;

class Transport {
 public:
  Transport(std::FILE* in, std::FILE* out) : in_(in), out_(out) {}

  // The next message. A body that is not JSON is a BadFrame, as is a header
  // block without a usable Content-Length (its body cannot be found, so the
  // next frame starts after the blank line).
  Frame read();
  void send(const nlohmann::json& message);

 private:
  bool read_line(std::string* line);

  std::FILE* in_;
  std::FILE* out_;
};

nlohmann::json make_response(const nlohmann::json& id, nlohmann::json result);
nlohmann::json make_error(const nlohmann::json& id, int code, const std::string& message);
nlohmann::json make_notification(const std::string& method, nlohmann::json params);

}  // namespace flowc::lsp
