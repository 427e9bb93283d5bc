// A small HTTP/1.1 server for flowc serve, on Boost.Beast (asio): a few
// threads serve every connection asynchronously, so 50 clients polling and
// long-lived event streams cost no thread each (bench/serve/http_choice
// measured it beside cpp-httplib and civetweb). It knows nothing of flowc:
// a handler maps a request to a response.
//
// Safe by default: the request line and headers are bounded (431), the body
// too (413), each client address gets a token bucket of requests (429), a
// connection that sends nothing is closed, and a handler's exception is a
// 500 with its message, never a crash. The path is percent-decoded once; a
// malformed escape or a NUL is a 400 before any handler sees it.
#pragma once

#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace flowc::runtime::serve {

struct HttpRequest {
  std::string method;                        // GET, POST, ...
  std::string path;                          // percent-decoded, without the query
  std::map<std::string, std::string> query;  // decoded
  std::string body;
  std::string authorization;  // the header, as sent
  std::string last_event_id;  // Last-Event-ID (an event stream resuming)
  std::string peer;           // the client's address
};

struct HttpResponse {
  int status = 200;
  std::string content_type = "application/json";
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;
  // An endless response (server-sent events): called on the connection's
  // strand every `stream_interval`; returns text to send (maybe empty), or
  // nothing when the stream is over. The connection closes after it.
  std::function<std::optional<std::string>()> stream;
};

using HttpHandler = std::function<HttpResponse(const HttpRequest&)>;

struct HttpLimits {
  size_t max_header_bytes = 16 * 1024;
  size_t max_body_bytes = 1024 * 1024;
  double requests_per_second = 1000;  // per client address, sustained
  double burst = 2000;                // and at once
  int threads = 4;
  std::chrono::seconds idle_timeout{30};
  std::chrono::milliseconds stream_interval{200};
};

class HttpServer {
 public:
  // Binds `address`:`port` (0: a free port) at once; throws std::runtime_error
  // with the reason if it cannot.
  HttpServer(const std::string& address, int port, HttpLimits limits, HttpHandler handler);
  ~HttpServer();
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  int port() const;
  // Serves until stop() (from another thread or a signal watcher).
  void run();
  void stop();
  // Runs `tick` every `period` on the server's threads (housekeeping).
  void every(std::chrono::milliseconds period, std::function<void()> tick);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// "%2e%2E" → ".."; false if an escape is malformed or decodes to NUL.
bool percent_decode(const std::string& in, std::string* out, bool plus_is_space);

}  // namespace flowc::runtime::serve
