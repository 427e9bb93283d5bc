// bench/spawn: launching through Boost.Process 1.74 (see launch.h).
#include "launch.h"

#ifdef FLOWC_HAVE_BOOST_PROCESS

// Boost 1.74 defines BOOST_POSIX_HAS_VFORK only for pre-2008 X/Open feature
// levels, so with today's glibc `bp::posix::use_vfork` compiles but its
// executor is never defined (an undefined reference at link time). vfork is
// there (unistd.h, _GNU_SOURCE): say so.
#define BOOST_POSIX_HAS_VFORK 1

#include <signal.h>

#include <chrono>
#include <deque>
#include <memory>
#include <system_error>

#include <boost/filesystem/path.hpp>
#include <boost/process.hpp>
#include <boost/process/extend.hpp>
#include <boost/process/posix.hpp>

namespace bp = boost::process;

namespace spawn_bench {
namespace {

struct Running {
  bp::group group;
  bp::child child;
};

}  // namespace

bool boost_available() { return true; }

double boost_launches(const Launch& l, int count, int in_flight, bool use_vfork) {
  boost::filesystem::path out(l.out), err(l.err);
  auto setup = bp::extend::on_exec_setup = [](auto&) { reset_signals_in_child(); };
  std::deque<std::unique_ptr<Running>> running;
  bool ok = true;
  auto reap_oldest = [&] {
    std::unique_ptr<Running> r = std::move(running.front());
    running.pop_front();
    std::error_code ec;
    r->child.wait(ec);
    if (ec || r->child.exit_code() != 0) ok = false;
  };
  auto start = std::chrono::steady_clock::now();
  for (int i = 0; i < count && ok; ++i) {
    if (static_cast<int>(running.size()) >= in_flight) reap_oldest();
    auto r = std::make_unique<Running>();
    std::error_code ec;
    if (use_vfork) {
      r->child =
          bp::child(bp::exe = l.exe, bp::args = l.args, bp::start_dir = l.dir, bp::std_in<bp::null, bp::std_out> out,
                    bp::std_err > err, r->group, setup, bp::posix::use_vfork, ec);
    } else {
      r->child = bp::child(bp::exe = l.exe, bp::args = l.args, bp::start_dir = l.dir,
                           bp::std_in<bp::null, bp::std_out> out, bp::std_err > err, r->group, setup, ec);
    }
    if (ec) {
      ok = false;
      break;
    }
    running.push_back(std::move(r));
  }
  while (!running.empty()) reap_oldest();
  double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return ok ? seconds : -1;
}

}  // namespace spawn_bench

#else

namespace spawn_bench {
bool boost_available() { return false; }
double boost_launches(const Launch&, int, int, bool) { return -1; }
}  // namespace spawn_bench

#endif
