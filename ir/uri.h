// file:// URIs and paths (CWL's `location`s are URIs; flowc's values hold paths).
#pragma once

#include <string>

namespace flowc::ir {

// A path as a file:// URI, percent-encoding what a URI cannot hold.
std::string file_uri(const std::string& path);
// The path of a file:// URI (or of a relative URI reference), percent-escapes decoded.
std::string path_from_uri(const std::string& uri);

}  // namespace flowc::ir
