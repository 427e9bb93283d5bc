// file:// URIs and paths, as LSP clients send them (RFC 8089, percent-encoded).
#pragma once

#include <string>

namespace flowc::lsp {

// "file:///home/a%20b/x.flow" → "/home/a b/x.flow". A URI of another scheme
// (an unsaved "untitled:" buffer) is returned as it is: it is still a unique
// key, and imports relative to it simply are not found.
std::string uri_to_path(const std::string& uri);
std::string path_to_uri(const std::string& path);

}  // namespace flowc::lsp
