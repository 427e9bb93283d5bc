// LSP framing over a file descriptor, with resynchronisation after a bad or
// lying header (json_rpc.h says how).
#include "lsp/json_rpc.h"

#include <poll.h>
#include <unistd.h>

#include <cctype>
#include <cerrno>
#include <charconv>
#include <optional>
#include <string_view>

#include "ir/utf8.h"
#include "lsp/json_parse.h"

namespace flowc::lsp {
namespace {

constexpr size_t kMaxHeaderLine = 64 * 1024;
constexpr std::string_view kLengthHeader = "content-length:";

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

std::string trim(std::string_view s) {
  size_t b = s.find_first_not_of(" \t");
  size_t e = s.find_last_not_of(" \t");
  return b == std::string_view::npos ? std::string() : std::string(s.substr(b, e - b + 1));
}

size_t find_length_header(std::string_view s) { return lower(s).find(kLengthHeader); }

// `Name: value`, the name a token.
bool is_header(std::string_view line) {
  size_t colon = line.find(':');
  if (colon == 0 || colon == std::string_view::npos) return false;
  for (size_t i = 0; i < colon; ++i) {
    char c = line[i];
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '-' && c != '_') return false;
  }
  return true;
}

// A piece of text as it may appear in a log line.
std::string shown(std::string_view s, size_t limit = 60) {
  std::string out = ir::printable_utf8(s.substr(0, limit));
  for (char& c : out) {
    if (static_cast<unsigned char>(c) < 0x20) c = ' ';
  }
  return s.size() > limit ? out + "..." : out;
}

// Where the JSON object or array at the start of `s` ends (after leading
// white space), or npos if it is not whole yet. Iterative: no depth limit.
size_t json_value_end(std::string_view s) {
  size_t i = s.find_first_not_of(" \t\r\n");
  if (i == std::string_view::npos || (s[i] != '{' && s[i] != '[')) return std::string_view::npos;
  size_t depth = 0;
  bool in_string = false;
  for (; i < s.size(); ++i) {
    char c = s[i];
    if (in_string) {
      if (c == '\\') ++i;
      else if (c == '"') in_string = false;
      continue;
    }
    if (c == '"') {
      in_string = true;
    } else if (c == '{' || c == '[') {
      ++depth;
    } else if (c == '}' || c == ']') {
      if (--depth == 0) return i + 1;
    }
  }
  return std::string_view::npos;
}

// After a whole value ending at `end`, does the next message's header start
// (after white space)? Then the Content-Length was longer than the message.
std::optional<size_t> next_header_after(std::string_view s, size_t end) {
  size_t next = s.find_first_not_of(" \t\r\n", end);
  if (next == std::string_view::npos) return std::nullopt;
  std::string_view rest = s.substr(next, kLengthHeader.size());
  if (rest.size() < kLengthHeader.size() || lower(rest) != kLengthHeader) return std::nullopt;
  return next;
}

}  // namespace

Transport::Transport(std::FILE* in, std::FILE* out, std::FILE* log) : in_fd_(::fileno(in)), out_(out), log_(log) {}

void Transport::log(const std::string& message) {
  if (!log_) return;
  std::fprintf(log_, "flowc lsp: %s\n", message.c_str());
  std::fflush(log_);
}

Transport::Fill Transport::fill(int timeout_ms) {
  if (ended_) return Fill::End;
  if (pos_ > 0 && pos_ * 2 >= buffer_.size()) {
    buffer_.erase(0, pos_);
    pos_ = 0;
  }
  if (timeout_ms >= 0) {
    pollfd p{in_fd_, POLLIN, 0};
    int r;
    do {
      r = ::poll(&p, 1, timeout_ms);
    } while (r < 0 && errno == EINTR);
    if (r == 0) return Fill::Timeout;
  }
  char chunk[65536];
  ssize_t n;
  do {
    n = ::read(in_fd_, chunk, sizeof chunk);
  } while (n < 0 && errno == EINTR);
  if (n <= 0) {
    ended_ = true;
    return Fill::End;
  }
  buffer_.append(chunk, static_cast<size_t>(n));
  return Fill::Data;
}

bool Transport::read_line(std::string* line) {
  while (true) {
    size_t nl = buffer_.find('\n', pos_);
    if (nl != std::string::npos) {
      line->assign(buffer_, pos_, nl - pos_);
      pos_ = nl + 1;
      if (!line->empty() && line->back() == '\r') line->pop_back();
      return true;
    }
    // A "line" this long is no header: hand it over in pieces (a header
    // inside it is still found: each piece keeps the tail of the last).
    if (buffer_.size() - pos_ > kMaxHeaderLine) {
      line->assign(buffer_, pos_, kMaxHeaderLine);
      pos_ += kMaxHeaderLine - kLengthHeader.size();
      return true;
    }
    if (fill(-1) == Fill::End) {
      line->assign(buffer_, pos_, std::string::npos);
      pos_ = buffer_.size();
      return !line->empty();
    }
  }
}

