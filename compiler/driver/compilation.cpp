// The compiler pipeline.
#include "compiler/driver/compilation.h"

#include <chrono>

#include "compiler/check/checker.h"
#include "compiler/lower/lower.h"

namespace flowc {

std::string compiler_version() { return std::string("flowc ") + FLOWC_VERSION; }

namespace {

using Clock = std::chrono::steady_clock;

double ms_since(Clock::time_point start) {
  return std::chrono::duration<double, std::milli>(Clock::now() - start).count();
}

}  // namespace

std::unique_ptr<Compilation> compile(const std::string& path, const CompileOptions& options) {
  auto c = std::make_unique<Compilation>();
  auto start = Clock::now();
  c->types = std::make_shared<ir::TypeTable>();
  c->builtins = std::make_unique<ir::Builtins>(*c->types);

  check::DiskFiles disk(options.max_source_bytes);
  check::FileProvider& files = options.files ? *options.files : disk;
  c->loaded = check::load_modules(path, options.library_paths, files, c->sources, c->diags, options.max_source_bytes);
  c->times.load_parse_ms = ms_since(start);
  if (!c->loaded.io_error.empty()) {
    c->io_error = c->loaded.io_error;
    return c;
  }
  if (options.until == Stage::Parse || c->diags.has_errors()) {
    c->diags.sort_and_dedupe();
    return c;
  }

  c->checked = std::make_unique<check::CheckContext>(
      check::CheckContext{c->sources, c->diags, *c->types, *c->builtins, c->loaded.modules, {}, {}, {}, {}, {}});
  auto check_start = Clock::now();
  check::check_program(*c->checked);
  c->diags.sort_and_dedupe();
  c->times.check_ms = ms_since(check_start);
  if (options.until == Stage::Check || c->diags.has_errors()) return c;

  auto lower_start = Clock::now();
  c->program = lower::lower_program(*c->checked, c->types, compiler_version());
  c->times.lower_ms = ms_since(lower_start);
  return c;
}

}  // namespace flowc
