// libFuzzer target: bytes as what an editor sends `flowc lsp` on stdin:
// JSON-RPC framing (Content-Length headers that may lie) and any requests,
// served by the real server (documents compile through the real compiler).
// The input goes in through a memfd, so the reader sees a real descriptor
// and its end; what the server writes goes to /dev/null.
#include <sys/mman.h>
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <cstdio>

#include "lsp/server.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  int fd = ::memfd_create("fuzz-lsp", 0);
  if (fd < 0) return 0;
  if (size > 0 && ::write(fd, data, size) != static_cast<ssize_t>(size)) {
    ::close(fd);
    return 0;
  }
  ::lseek(fd, 0, SEEK_SET);
  std::FILE* in = ::fdopen(fd, "rb");
  std::FILE* out = std::fopen("/dev/null", "wb");
  if (in && out) {
    flowc::lsp::ServerOptions options;
    options.errors = nullptr;  // the framing's log lines would drown libFuzzer's
    flowc::lsp::Server server(in, out, options);
    (void)server.run();
  }
  if (out) std::fclose(out);
  if (in) std::fclose(in);
  else ::close(fd);
  return 0;
}
