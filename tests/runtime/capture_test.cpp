// run_captured: the short commands the container preflight runs side by side.
#include <catch2/catch.hpp>

#include "runtime/containers/capture.h"

using flowc::runtime::run_captured;

TEST_CASE("commands run side by side, outputs, exit codes and failures to start are kept apart", "[capture]") {
  auto r = run_captured({{"sh", "-c", "echo out; echo err >&2; exit 3"},
                         {"no-such-program-flowc"},
                         {"sh", "-c", "printf '%s' \"$0\"", "a b"}},
                        30);
  REQUIRE(r.size() == 3);
  CHECK(r[0].exit_code == 3);
  CHECK(r[0].out == "out\n");
  CHECK(r[0].err == "err\n");
  CHECK(r[0].error.empty());
  CHECK(r[1].exit_code == -1);
  CHECK(r[1].error == "`no-such-program-flowc` was not found on PATH");
  CHECK(r[2].exit_code == 0);
  CHECK(r[2].out == "a b");
}

TEST_CASE("a command over its time is killed, the others are not blamed", "[capture]") {
  auto r = run_captured({{"sleep", "30"}, {"true"}}, 0.3);
  REQUIRE(r.size() == 2);
  CHECK(r[0].exit_code == 128 + 9);
  CHECK(r[0].error.find("took longer than") != std::string::npos);
  CHECK(r[1].exit_code == 0);
  CHECK(r[1].error.empty());
}
