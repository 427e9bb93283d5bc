// How many times a text occurs in another: for tests that check a message
// is printed once.
#pragma once

#include <string>

namespace flowc::test {

inline size_t occurrences(const std::string& text, const std::string& what) {
  size_t n = 0;
  for (size_t at = text.find(what); at != std::string::npos; at = text.find(what, at + what.size())) ++n;
  return n;
}

}  // namespace flowc::test
