// LSP framing over stdio FILE streams.
#include "lsp/json_rpc.h"

#include "lsp/json_parse.h"

#include <cctype>
#include <charconv>
#include <optional>

namespace flowc::lsp {
namespace {

// Bodies larger than this are refused (and skipped) rather than allocated.
constexpr size_t kMaxBody = size_t{256} << 20;

std::string lower(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

std::string trim(const std::string& s) {
  size_t b = s.find_first_not_of(" \t");
  size_t e = s.find_last_not_of(" \t");
  return b == std::string::npos ? std::string() : s.substr(b, e - b + 1);
}

}  // namespace

bool Transport::read_line(std::string* line) {
  line->clear();
  int c;
  while ((c = std::getc(in_)) != EOF) {
    if (c == '\n') {
      if (!line->empty() && line->back() == '\r') line->pop_back();
      return true;
    }
    line->push_back(static_cast<char>(c));
    if (line->size() > 65536) return true;  // a header line this long is garbage; let the caller reject it
  }
  return !line->empty();
}

Frame Transport::read() {
  std::string line;
  std::optional<size_t> length;
  std::string problem;
  bool any_header = false;
  while (true) {
    if (!read_line(&line)) return EndOfInput{};
    if (line.empty()) {
      if (!any_header) continue;  // stray blank lines between frames
      break;
    }
    any_header = true;
    size_t colon = line.find(':');
    if (colon == std::string::npos) {
      problem = "a header line without ':' (" + line.substr(0, 40) + ")";
      continue;
    }
    std::string name = lower(trim(line.substr(0, colon)));
    std::string value = trim(line.substr(colon + 1));
    if (name == "content-length") {
      size_t n = 0;
      auto [end, ec] = std::from_chars(value.data(), value.data() + value.size(), n);
      if (ec != std::errc() || end != value.data() + value.size()) {
        problem = "Content-Length is not a number: " + value.substr(0, 40);
      } else {
        length = n;
      }
    }
  }
  if (!length) return BadFrame{problem.empty() ? "no Content-Length header" : problem};
  if (*length > kMaxBody) {
    for (size_t i = 0; i < *length && std::getc(in_) != EOF; ++i) {
    }
    return BadFrame{"a message of " + std::to_string(*length) + " bytes is too large"};
  }
  std::string body(*length, '\0');
  size_t got = std::fread(body.data(), 1, *length, in_);
  if (got < *length) return EndOfInput{};
  if (!problem.empty()) return BadFrame{problem};
  nlohmann::json message = parse_message(body);
  if (message.is_discarded()) return BadFrame{"the body is not valid JSON"};
  return message;
}

void Transport::send(const nlohmann::json& message) {
  // Invalid UTF-8 from a user's file must not make dump() throw.
  std::string body = message.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  std::fprintf(out_, "Content-Length: %zu\r\n\r\n", body.size());
  std::fwrite(body.data(), 1, body.size(), out_);
  std::fflush(out_);
}

nlohmann::json make_response(const nlohmann::json& id, nlohmann::json result) {
  return {{"jsonrpc", "2.0"}, {"id", id}, {"result", std::move(result)}};
}

nlohmann::json make_error(const nlohmann::json& id, int code, const std::string& message) {
  return {{"jsonrpc", "2.0"}, {"id", id}, {"error", {{"code", code}, {"message", message}}}};
}

nlohmann::json make_notification(const std::string& method, nlohmann::json params) {
  return {{"jsonrpc", "2.0"}, {"method", method}, {"params", std::move(params)}};
}

}  // namespace flowc::lsp
