// JSON-RPC 2.0 framing as LSP uses it: `Content-Length: N\r\n\r\n` then N
// bytes of JSON. Reading never throws on bad input and never goes quiet on
// it: a header that is not usable is logged (to stderr) with what it said,
// and the reader finds its way back to the next `Content-Length:` header.
//
// A Content-Length that lies is the hard case, because the bytes after it
// are trusted to be exactly one message:
//   - not a number, negative, past 2^64, too large, or missing: the header
//     is logged and the reader skips to the next header it can find;
//   - shorter than the message: the body is cut, not JSON, and reported;
//     the rest of it is skipped up to the next header;
//   - longer than the message: the reader would wait for bytes that never
//     come (the client waits for an answer) or swallow the next message.
//     So when the bytes read so far already hold one whole JSON value and
//     either the next `Content-Length:` header follows it or no byte comes
//     for a second, the value is taken as the message, the lie is logged,
//     and reading goes on right after it.
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

// The largest message body read: far above a 16 MiB source (the compiler's
// cap) written as JSON, small enough not to be a way to exhaust memory.
inline constexpr size_t kMaxMessageBytes = size_t{64} << 20;

struct EndOfInput {};
// The frame was read but its headers or body were not usable.
struct BadFrame {
  std::string reason;
};
using Frame = std::variant<nlohmann::json, BadFrame, EndOfInput>;

class Transport {
 public:
  // Reads `in` through its file descriptor (no stdio buffering, so it can
  // tell whether more bytes are coming); `log` gets one line per problem,
  // or nothing when null.
  Transport(std::FILE* in, std::FILE* out, std::FILE* log = stderr);

  // The next message. A body that is not JSON is a BadFrame, as is a header
  // block without a usable Content-Length.
  Frame read();
  void send(const nlohmann::json& message);

  // How long a message whose body is whole may wait for bytes its
  // Content-Length promised before the length is taken for a lie.
  void set_patience_ms(int ms) { patience_ms_ = ms; }

 private:
  enum class Fill { Data, Timeout, End };
  Fill fill(int timeout_ms);
  bool read_line(std::string* line);
  Frame body(size_t length, const std::string& header);
  void log(const std::string& message);

  int in_fd_;
  std::FILE* out_;
  std::FILE* log_;
  std::string buffer_;  // bytes read and not yet used, from pos_
  size_t pos_ = 0;
  bool ended_ = false;
  int patience_ms_ = 1000;
};

nlohmann::json make_response(const nlohmann::json& id, nlohmann::json result);
nlohmann::json make_error(const nlohmann::json& id, int code, const std::string& message);
nlohmann::json make_notification(const std::string& method, nlohmann::json params);

}  // namespace flowc::lsp
