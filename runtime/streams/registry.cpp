// Registry back ends: files in the run's folder, or Redis through hiredis.
#include "runtime/streams/registry.h"

#include <fcntl.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

#include <fmt/format.h>
#include <hiredis/hiredis.h>

namespace flowc::runtime::streams {
namespace fs = std::filesystem;

std::optional<std::string> Registry::wait(const std::string& key, std::chrono::milliseconds timeout,
                                          std::string* error) {
  auto until = std::chrono::steady_clock::now() + timeout;
  auto pause = std::chrono::milliseconds(1);
  for (;;) {
    auto v = get(key, error);
    if (v || !error->empty()) return v;
    if (std::chrono::steady_clock::now() >= until) return std::nullopt;
    std::this_thread::sleep_for(pause);
    pause = std::min(pause * 2, std::chrono::milliseconds(20));
  }
}

namespace {

// A name as a file name: '/' and '%' escaped, so every name is one file.
std::string file_name(const std::string& key) {
  std::string out;
  for (char c : key) {
    if (c == '/' || c == '%') {
      out += fmt::format("%{:02X}", static_cast<unsigned char>(c));
    } else {
      out += c;
    }
  }
  return out;
}

class DirRegistry : public Registry {
 public:
  explicit DirRegistry(fs::path dir) : dir_(std::move(dir)) {}
  std::string put(const std::string& key, const std::string& value) override {
    std::error_code ec;
    fs::create_directories(dir_, ec);
    // Written whole, then renamed: a reader never sees half a value.
    fs::path final_path = dir_ / file_name(key);
    fs::path tmp = dir_ / (file_name(key) + fmt::format(".tmp{}", ::getpid()));
    {
      std::ofstream out(tmp, std::ios::binary);
      out << value;
      if (!out) return fmt::format("cannot write `{}`", tmp.string());
    }
    fs::rename(tmp, final_path, ec);
    if (ec) return fmt::format("cannot write `{}`: {}", final_path.string(), ec.message());
    return "";
  }
  std::optional<std::string> get(const std::string& key, std::string* error) override {
    error->clear();
    std::ifstream in(dir_ / file_name(key), std::ios::binary);
    if (!in) return std::nullopt;
    std::stringstream s;
    s << in.rdbuf();
    return s.str();
  }
  std::string describe() const override { return "the run's registry folder " + dir_.string(); }

 private:
  fs::path dir_;
};

class RedisRegistry : public Registry {
 public:
  RedisRegistry(redisContext* c, std::string url, std::string prefix)
      : c_(c), url_(std::move(url)), prefix_(std::move(prefix)) {}
  ~RedisRegistry() override { redisFree(c_); }
  RedisRegistry(const RedisRegistry&) = delete;
  RedisRegistry& operator=(const RedisRegistry&) = delete;

  std::string put(const std::string& key, const std::string& value) override {
    std::string k = prefix_ + key;
    // Kept a day: long enough for any run, gone without anyone cleaning.
    auto* r = static_cast<redisReply*>(
        redisCommand(c_, "SET %b %b EX 86400", k.data(), k.size(), value.data(), value.size()));
    if (!r) return fmt::format("Redis at {}: {}", url_, c_->errstr);
    std::string error = r->type == REDIS_REPLY_ERROR ? fmt::format("Redis at {}: {}", url_, r->str) : "";
    freeReplyObject(r);
    return error;
  }
  std::optional<std::string> get(const std::string& key, std::string* error) override {
    error->clear();
    std::string k = prefix_ + key;
    auto* r = static_cast<redisReply*>(redisCommand(c_, "GET %b", k.data(), k.size()));
    if (!r) {
      *error = fmt::format("Redis at {}: {}", url_, c_->errstr);
      return std::nullopt;
    }
    std::optional<std::string> out;
    if (r->type == REDIS_REPLY_STRING) out = std::string(r->str, r->len);
    if (r->type == REDIS_REPLY_ERROR) *error = fmt::format("Redis at {}: {}", url_, r->str);
    freeReplyObject(r);
    return out;
  }
  std::string describe() const override { return "Redis at " + url_; }

 private:
  redisContext* c_;
  std::string url_;
  std::string prefix_;
};

}  // namespace

std::unique_ptr<Registry> open_registry(const std::string& url, const std::string& run_id, std::string* error) {
  if (url.rfind("dir://", 0) == 0) return std::make_unique<DirRegistry>(fs::path(url.substr(6)));
  if (url.rfind("redis://", 0) == 0) {
    std::string rest = url.substr(8);
    while (!rest.empty() && rest.back() == '/') rest.pop_back();
    std::string host = rest;
    int port = 6379;
    if (size_t colon = rest.rfind(':'); colon != std::string::npos) {
      host = rest.substr(0, colon);
      try {
        port = std::stoi(rest.substr(colon + 1));
      } catch (const std::exception&) {
        *error = fmt::format("the registry `{}` has no valid port (write redis://HOST:PORT)", url);
        return nullptr;
      }
    }
    timeval timeout{5, 0};
    redisContext* c = redisConnectWithTimeout(host.c_str(), port, timeout);
    if (!c || c->err) {
      *error = fmt::format(
          "cannot reach the Redis registry at {}: {}; start redis-server there, or run without "
          "--registry (the embedded one works within one machine)",
          url, c ? c->errstr : "out of memory");
      if (c) redisFree(c);
      return nullptr;
    }
    redisSetTimeout(c, timeout);
    // A server reachable from other nodes should ask for a password; it is
    // taken from the environment (which jobs inherit), never from the URL,
    // which is written in every stream task's spec.
    if (const char* password = std::getenv("FLOWC_REGISTRY_PASSWORD"); password && *password) {
      auto* a = static_cast<redisReply*>(redisCommand(c, "AUTH %s", password));
      std::string why = !a ? std::string(c->errstr) : a->type == REDIS_REPLY_ERROR ? std::string(a->str) : "";
      if (a) freeReplyObject(a);
      if (!why.empty()) {
        *error = fmt::format("the Redis registry at {} refused the password in FLOWC_REGISTRY_PASSWORD: {}", url, why);
        redisFree(c);
        return nullptr;
      }
    }
    auto* r = static_cast<redisReply*>(redisCommand(c, "PING"));
    bool ok = r && (r->type == REDIS_REPLY_STATUS || r->type == REDIS_REPLY_STRING);
    std::string why = r ? (r->type == REDIS_REPLY_ERROR ? std::string(r->str) : "") : std::string(c->errstr);
    if (r) freeReplyObject(r);
    if (!ok) {
      if (why.rfind("NOAUTH", 0) == 0) why += " (it wants a password: set FLOWC_REGISTRY_PASSWORD)";
      *error = fmt::format("the Redis registry at {} does not answer PING: {}", url, why);
      redisFree(c);
      return nullptr;
    }
    return std::make_unique<RedisRegistry>(c, url, "flowc:" + run_id + ":");
  }
  *error = fmt::format("unknown registry `{}`: write redis://HOST:PORT", url);
  return nullptr;
}

}  // namespace flowc::runtime::streams
