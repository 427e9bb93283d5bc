// flowc check FILE...: every error of every file, in one pass.
#include <iostream>

#include <nlohmann/json.hpp>

#include "cli/commands.h"
#include "cli/compile_helpers.h"
#include "compiler/diag/render.h"

namespace flowc::cli {

int cmd_check(const CheckOptions& options) {
  size_t errors = 0, warnings = 0;
  bool io_failure = false;
  nlohmann::json all = nlohmann::json::array();
  for (const std::string& file : options.files) {
    auto c = compile_file(file, options.common, Stage::Check);
    if (!c->io_error.empty()) {
      print_error(c->io_error);
      io_failure = true;
      continue;
    }
    if (options.common.format == "json") {
      nlohmann::json rendered = render_json(c->diags, c->sources);
      for (auto& d : rendered["diagnostics"]) all.push_back(std::move(d));
    } else {
      print_diagnostics(*c, options.common);
    }
    errors += c->diags.error_count();
    warnings += c->diags.all().size() - c->diags.error_count();
  }
  if (options.common.format == "json") {
    std::cout << nlohmann::json{{"diagnostics", all}, {"errors", errors}, {"warnings", warnings}}.dump(2) << "\n";
  } else {
    size_t n = options.files.size();
    std::string files = std::to_string(n) + (n == 1 ? " file" : " files");
    if (errors || warnings) {
      std::cerr << "flowc: " << errors << (errors == 1 ? " error" : " errors") << ", " << warnings
                << (warnings == 1 ? " warning" : " warnings") << " in " << files << "\n";
    } else if (!io_failure) {
      std::cerr << "flowc: " << files << " checked, no errors\n";
    }
  }
  if (io_failure) return kExitUsage;
  return errors ? kExitErrors : kExitOk;
}

}  // namespace flowc::cli
