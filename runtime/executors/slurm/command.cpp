// Quoting for /bin/sh.
#include "runtime/executors/slurm/command.h"

namespace flowc::runtime {

std::string shell_quote(const std::string& text) {
  std::string out = "'";
  for (char c : text) {
    if (c == '\'') {
      out += "'\\''";
    } else {
      out += c;
    }
  }
  return out + "'";
}

}  // namespace flowc::runtime
