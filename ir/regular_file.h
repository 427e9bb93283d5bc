// Reading a whole file that a user named (a .flow source, an IR file, a
// parameters file) without trusting what it is: only regular files, and only
// up to a size. A FIFO with no writer would block forever, /dev/zero and
// /dev/stdin never end, and a 50 GB file would eat the machine; each of these
// is refused with a reason instead. Shared by the compiler and the runtime.
#pragma once

#include <cstdint>
#include <string>
#include <variant>

namespace flowc::ir {

struct FileProblem {
  enum class Kind {
    Unreadable,  // missing, no permission, an I/O error: `message` is strerror's text
    Directory,   // `message` is "a directory"
    NotRegular,  // `message` says what it is: "a FIFO (named pipe)", "a character device", ...
    TooLarge,    // `message` gives its size: "17.2 MiB"
  };
  Kind kind = Kind::Unreadable;
  std::string message;
};

using FileText = std::variant<std::string, FileProblem>;

// The text of `path` if it is a regular file (after following links) of at
// most `max_bytes`. Never blocks on a FIFO or a device: they are refused
// before they are opened (and once more after, in case the path changed).
FileText read_regular_file(const std::string& path, uint64_t max_bytes);

// "a directory", "a FIFO (named pipe)", "a character device", ... for a
// st_mode that is not a regular file.
std::string file_kind_name(unsigned mode);

// 1536 → "1.5 KiB"; for messages.
std::string size_text(uint64_t bytes);

}  // namespace flowc::ir
