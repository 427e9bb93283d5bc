// Names and human descriptions of token kinds, from token_kinds.def.
#include "compiler/syntax/token.h"

#include <array>

namespace flowc::syntax {
namespace {

struct KindInfo {
  std::string_view name;
  std::string_view description;
};

constexpr std::array kKinds = {
    KindInfo{"<invalid>", "an invalid token"},
#define TOKEN(name, literal, description) KindInfo{#name, description},
#include "compiler/syntax/token_kinds.def"
#undef TOKEN
    KindInfo{"EOF", "the end of the file"},
};

}  // namespace

std::string_view token_name(TokenKind kind) { return kKinds[static_cast<size_t>(kind)].name; }
std::string_view token_description(TokenKind kind) { return kKinds[static_cast<size_t>(kind)].description; }

}  // namespace flowc::syntax
