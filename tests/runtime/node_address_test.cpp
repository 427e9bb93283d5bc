// Which address of this node a stream's endpoints bind to when its tasks may
// run on other nodes (runtime/streams/node_address.h): the interface a site
// names in FLOWC_STREAM_INTERFACE, and a clear error when it names none that
// other nodes could reach. (Resolving the node's hostname is what the
// cluster's stream tests use: tests/runtime/cluster_streams_test.cpp.)
#include <stdlib.h>

#include <optional>
#include <sstream>
#include <string>

#include <catch2/catch.hpp>

#include "runtime/process/run_captured.h"
#include "runtime/streams/node_address.h"

using flowc::runtime::streams::node_address;

namespace {

// FLOWC_STREAM_INTERFACE set for one scope, then as it was.
struct InterfaceSetting {
  std::optional<std::string> before;
  explicit InterfaceSetting(const std::string& value) {
    if (const char* v = ::getenv("FLOWC_STREAM_INTERFACE")) before = v;
    ::setenv("FLOWC_STREAM_INTERFACE", value.c_str(), 1);
  }
  ~InterfaceSetting() {
    if (before) {
      ::setenv("FLOWC_STREAM_INTERFACE", before->c_str(), 1);
    } else {
      ::unsetenv("FLOWC_STREAM_INTERFACE");
    }
  }
  InterfaceSetting(const InterfaceSetting&) = delete;
  InterfaceSetting& operator=(const InterfaceSetting&) = delete;
};

}  // namespace

TEST_CASE("FLOWC_STREAM_INTERFACE names the interface stream endpoints bind to", "[streams]") {
  // What `ip` says this machine's interfaces are (name, IPv4 address), up,
  // not loopback: each named gives its own address.
  auto r = flowc::runtime::capture_output({"ip", "-4", "-o", "addr", "show", "up"}, {}, 10);
  REQUIRE(r.ok());
  std::istringstream lines(r.out);
  int checked = 0;
  for (std::string line; std::getline(lines, line);) {
    std::istringstream words(line);
    std::string index, name, family, cidr;
    words >> index >> name >> family >> cidr;
    if (name == "lo" || family != "inet") continue;
    std::string address = cidr.substr(0, cidr.find('/'));
    InterfaceSetting use(name);
    std::string error;
    CHECK(node_address(&error) == address);
    CHECK(error.empty());
    ++checked;
  }
  if (checked == 0) WARN("no interface but loopback here: only the refusals were checked");
}

TEST_CASE("FLOWC_STREAM_INTERFACE naming no interface other nodes reach is an error that says what there is",
          "[streams]") {
  for (const std::string name : {"flowc-no-such-if", "lo"}) {
    InterfaceSetting use(name);
    std::string error;
    CHECK(node_address(&error).empty());
    CHECK_THAT(error, Catch::Contains("FLOWC_STREAM_INTERFACE names `" + name + "`") &&
                          Catch::Contains("no IPv4 address that is up on this node") && Catch::Contains("it has: "));
  }
}
