// The Beast plumbing: listener, sessions, limits, event streams. The only
// file that includes Boost.Beast (it is slow to compile).
#include "runtime/serve/http_server.h"

#include <utility>  // Boost 1.74's asio uses std::exchange without including it (C++20)

#include <boost/asio.hpp>
#include <boost/beast.hpp>

#include <atomic>
#include <mutex>
#include <stdexcept>
#include <thread>

namespace flowc::runtime::serve {
namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;

bool percent_decode(const std::string& in, std::string* out, bool plus_is_space) {
  out->clear();
  out->reserve(in.size());
  auto hex = [](char c) -> int {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
  };
  for (size_t i = 0; i < in.size(); ++i) {
    char c = in[i];
    if (c == '%') {
      if (i + 2 >= in.size()) return false;
      int hi = hex(in[i + 1]), lo = hex(in[i + 2]);
      if (hi < 0 || lo < 0) return false;
      c = static_cast<char>(hi * 16 + lo);
      i += 2;
    } else if (c == '+' && plus_is_space) {
      c = ' ';
    }
    if (c == '\0') return false;
    out->push_back(c);
  }
  return true;
}

namespace {

// Requests per client address: a token bucket each.
class RateLimiter {
 public:
  RateLimiter(double rate, double burst) : rate_(rate), burst_(burst) {}
  bool allow(const std::string& who) {
    std::lock_guard lock(mutex_);
    auto now = std::chrono::steady_clock::now();
    auto [it, added] = buckets_.try_emplace(who, Bucket{burst_, now});
    Bucket& b = it->second;
    b.tokens = std::min(burst_, b.tokens + rate_ * std::chrono::duration<double>(now - b.last).count());
    b.last = now;
    if (buckets_.size() > 10000) buckets_.clear();  // many addresses: start over rather than grow
    if (b.tokens < 1) return false;
    b.tokens -= 1;
    return true;
  }

 private:
  struct Bucket {
    double tokens;
    std::chrono::steady_clock::time_point last;
  };
  double rate_, burst_;
  std::mutex mutex_;
  std::map<std::string, Bucket> buckets_;
};

struct Shared {
  HttpLimits limits;
  HttpHandler handler;
  RateLimiter rate;
  Shared(HttpLimits l, HttpHandler h) : limits(l), handler(std::move(h)), rate(l.requests_per_second, l.burst) {}
};

std::string reason_json(const std::string& message) {
  std::string out = "{\"error\":\"";
  for (char c : message) {
    if (c == '"' || c == '\\') out += '\\';
    if (static_cast<unsigned char>(c) < 0x20) continue;
    out += c;
  }
  return out + "\"}";
}

class Session : public std::enable_shared_from_this<Session> {
 public:
  Session(tcp::socket socket, std::shared_ptr<Shared> shared)
      : stream_(std::move(socket)), shared_(std::move(shared)), timer_(stream_.get_executor()) {
    beast::error_code ec;
    auto endpoint = stream_.socket().remote_endpoint(ec);
    peer_ = ec ? "?" : endpoint.address().to_string();
  }

  void start() { read(); }

 private:
  void read() {
    parser_.emplace();
    parser_->header_limit(static_cast<std::uint32_t>(shared_->limits.max_header_bytes));
    parser_->body_limit(shared_->limits.max_body_bytes);
    stream_.expires_after(shared_->limits.idle_timeout);
    http::async_read(stream_, buffer_, *parser_,
                     [self = shared_from_this()](beast::error_code ec, size_t) { self->on_read(ec); });
  }

