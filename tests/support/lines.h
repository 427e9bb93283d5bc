// Lines, for tests that compare output line by line: of a text in memory, or
// of a file on disk. Either way a final line break ends the last line and
// adds no empty one ("a\nb\n" and "a\nb" are both {"a", "b"}).
#pragma once

#include <fstream>
#include <sstream>
#include <string>
#include <vector>

namespace flowc::test {

inline std::vector<std::string> lines_of_stream(std::istream& in) {
  std::vector<std::string> out;
  for (std::string line; std::getline(in, line);) out.push_back(line);
  return out;
}

// The lines of `text`.
inline std::vector<std::string> lines_of_text(const std::string& text) {
  std::istringstream in(text);
  return lines_of_stream(in);
}

// The lines of the file at `path`; none if it cannot be read (a log a tool
// never wrote is a log with no calls).
inline std::vector<std::string> lines_of_file(const std::string& path) {
  std::ifstream in(path);
  return lines_of_stream(in);
}

}  // namespace flowc::test