Frame Transport::read() {
  std::string line;
  size_t skipped = 0;
  std::string skipped_sample;
  auto skip = [&](std::string_view junk) {
    if (junk.empty()) return;
    if (skipped_sample.empty()) skipped_sample = shown(junk);
    skipped += junk.size() + 1;
  };
  auto report_skipped = [&] {
    if (skipped > 0)
      log("skipped " + std::to_string(skipped) + " bytes that were not a message: `" + skipped_sample + "`");
    skipped = 0;
    skipped_sample.clear();
  };

  bool have_line = false;
  while (true) {
    // The first line of a header block; anything else is skipped, but a
    // Content-Length inside it starts one (that is how a reader gets back in
    // step after a body of the wrong length).
    if (!have_line && !read_line(&line)) {
      report_skipped();
      return EndOfInput{};
    }
    have_line = false;
    if (line.empty()) continue;  // stray blank lines between frames
    size_t at = find_length_header(line);
    if (at != std::string::npos && at > 0) {
      skip(std::string_view(line).substr(0, at));
      line.erase(0, at);
    } else if (at == std::string::npos && !is_header(line)) {
      skip(line);
      continue;
    }
    report_skipped();

    std::optional<size_t> length;
    std::string length_header, problem;
    while (true) {
      size_t colon = line.find(':');
      std::string name = lower(trim(std::string_view(line).substr(0, colon)));
      std::string value = trim(std::string_view(line).substr(colon + 1));
      if (name == "content-length") {
        length_header = line;
        uint64_t n = 0;
        auto [end, ec] = std::from_chars(value.data(), value.data() + value.size(), n);
        bool digits = !value.empty() && std::isdigit(static_cast<unsigned char>(value[0]));
        if (!digits || ec != std::errc() || end != value.data() + value.size()) {
          problem = "`" + shown(line) + "` is not a length (a number of bytes)";
        } else {
          length = static_cast<size_t>(n);
          problem.clear();
        }
      }
      if (!read_line(&line)) {
        log("the input ended inside a message's headers");
        return EndOfInput{};
      }
      if (line.empty()) break;
      if (!is_header(line)) {
        problem = "a line among the headers is not a header: `" + shown(line) + "`";
        break;
      }
    }
    if (!problem.empty() || !length) {
      if (problem.empty()) problem = "a message without a Content-Length header";
      log(problem + "; skipping to the next Content-Length header");
      if (!line.empty()) have_line = true;  // it may hold the next header
      if (have_line) continue;
      return BadFrame{problem};
    }
    if (*length > kMaxMessageBytes) {
      problem = "`" + shown(length_header) + "` is larger than the " + std::to_string(kMaxMessageBytes >> 20) +
                " MiB a message may be";
      log(problem + "; skipping to the next Content-Length header");
      return BadFrame{problem};
    }
    return body(*length, length_header);
  }
}

Frame Transport::body(size_t length, const std::string& header) {
  // Take the whole JSON value that ends at `end` as the message: the
  // Content-Length promised more than came.
  auto take_value = [&](size_t end, const std::string& why) -> Frame {
    log("`" + shown(header) + "` is longer than the message (" + std::to_string(end) + " bytes), " + why +
        "; reading on after it");
    std::string text = buffer_.substr(pos_, end);
    pos_ += end;
    std::string error;
    std::optional<nlohmann::json> message = parse_message(text, &error);
    if (!message) return BadFrame{"the body is not valid JSON: " + error};
    return std::move(*message);
  };

  while (buffer_.size() - pos_ < length) {
    if (fill(0) == Fill::Data) continue;  // more is there: no need to look yet
    std::string_view got(buffer_.data() + pos_, buffer_.size() - pos_);
    size_t end = json_value_end(got);
    if (end != std::string_view::npos && next_header_after(got, end)) {
      return take_value(end, "and the next message began");
    }
    Fill f = fill(end != std::string_view::npos ? patience_ms_ : -1);
    if (f == Fill::Timeout) return take_value(end, "and nothing more came");
    if (f == Fill::End) {
      if (end != std::string_view::npos) return take_value(end, "and the input ended");
      log("the input ended inside a message (`" + shown(header) + "`, " + std::to_string(buffer_.size() - pos_) +
          " bytes came)");
      pos_ = buffer_.size();
      return EndOfInput{};
    }
  }

  std::string_view text(buffer_.data() + pos_, length);
  std::string error;
  std::optional<nlohmann::json> message = parse_message(text, &error);
  if (message) {
    pos_ += length;
    return std::move(*message);
  }
  // The length covered the start of the next message: take the value before it.
  size_t end = json_value_end(text);
  if (end != std::string_view::npos && next_header_after(text, end)) {
    return take_value(end, "and the next message began");
  }
  pos_ += length;
  std::string problem = "the body after `" + shown(header) + "` is not valid JSON (" + error + ")";
  log(problem + "; skipping to the next Content-Length header");
  return BadFrame{problem};
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
