// File objects: a file or folder value that carries more than its path.
//
// A `file` or `dir` value is usually its path (a string). A value of type
// `any` (IR 2), or a file value that needs to say more, is an object in
// CWL's shape:
//
//   {"class": "File", "path": "/abs/reads.bam", "basename": "reads.bam",
//    "secondaryFiles": [{"class": "File", "path": "/abs/reads.bam.bai"}],
//    "format": "http://edamontology.org/format_2572", "contents": "..."}
//   {"class": "Directory", "path": "/abs/refs", "listing": [...]}
//
// A file literal has `contents` and no `path`; a folder literal has a
// `listing` and no `path` (the runtime writes them out where a task needs
// them). Secondary files are the companions of a file: staged beside it,
// hashed with it, published with it. They are found here, and only here,
// so that a different representation of companion files has one place to
// change.
#pragma once

#include <functional>
#include <string>
#include <utility>

#include "runtime/value/value.h"

namespace flowc::runtime {

// {"class": "File" | "Directory", ...}
bool is_file_object(const Value& v);
bool is_directory_object(const Value& v);

// Every path inside `v` (any JSON): each file object's `path` (a folder with
// a path counts as one, its listing is inside it), its secondary files, and
// the files of a folder literal's listing. `fn(path, is_dir)`.
void for_each_object_path(const Value& v, const std::function<void(const std::string&, bool)>& fn);

// A copy of `v` with every such path replaced by `fn(path)`.
Value map_object_paths(const Value& v, const std::function<std::string(const std::string&)>& fn);

// The path a file object or plain path names ("" for a literal).
std::string path_of(const Value& file);

}  // namespace flowc::runtime

namespace flowc::runtime {

// A copy of `v` in which every file object also has what CWL expressions
// read of it: `location` (file://...), `basename`, `dirname`, `nameroot`,
// `nameext` and (for a file that exists) `size`.
Value with_file_details(const Value& v);

// nameroot and nameext of a basename: "a.tar.gz" → "a.tar", ".gz".
std::pair<std::string, std::string> split_extension(const std::string& basename);

}  // namespace flowc::runtime
