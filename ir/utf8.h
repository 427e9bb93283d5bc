// UTF-8 facts shared by the compiler (source text) and the runtime (values).
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace flowc::ir {

// The length of the valid UTF-8 sequence starting at text[i], or 0 if the
// bytes there are not one (overlong forms, surrogates and values past
// U+10FFFF are not valid).
size_t utf8_sequence_length(std::string_view text, size_t i);

// The offset of the first byte that is not valid UTF-8, if any.
std::optional<size_t> first_invalid_utf8(std::string_view text);

// `text` with every byte that is not valid UTF-8 written as `\xNN`, so it can
// be printed, and put into JSON, as it is.
std::string printable_utf8(std::string_view text);

}  // namespace flowc::ir
