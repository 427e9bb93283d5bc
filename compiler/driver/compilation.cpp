// The compiler pipeline.
#include "compiler/driver/compilation.h"

#include "compiler/check/checker.h"
#include "compiler/lower/lower.h"

namespace flowc {

std::string compiler_version() { return std::string("flowc ") + FLOWC_VERSION; }

std::unique_ptr<Compilation> compile(const std::string& path, const CompileOptions& options) {
  auto c = std::make_unique<Compilation>();
  c->types = std::make_shared<ir::TypeTable>();
  c->builtins = std::make_unique<ir::Builtins>(*c->types);

  check::DiskFiles disk;
  check::FileProvider& files = options.files ? *options.files : disk;
  c->loaded = check::load_modules(path, options.library_paths, files, c->sources, c->diags);
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
  check::check_program(*c->checked);
  c->diags.sort_and_dedupe();
  if (options.until == Stage::Check || c->diags.has_errors()) return c;

  c->program = lower::lower_program(*c->checked, c->types, compiler_version());
  return c;
}

}  // namespace flowc
