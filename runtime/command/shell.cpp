// The strict-mode prologue of a task's script. See shell.h.
#include "runtime/command/shell.h"

#include <fmt/format.h>

namespace flowc::runtime {
namespace {

// Started by /bin/sh: become bash once (`flowc-bash` marks the second start).
constexpr const char* kBecomeBash =
    "if [ -z \"${BASH_VERSION-}\" ] && [ \"$#\" -eq 0 ] && command -v bash >/dev/null 2>&1; then exec bash \"$0\" "
    "flowc-bash; fi\n"
    "if [ \"$#\" -gt 0 ]; then shift; fi\n";
// dash stops the whole script at an unknown `set -o`: try it in a subshell.
constexpr const char* kShStrict = "set -eu; if (set -o pipefail) 2>/dev/null; then set -o pipefail; fi";

}  // namespace

std::string shell_prologue(const ir::Op& op) {
  switch (op.shell) {
    case ir::Shell::Default:
      return fmt::format(
          "# flowc: bash with `set -euo pipefail`; without bash, sh with `set -eu` (and pipefail if it has it)\n"
          "{}if [ -n \"${{BASH_VERSION-}}\" ]; then set -euo pipefail; else {}; fi\n",
          kBecomeBash, kShStrict);
    case ir::Shell::Bash:
      return fmt::format(
          "# flowc: shell \"bash\": bash with `set -euo pipefail`\n"
          "{}if [ -z \"${{BASH_VERSION-}}\" ]; then\n"
          "  echo \"flowc: op \\`{}\\` runs its command with bash (shell \\\"bash\\\"), but there is no "
          "bash here (PATH=$PATH); install bash, or write shell \\\"sh\\\" in the op\" >&2\n"
          "  exit 127\n"
          "fi\n"
          "set -euo pipefail\n",
          kBecomeBash, op.name);
    case ir::Shell::Sh:
      return fmt::format("# flowc: shell \"sh\": sh with `set -eu` (and pipefail if it has it)\n{}\n", kShStrict);
  }
  return {};
}

std::vector<std::string> shell_argv(ir::Shell shell, const std::string& bash) {
  if (shell != ir::Shell::Sh && !bash.empty()) return {bash, ".command.sh"};
  return {"/bin/sh", ".command.sh"};
}

}  // namespace flowc::runtime
