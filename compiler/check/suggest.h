// "Did you mean ...?": the closest known name to a misspelt one.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace flowc::check {

// Edit distance with transpositions (Damerau-Levenshtein, optimal string
// alignment), case differences counting half.
double edit_distance(std::string_view a, std::string_view b);

// The candidate closest to `name`, if it is close enough to be a likely typo.
std::optional<std::string> closest(std::string_view name, const std::vector<std::string>& candidates);

// "did you mean `x`?" or empty.
std::string did_you_mean(std::string_view name, const std::vector<std::string>& candidates);

}  // namespace flowc::check