  void on_read(beast::error_code ec) {
    if (ec == http::error::body_limit) return refuse(413, "the request's body is too large");
    if (ec == http::error::header_limit) return refuse(431, "the request's headers are too large");
    if (ec) return close();  // closed, timed out, or not HTTP
    auto& req = parser_->get();
    keep_alive_ = req.keep_alive();
    version_ = req.version();
    if (!shared_->rate.allow(peer_)) return refuse(429, "too many requests from this address; slow down");
    HttpRequest request;
    request.method = std::string(req.method_string());
    request.peer = peer_;
    request.body = std::move(req.body());
    request.authorization = std::string(req[http::field::authorization]);
    request.last_event_id = std::string(req["Last-Event-ID"]);
    std::string target(req.target());
    std::string raw_path = target.substr(0, target.find('?'));
    if (!percent_decode(raw_path, &request.path, false)) return refuse(400, "the request's path is not well encoded");
    if (size_t q = target.find('?'); q != std::string::npos) {
      std::string query = target.substr(q + 1);
      size_t start = 0;
      while (start <= query.size()) {
        size_t end = query.find('&', start);
        if (end == std::string::npos) end = query.size();
        std::string pair = query.substr(start, end - start);
        if (!pair.empty()) {
          size_t eq = pair.find('=');
          std::string key, value;
          if (!percent_decode(pair.substr(0, eq), &key, true) ||
              !percent_decode(eq == std::string::npos ? "" : pair.substr(eq + 1), &value, true)) {
            return refuse(400, "the request's query is not well encoded");
          }
          request.query[key] = value;
        }
        start = end + 1;
      }
    }
    HttpResponse response;
    try {
      response = shared_->handler(request);
    } catch (const std::exception& e) {
      response =
          HttpResponse{500, "application/json", reason_json(std::string("flowc serve failed: ") + e.what()), {}, {}};
    }
    if (response.stream) return start_stream(std::move(response));
    send(std::move(response));
  }

  void refuse(int status, const std::string& why) {
    keep_alive_ = false;
    linger_ = true;
    send(HttpResponse{status, "application/json", reason_json(why), {}, {}});
  }

  void send(HttpResponse response) {
    auto res = std::make_shared<http::response<http::string_body>>(static_cast<http::status>(response.status),
                                                                   version_ ? version_ : 11);
    res->set(http::field::server, "flowc");
    res->set(http::field::content_type, response.content_type);
    res->set(http::field::cache_control, "no-store");
    res->set("X-Content-Type-Options", "nosniff");
    for (const auto& [name, value] : response.headers) res->set(name, value);
    res->keep_alive(keep_alive_);
    res->body() = std::move(response.body);
    res->prepare_payload();
    http::async_write(stream_, *res, [self = shared_from_this(), res](beast::error_code ec, size_t) {
      if (ec) return self->close();
      if (!res->keep_alive()) return self->linger_ ? self->linger() : self->close();
      self->read();
    });
  }

  // A refused request's body may still be on its way. Closing with it
  // unread makes the kernel answer with a reset, and a client still writing
  // then loses the answer it was sent (it sees EPIPE, never the 413). So stop
  // sending, read and drop what comes until the client closes, bounded in
  // bytes and time, then close: the "lingering close" of nginx and Apache.
  void linger() {
    beast::error_code ec;
    stream_.socket().shutdown(tcp::socket::shutdown_send, ec);
    if (ec) return close();
    stream_.expires_after(std::chrono::seconds(2));
    scratch_.resize(16384);
    drain(0);
  }

  void drain(size_t dropped) {
    stream_.async_read_some(asio::buffer(scratch_),
                            [self = shared_from_this(), dropped](beast::error_code ec, size_t n) {
                              size_t total = dropped + n;
                              if (ec || total > 4 * self->shared_->limits.max_body_bytes + (1u << 20))
                                return self->close();
                              self->drain(total);
                            });
  }

  // Server-sent events: the header, then what the stream gives, until it
  // ends or the client goes.
  void start_stream(HttpResponse response) {
    stream_.expires_never();
    source_ = std::move(response.stream);
    auto header =
        std::make_shared<std::string>("HTTP/1.1 200 OK\r\nContent-Type: " + response.content_type +
                                      "\r\nCache-Control: no-store\r\nConnection: close\r\nX-Accel-Buffering: no\r\n");
    for (const auto& [name, value] : response.headers) *header += name + ": " + value + "\r\n";
    *header += "\r\n";
    asio::async_write(stream_.socket(), asio::buffer(*header),
                      [self = shared_from_this(), header](beast::error_code ec, size_t) {
                        if (ec) return self->close();
                        self->pump();
                      });
  }

