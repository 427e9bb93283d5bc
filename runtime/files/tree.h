// Walking a file or a folder the way flowc reads task data: entry by entry,
// never through a link unless the caller allows where it leads. Hashing,
// stamping, checking a task's outputs and publishing them all walk through
// here, so the link policy (docs/runtime.md, "Links and special files") is
// one piece of code:
//
//   - a link whose target lies inside the walked folder is kept as a link
//     (its target relative to it): never followed, so `loop -> .` ends;
//   - a link leading out of the folder is followed only where the policy
//     allows (anywhere for the user's own inputs; into the task's work dir
//     and its inputs for outputs), never into a folder that holds it (a
//     link to `/` would walk the whole file system) and at most 16 deep;
//   - FIFOs, sockets and devices are refused: reading one blocks forever
//     or never ends.
//
// Why not std::filesystem::recursive_directory_iterator: it either never
// follows links (and then cannot tell a link in the folder from one out of
// it) or follows all of them, `/` included.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <optional>
#include <string>
#include <variant>
#include <vector>

namespace flowc::runtime::files {

struct Entry {
  enum Kind { File, Dir, Link } kind = File;
  std::string rel;        // its path relative to the walked root ("" is the root)
  std::string source;     // File, Dir: where its content is (the entry, or where a followed link leads)
  std::string target;     // Link: its target, relative to the link's folder
  bool followed = false;  // reached through a link that leads out of its folder
  uint64_t size = 0;
  int64_t mtime_ns = 0;
  dev_t dev = 0;
  ino_t ino = 0;
  nlink_t nlink = 0;
};

// Why a walk stopped: the entry and what is wrong with it.
struct Refusal {
  enum Kind {
    Special,      // a FIFO, socket or device
    LinkOut,      // a link leading where the policy does not follow
    Dangling,     // a link leading out of the folder to nothing
    Loop,         // a link to a folder that holds it
    TooDeep,      // links through links, more than 16
    Unreadable,   // an I/O error
    Interrupted,  // SIGINT or SIGTERM is pending (files/interrupt.h)
  } kind = Unreadable;
  std::string path;          // the entry's full path
  std::string target;        // LinkOut, Dangling, Loop: where the link leads
  std::string detail;        // Special: what it is ("a FIFO"); Unreadable: the error
  std::string text() const;  // "`P` is a link to `/etc`", for messages
};

struct LinkPolicy {
  bool follow_anywhere = false;      // the user's own inputs: their links are theirs
  std::vector<std::string> allowed;  // otherwise: follow only into these (canonical paths)
  bool skip_dangling = false;        // a dangling link out: skipped instead of refused
};

using Walked = std::variant<std::vector<Entry>, Refusal>;

// Every entry of `root` (a file or a folder; itself first, as rel ""),
// in sorted order of `rel`. `root` itself may be a link: it is resolved
// (it is what the caller named), but must not be special.
Walked walk(const std::string& root, const LinkPolicy& policy);

// What kind of non-regular file `mode` is ("a FIFO (named pipe)", "a
// socket", "a character device", "a block device"), or "" for a regular
// file, folder or link.
std::string special_kind(mode_t mode);

// Whether `path` is `dir` or inside it (both already normalised or canonical).
bool inside(const std::string& dir, const std::string& path);

}  // namespace flowc::runtime::files
