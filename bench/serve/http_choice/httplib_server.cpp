// One JSON endpoint on cpp-httplib (Debian's libcpp-httplib), 64 worker threads (one per connection: both libraries hold a thread while a connection is open).
#include <httplib.h>

#include <cstdlib>
#include <string>

int main(int argc, char** argv) {
  int port = argc > 1 ? std::atoi(argv[1]) : 18080;
  std::string body(2048, 'x');
  body = "{\"data\":\"" + body + "\"}";
  httplib::Server server;
  server.new_task_queue = [] { return new httplib::ThreadPool(64); };
  server.Get("/api/run",
             [&](const httplib::Request&, httplib::Response& res) { res.set_content(body, "application/json"); });
  server.listen("127.0.0.1", port);
}
