// files::real_path must say exactly what fs::weakly_canonical says (output
// checks decide with it whether an output leads outside its task's work
// dir), only with fewer system calls.
#include "runtime/files/real_path.h"

#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>

#include <catch2/catch.hpp>

#include "tests/support/scratch.h"

namespace fs = std::filesystem;
using flowc::runtime::files::real_path;

namespace {

std::string weakly(const std::string& p) {
  std::error_code ec;
  fs::path r = fs::weakly_canonical(p, ec);
  return (ec ? fs::path(p).lexically_normal() : r).string();
}

}  // namespace

TEST_CASE("real_path resolves links exactly as weakly_canonical does", "[files]") {
  flowc::test::Scratch s("flowc-real-path");
  fs::create_directories(s.dir / "work" / "sub");
  s.write("work/out", "x");
  s.write("outside", "secret");
  s.write("work/odd name\nwith newline", "y");
  s.write("work/x (deleted)", "z");
  fs::create_symlink(s.dir / "outside", s.dir / "work" / "link");        // absolute link out
  fs::create_symlink("../outside", s.dir / "work" / "rel");              // relative link out
  fs::create_symlink("link", s.dir / "work" / "chain");                  // a link to a link
  fs::create_symlink("nowhere", s.dir / "work" / "dangling");            // leads nowhere
  fs::create_symlink(s.dir, s.dir / "work" / "up");                      // a folder link
  REQUIRE(::mkfifo((s.dir / "work" / "fifo").c_str(), 0600) == 0);       // must not block
  fs::create_symlink(s.dir / "work" / "loop", s.dir / "work" / "loop");  // ELOOP

  std::string w = (s.dir / "work").string();
  for (std::string p : {w + "/out",
                        w + "/link",
                        w + "/rel",
                        w + "/chain",
                        w + "/dangling",
                        w + "/up/outside",
                        w + "/up/work/sub",
                        w + "/up/work/../outside",
                        w + "/link/../x",
                        w + "/sub/../out",
                        w + "/missing/deeper/file",
                        w + "/fifo",
                        w + "/loop",
                        w + "/odd name\nwith newline",
                        w + "/x (deleted)",
                        w + "/sub/",
                        w + "/sub/.",
                        w + "/sub/..",
                        w,
                        std::string("/"),
                        std::string("")}) {
    INFO("path: " << p);
    CHECK(real_path(p) == weakly(p));
  }
  CHECK(real_path(w + "/link") == (s.dir / "outside").string());
  CHECK(real_path(w + "/chain") == (fs::canonical(s.dir) / "outside").string());
}

TEST_CASE("real_path of a relative path is the same as weakly_canonical's", "[files]") {
  flowc::test::Scratch s("flowc-real-path");
  s.write("a", "x");
  fs::path before = fs::current_path();
  fs::current_path(s.dir);
  CHECK(real_path("a") == weakly("a"));
  CHECK(real_path("./a") == weakly("./a"));
  CHECK(real_path("no/such") == weakly("no/such"));
  fs::current_path(before);
}
