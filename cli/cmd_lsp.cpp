// flowc lsp: the language server for editors, on stdin/stdout (lsp/).
#include <cstdio>

#include "cli/allocator.h"
#include "cli/commands.h"
#include "cli/compile_helpers.h"
#include "lsp/server.h"

namespace flowc::cli {

int cmd_lsp(const LspOptions& options) {
  CommonOptions common;
  common.lib_dirs = options.lib_dirs;
  lsp::Server server(stdin, stdout, {library_paths(common), options.log, release_free_memory});
  return server.run();
}

}  // namespace flowc::cli
