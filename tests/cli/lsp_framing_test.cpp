// `flowc lsp` given lying Content-Length headers (issue 15): each bad header
// is logged to stderr with what it said, and the server gets back in step
// and answers the next request; nothing makes it go quiet. The real binary,
// over pipes, with a deadline on every answer.
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <optional>
#include <string>

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "tests/support/test_support.h"

using nlohmann::json;

namespace {

class LspProcess {
 public:
  LspProcess() {
    int in[2], out[2];
    REQUIRE(::pipe(in) == 0);
    REQUIRE(::pipe(out) == 0);
    char err_name[] = "/tmp/flowc-lsp-err-XXXXXX";
    int err_fd = ::mkstemp(err_name);
    err_path_ = err_name;
    pid_ = ::fork();
    if (pid_ == 0) {
      ::dup2(in[0], 0);
      ::dup2(out[1], 1);
      ::dup2(err_fd, 2);
      ::close(in[1]);
      ::close(out[0]);
      std::string binary = FLOWC_BINARY;
      std::string cmd = "lsp";
      char* argv[] = {binary.data(), cmd.data(), nullptr};
      ::execv(binary.c_str(), argv);
      ::_exit(127);
    }
    ::close(in[0]);
    ::close(out[1]);
    ::close(err_fd);
    to_ = in[1];
    from_ = out[0];
  }
  ~LspProcess() {
    if (to_ >= 0) ::close(to_);
    ::close(from_);
    if (pid_ > 0) {
      ::kill(pid_, SIGKILL);
      ::waitpid(pid_, nullptr, 0);
    }
    ::unlink(err_path_.c_str());
  }

  void send_raw(const std::string& bytes) {
    REQUIRE(::write(to_, bytes.data(), bytes.size()) == ssize_t(bytes.size()));
  }
  static std::string frame(const json& message) {
    std::string body = message.dump();
    return "Content-Length: " + std::to_string(body.size()) + "\r\n\r\n" + body;
  }
  static std::string request(int id, const std::string& method, json params = json::object()) {
    return json{{"jsonrpc", "2.0"}, {"id", id}, {"method", method}, {"params", params}}.dump();
  }

  // The next message from the server, or nullopt after `seconds`.
  std::optional<json> receive(int seconds = 5) {
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(seconds);
    while (true) {
      size_t end = buffer_.find("\r\n\r\n");
      if (end != std::string::npos) {
        size_t length = std::stoul(buffer_.substr(buffer_.find(':') + 1, end));
        if (buffer_.size() >= end + 4 + length) {
          json message = json::parse(buffer_.substr(end + 4, length));
          buffer_.erase(0, end + 4 + length);
          return message;
        }
      }
      auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
      if (left.count() <= 0) return std::nullopt;
      pollfd p{from_, POLLIN, 0};
      if (::poll(&p, 1, static_cast<int>(left.count())) <= 0) return std::nullopt;
      char chunk[65536];
      ssize_t n = ::read(from_, chunk, sizeof chunk);
      if (n <= 0) return std::nullopt;
      buffer_.append(chunk, static_cast<size_t>(n));
    }
  }
  // The response to request `id` (skipping notifications), or nullopt.
  std::optional<json> response(int id, int seconds = 5) {
    while (auto m = receive(seconds)) {
      if (m->contains("id") && (*m)["id"] == id) return m;
    }
    return std::nullopt;
  }
  std::string stderr_text() const { return flowc::test::read_file(err_path_); }
  long max_rss_kb() const { return max_rss_kb_; }  // the server's peak, once finished
  int finish(int seconds = 5) {
    ::close(to_);
    to_ = -1;
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(seconds);
    int status = 0;
    rusage usage{};
    while (::wait4(pid_, &status, WNOHANG, &usage) == 0) {
      if (std::chrono::steady_clock::now() > deadline) return -1;
      ::usleep(20000);
    }
    pid_ = -1;
    max_rss_kb_ = usage.ru_maxrss;
    return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  }

