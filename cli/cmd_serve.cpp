// flowc serve: the live web UI and HTTP API over every state folder under a
// root (runtime/serve/, docs/api.md).
#include <signal.h>
#include <sys/stat.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <random>
#include <sstream>
#include <thread>

#include <fmt/format.h>

#include "cli/commands.h"
#include "cli/compile_helpers.h"
#include "runtime/serve/api.h"
#include "runtime/serve/http_server.h"
#include "runtime/serve/state_folders.h"

namespace flowc::cli {
namespace fs = std::filesystem;

namespace {

bool is_loopback(const std::string& address) {
  return address == "127.0.0.1" || address == "::1" || address.rfind("127.", 0) == 0 || address == "localhost";
}

std::string trimmed(std::string s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.pop_back();
  size_t start = 0;
  while (start < s.size() && std::isspace(static_cast<unsigned char>(s[start]))) ++start;
  return s.substr(start);
}

}  // namespace

int cmd_serve(const ServeOptions& options) {
  std::string bind = options.bind == "localhost" ? "127.0.0.1" : options.bind;
  if (!is_loopback(bind) && options.token_file.empty()) {
    print_error(
        fmt::format("binding {} lets other machines reach this server: give --token-file FILE (a secret of "
                    "at least 16 characters) so that only its holders can start or stop runs",
                    bind));
    return kExitUsage;
  }
  std::error_code ec;
  if (!fs::is_directory(options.root, ec)) {
    print_error(fmt::format("--root `{}` is not a folder", options.root));
    return kExitUsage;
  }
  std::string token;
  std::string token_note;
  if (!options.token_file.empty()) {
    std::ifstream in(options.token_file);
    if (!in) {
      print_error(fmt::format("cannot read --token-file `{}`", options.token_file));
      return kExitUsage;
    }
    std::stringstream text;
    text << in.rdbuf();
    token = trimmed(text.str());
    if (token.size() < 16) {
      print_error(
          fmt::format("the token in `{}` is too short ({} characters; at least 16)", options.token_file, token.size()));
      return kExitUsage;
    }
    token_note = fmt::format("the token in {}", options.token_file);
  } else {
    // A token only this user can read: starting and stopping runs needs it
    // even on this machine (another user's process may reach 127.0.0.1).
    std::random_device rd;
    for (int i = 0; i < 4; ++i) token += fmt::format("{:08x}", rd());
    fs::path file = fs::path(options.root) / ".flowc-serve-token";
    {
      std::ofstream out(file, std::ios::trunc);
      out << token << "\n";
    }
    ::chmod(file.c_str(), 0600);
    token_note = fmt::format("the token flowc wrote to {} (readable by you only)", file.string());
  }

  runtime::serve::StateFolders folders(options.root);
  runtime::serve::Api api(folders, token);
  runtime::serve::HttpLimits limits;
  limits.requests_per_second = options.rate;
  limits.burst = options.rate * 2;
  // Half the cores: the server shares the machine with the runs it shows,
  // and more threads than requests at once only wake each other (a thread
  // per core cost flowc serve twice the CPU per request of two, measured
  // with bench/serve). Two at least, so one slow answer (a big report)
  // does not hold up the rest.
  limits.threads = options.threads > 0 ? options.threads
                                       : static_cast<int>(std::clamp(std::thread::hardware_concurrency() / 2, 2u, 4u));

  // SIGINT and SIGTERM stop the server; they are blocked in every thread and
  // taken by one.
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGINT);
  sigaddset(&stop_signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);

  std::unique_ptr<runtime::serve::HttpServer> server;
  try {
    server = std::make_unique<runtime::serve::HttpServer>(
        bind, options.port, limits, [&api](const runtime::serve::HttpRequest& r) { return api.handle(r); });
  } catch (const std::exception& e) {
    print_error(e.what());
    return kExitUsage;
  }
  server->every(std::chrono::seconds(1), [&api] { api.reap(); });
  std::string host = bind.find(':') != std::string::npos ? "[" + bind + "]" : bind;
  std::cerr << fmt::format("flowc: serving the runs under {} at http://{}:{}/\n", folders.root(), host, server->port());
  std::cerr << fmt::format("flowc: POST requests (start, cancel) need `Authorization: Bearer TOKEN` with {}\n",
                           token_note);
  if (!options.port_file.empty()) std::ofstream(options.port_file) << server->port() << "\n";

  std::thread waiter([&] {
    int sig = 0;
    sigwait(&stop_signals, &sig);
    server->stop();
  });
  server->run();
  // The waiter may still wait: wake it.
  ::kill(::getpid(), SIGTERM);
  waiter.join();
  std::cerr << "flowc: server stopped\n";
  return kExitOk;
}

}  // namespace flowc::cli
