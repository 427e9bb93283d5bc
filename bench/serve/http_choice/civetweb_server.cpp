// One JSON endpoint on civetweb (Debian's libcivetweb), 64 worker threads.
#include <civetweb.h>

#include <csignal>
#include <cstdlib>
#include <string>
#include <unistd.h>

static std::string body;

static int handle(struct mg_connection* conn, void*) {
  mg_printf(conn, "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: %zu\r\n\r\n", body.size());
  mg_write(conn, body.data(), body.size());
  return 200;
}

int main(int argc, char** argv) {
  std::string port = std::string("127.0.0.1:") + (argc > 1 ? argv[1] : "18081");
  body = "{\"data\":\"" + std::string(2048, 'x') + "\"}";
  const char* options[] = {"listening_ports", port.c_str(), "num_threads", "64", "enable_keep_alive", "yes", nullptr};
  mg_init_library(0);
  mg_callbacks callbacks{};
  mg_context* ctx = mg_start(&callbacks, nullptr, options);
  mg_set_request_handler(ctx, "/api/run", handle, nullptr);
  pause();
  mg_stop(ctx);
}