  void pump() {
    std::optional<std::string> text;
    try {
      text = source_();
    } catch (const std::exception&) {
      text.reset();
    }
    if (!text) return close();
    if (text->empty()) return wait();
    auto data = std::make_shared<std::string>(std::move(*text));
    asio::async_write(stream_.socket(), asio::buffer(*data),
                      [self = shared_from_this(), data](beast::error_code ec, size_t) {
                        if (ec) return self->close();
                        self->wait();
                      });
  }

  void wait() {
    timer_.expires_after(shared_->limits.stream_interval);
    timer_.async_wait([self = shared_from_this()](beast::error_code ec) {
      if (ec) return self->close();
      self->pump();
    });
  }

  void close() {
    beast::error_code ec;
    stream_.socket().shutdown(tcp::socket::shutdown_both, ec);
    stream_.socket().close(ec);
  }

  beast::tcp_stream stream_;
  std::shared_ptr<Shared> shared_;
  asio::steady_timer timer_;
  beast::flat_buffer buffer_;
  std::optional<http::request_parser<http::string_body>> parser_;
  std::function<std::optional<std::string>()> source_;
  std::string peer_;
  bool keep_alive_ = false;
  bool linger_ = false;        // refused: drain what the client still sends before closing
  std::vector<char> scratch_;  // what linger() reads into and drops
  unsigned version_ = 11;
};

}  // namespace

struct HttpServer::Impl {
  asio::io_context io;
  tcp::acceptor acceptor{io};
  std::shared_ptr<Shared> shared;
  std::vector<std::shared_ptr<std::function<void()>>> ticks;

  void accept() {
    acceptor.async_accept(asio::make_strand(io), [this](beast::error_code ec, tcp::socket socket) {
      if (!acceptor.is_open()) return;
      if (!ec) std::make_shared<Session>(std::move(socket), shared)->start();
      accept();
    });
  }
};

HttpServer::HttpServer(const std::string& address, int port, HttpLimits limits, HttpHandler handler)
    : impl_(std::make_unique<Impl>()) {
  impl_->shared = std::make_shared<Shared>(limits, std::move(handler));
  beast::error_code ec;
  auto ip = asio::ip::make_address(address, ec);
  if (ec) throw std::runtime_error("`" + address + "` is not an IP address");
  tcp::endpoint endpoint(ip, static_cast<unsigned short>(port));
  impl_->acceptor.open(endpoint.protocol(), ec);
  if (!ec) impl_->acceptor.set_option(asio::socket_base::reuse_address(true), ec);
  if (!ec) impl_->acceptor.bind(endpoint, ec);
  if (!ec) impl_->acceptor.listen(asio::socket_base::max_listen_connections, ec);
  if (ec) throw std::runtime_error("cannot listen on " + address + ":" + std::to_string(port) + ": " + ec.message());
  impl_->accept();
}

HttpServer::~HttpServer() { stop(); }

int HttpServer::port() const {
  beast::error_code ec;
  return impl_->acceptor.local_endpoint(ec).port();
}

void HttpServer::every(std::chrono::milliseconds period, std::function<void()> tick) {
  auto timer = std::make_shared<asio::steady_timer>(impl_->io);
  auto loop = std::make_shared<std::function<void()>>();
  impl_->ticks.push_back(loop);  // owned by the server; the timer's handler holds only the timer
  std::weak_ptr<std::function<void()>> weak = loop;
  *loop = [timer, period, tick = std::move(tick), weak]() {
    timer->expires_after(period);
    timer->async_wait([tick, weak](beast::error_code ec) {
      if (ec) return;
      tick();
      if (auto again = weak.lock()) (*again)();
    });
  };
  (*loop)();
}

void HttpServer::run() {
  int n = std::max(1, impl_->shared->limits.threads);
  std::vector<std::thread> threads;
  for (int i = 1; i < n; ++i) threads.emplace_back([this] { impl_->io.run(); });
  impl_->io.run();
  for (auto& t : threads) t.join();
}

void HttpServer::stop() {
  beast::error_code ec;
  impl_->acceptor.close(ec);
  impl_->io.stop();
}

}  // namespace flowc::runtime::serve
