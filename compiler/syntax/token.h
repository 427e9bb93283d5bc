// Token kinds (from token_kinds.def) and the lexer's compact token record.
#pragma once

#include <cstdint>
#include <string_view>

namespace flowc::syntax {

// Numbered from 1 like ANTLR token types; 0 is unused, EndOfFile is ANTLR's EOF.
enum class TokenKind : uint16_t {
  Invalid = 0,
#define TOKEN(name, literal, description) name,
#include "compiler/syntax/token_kinds.def"
#undef TOKEN
  EndOfFile,
};

std::string_view token_name(TokenKind kind);         // "LPAREN"
std::string_view token_description(TokenKind kind);  // "`(`", "a name"

struct Token {
  TokenKind kind;
  bool triple = false;  // STR_OPEN/STR_TEXT/STR_CLOSE of a """ string
  uint32_t begin = 0;   // byte offsets into the file
  uint32_t end = 0;
  uint32_t payload = 0;  // STR_TEXT: index of its decoded text in LexResult::texts
};

}  // namespace flowc::syntax
