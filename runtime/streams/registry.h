// The stream endpoint registry: consumers register the endpoint their input
// is bound at, by name; producers look the names up to connect. Keys are
// scoped by run id, so two runs never see each other's names.
//
//   dir:///abs/.flow/runs/<run-id>/registry   embedded in one `flowc run`:
//       one file per name in the run's folder (nothing to start; every
//       bridge on this machine reads it)
//   redis://127.0.0.1:6379                    a Redis server (hiredis), for
//       ops placed as separate jobs or on other hosts; its password, if it
//       asks for one, in FLOWC_REGISTRY_PASSWORD
#pragma once

#include <chrono>
#include <memory>
#include <optional>
#include <string>

namespace flowc::runtime::streams {

class Registry {
 public:
  virtual ~Registry() = default;
  // Publishes `key` = `value`. Returns "" or what went wrong.
  virtual std::string put(const std::string& key, const std::string& value) = 0;
  // The value of `key`, if set yet; *error says why a look-up failed.
  virtual std::optional<std::string> get(const std::string& key, std::string* error) = 0;
  virtual std::string describe() const = 0;

  // Waits until `key` is set (polling), at most `timeout`.
  std::optional<std::string> wait(const std::string& key, std::chrono::milliseconds timeout, std::string* error);
};

// Opens the registry at `url` for run `run_id`; nullptr and *error if it
// cannot (a Redis server that does not answer, an unknown scheme).
std::unique_ptr<Registry> open_registry(const std::string& url, const std::string& run_id, std::string* error);

}  // namespace flowc::runtime::streams
