// flowc serve's routes: the HTTP API (docs/api.md), the live UI's pages and
// assets, and the reports. Reads journals through StateFolders; launches and
// cancels runs through runtime/observe/control.h.
//
// Security (docs/api.md, "Security"): every POST needs the token
// (Authorization: Bearer ..., 401 otherwise); files are served only from the
// state folders' work dirs, never through a symlink, and a path with a `.` or
// `..` segment (however encoded) is refused; only a regular `.flow` file
// inside the root can be launched; bad JSON is a 400 that says why.
#pragma once

#include <chrono>
#include <map>
#include <mutex>
#include <string>
#include <sys/types.h>
#include <vector>

#include "runtime/serve/http_server.h"
#include "runtime/serve/state_folders.h"

namespace flowc::runtime::serve {

class Api {
 public:
  Api(StateFolders& folders, std::string token) : folders_(folders), token_(std::move(token)) {}

  HttpResponse handle(const HttpRequest& request);
  // Reaps the runs it launched that have ended (called now and then).
  void reap();

 private:
  HttpResponse route(const HttpRequest& request, const std::vector<std::string>& parts);
  HttpResponse runs();
  HttpResponse run(const std::string& id);
  HttpResponse tasks(const std::string& id, const HttpRequest& request);
  HttpResponse task(const std::string& id, const std::string& path);
  HttpResponse graph(const std::string& id);
  HttpResponse events(const std::string& id, const HttpRequest& request);
  HttpResponse log(const std::string& key, const HttpRequest& request);
  HttpResponse launch(const HttpRequest& request);
  HttpResponse cancel(const std::string& id);
  HttpResponse page(const std::string& title, const std::string& config);
  HttpResponse report(const std::string& id);
  bool authorized(const HttpRequest& request) const;

  StateFolders& folders_;
  std::string token_;
  std::mutex answers_mutex_;
  std::map<std::string, std::pair<std::chrono::steady_clock::time_point, std::string>> run_answers_;  // GET /api/runs/{id}
  std::mutex launched_mutex_;
  std::vector<pid_t> launched_;
};

}  // namespace flowc::runtime::serve