 private:
  pid_t pid_ = -1;
  int to_ = -1;
  int from_ = -1;
  std::string err_path_;
  std::string buffer_;
  long max_rss_kb_ = 0;
};

bool contains(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

}  // namespace

TEST_CASE("lsp: a Content-Length longer than the message is logged and the message still answered", "[cli][lsp]") {
  LspProcess lsp;
  std::string init = LspProcess::request(1, "initialize");
  // The client sends one message and waits for the answer.
  lsp.send_raw("Content-Length: " + std::to_string(init.size() + 100) + "\r\n\r\n" + init);
  auto answer = lsp.response(1);
  REQUIRE(answer);
  CHECK(answer->contains("result"));
  CHECK(contains(lsp.stderr_text(), "`Content-Length: " + std::to_string(init.size() + 100) +
                                        "` is longer than the message (" + std::to_string(init.size()) +
                                        " bytes), and nothing more came"));
  // A longer length that reaches into the next message: both are answered.
  std::string a = LspProcess::request(2, "textDocument/documentSymbol");
  std::string b = LspProcess::request(3, "shutdown");
  lsp.send_raw("Content-Length: " + std::to_string(a.size() + 30) + "\r\n\r\n" + a +
               "Content-Length: " + std::to_string(b.size()) + "\r\n\r\n" + b);
  auto two = lsp.response(2);
  REQUIRE(two);
  CHECK(two->contains("error"));  // the document is not open: an answer all the same
  CHECK(lsp.response(3));
  CHECK(contains(lsp.stderr_text(), "and the next message began; reading on after it"));
  lsp.send_raw(LspProcess::frame({{"jsonrpc", "2.0"}, {"method", "exit"}}));
  CHECK(lsp.finish() == 0);
}

TEST_CASE("lsp: shorter, negative, non-numeric, 2^64+1 and missing lengths are logged, then it reads on",
          "[cli][lsp]") {
  LspProcess lsp;
  lsp.send_raw(LspProcess::frame(json::parse(LspProcess::request(1, "initialize"))));
  REQUIRE(lsp.response(1));
  std::string hover = LspProcess::request(9, "textDocument/hover");
  struct Case {
    std::string header;
    std::string logged;
  };
  const Case cases[] = {
      {"Content-Length: " + std::to_string(hover.size() - 10), "is not valid JSON"},
      {"Content-Length: -5", "`Content-Length: -5` is not a length"},
      {"Content-Length: twelve", "`Content-Length: twelve` is not a length"},
      {"Content-Length: 18446744073709551617", "`Content-Length: 18446744073709551617` is not a length"},
      {"Content-Length: 99999999999", "is larger than the 64 MiB a message may be"},
      {"Content-Type: application/vscode-jsonrpc; charset=utf-8", "a message without a Content-Length header"},
  };
  int id = 10;
  for (const Case& c : cases) {
    INFO(c.header);
    lsp.send_raw(c.header + "\r\n\r\n" + hover);
    // The next good request is answered: the server is back in step.
    lsp.send_raw(LspProcess::frame(json::parse(LspProcess::request(id, "textDocument/documentSymbol"))));
    auto answer = lsp.response(id);
    CHECK(answer);
    CHECK(contains(lsp.stderr_text(), c.logged));
    ++id;
  }
  CHECK_FALSE(contains(lsp.stderr_text(), "internal error"));
  lsp.send_raw(LspProcess::frame(json::parse(LspProcess::request(99, "shutdown"))));
  CHECK(lsp.response(99));
  lsp.send_raw(LspProcess::frame({{"jsonrpc", "2.0"}, {"method", "exit"}}));
  CHECK(lsp.finish() == 0);
}

TEST_CASE("lsp: input that ends inside a message ends the server cleanly", "[cli][lsp]") {
  LspProcess lsp;
  lsp.send_raw("Content-Length: 500\r\n\r\n{\"jsonrpc\": \"2.0\", \"id\": 1, \"met");
  CHECK(lsp.finish() == 1);  // no shutdown: exit code 1, as the protocol says
  CHECK(contains(lsp.stderr_text(), "the input ended inside a message (`Content-Length: 500`"));
}

TEST_CASE("lsp: a document that imports /dev/zero gets a diagnostic at once, not a hang", "[cli][lsp]") {
  // The server reads imports through the compiler's own loader: one line
  // typed in an editor must not make it read forever.
  LspProcess lsp;
  lsp.send_raw(LspProcess::frame(json::parse(LspProcess::request(1, "initialize"))));
  REQUIRE(lsp.response(1));
  json open = {{"jsonrpc", "2.0"},
               {"method", "textDocument/didOpen"},
               {"params",
                {{"textDocument",
                  {{"uri", "file:///tmp/flowc-lsp-zero/a.flow"},
                   {"languageId", "flow"},
                   {"version", 1},
                   {"text", "import \"/dev/zero\"\n"}}}}}};
  lsp.send_raw(LspProcess::frame(open));
  std::optional<json> published;
  while (auto m = lsp.receive(10)) {
    if ((*m)["method"] == "textDocument/publishDiagnostics") {
      published = m;
      break;
    }
  }
  REQUIRE(published);
  const json& diagnostics = (*published)["params"]["diagnostics"];
  REQUIRE(diagnostics.size() == 1);
  CHECK(diagnostics[0]["code"] == "E0113");
  CHECK(diagnostics[0]["message"].get<std::string>().find("character device, not a regular file") != std::string::npos);
}

TEST_CASE("lsp: a 10 MB document costs the server less than 50 times its size", "[cli][lsp][memory]") {
  // It cost ~126x (1.26 GB for this text): ANTLR's tokens and parse tree
  // of the whole file at once. The compiler now parses a valid file one
  // declaration at a time with its LL(1) parser (compiler/syntax/parser.cpp):
  // the rest is the AST, the checker's tables and the server's copies of
  // the text.
  std::string text;
  for (int i = 0; text.size() < 10'000'000; ++i) {
    std::string n = std::to_string(i);
    text += "/// Step " + n + ".\nop step" + n + "(x: int, name: str = \"s" + n +
            "\") -> (out: file) {\n"
            "  resources { cpus = 1, mem = 1GiB }\n  run \"echo ${name} ${x + " +
            n +
            "} > ${out}\"\n}\n"
            "workflow flow" +
            n + "(x: int) -> (out: file) {\n  a = step" + n +
            "(x = x * 2)\n"
            "  return (out = a.out)\n}\n";
  }
  LspProcess lsp;
  lsp.send_raw(LspProcess::frame(json::parse(LspProcess::request(1, "initialize"))));
  REQUIRE(lsp.response(1));
  json open = {
      {"jsonrpc", "2.0"},
      {"method", "textDocument/didOpen"},
      {"params",
       {{"textDocument",
         {{"uri", "file:///tmp/flowc-lsp-big/big.flow"}, {"languageId", "flow"}, {"version", 1}, {"text", text}}}}}};
  lsp.send_raw(LspProcess::frame(open));
  std::optional<json> published;
  while (auto m = lsp.receive(120)) {
    if ((*m)["method"] == "textDocument/publishDiagnostics") {
      published = m;
      break;
    }
  }
  REQUIRE(published);
  CHECK((*published)["params"]["diagnostics"].empty());  // a valid program, compiled whole
  lsp.send_raw(LspProcess::frame(json::parse(LspProcess::request(2, "shutdown"))));
  REQUIRE(lsp.response(2, 60));
  lsp.send_raw(LspProcess::frame({{"jsonrpc", "2.0"}, {"method", "exit"}}));
  REQUIRE(lsp.finish(60) == 0);
  long text_kb = static_cast<long>(text.size() / 1024);
  INFO("peak " << lsp.max_rss_kb() / 1024 << " MiB for " << text_kb / 1024 << " MiB of text");
  CHECK(lsp.max_rss_kb() < 50 * text_kb);
}
