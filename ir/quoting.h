// How an interpolated value is quoted where it stands in a command: found by
// the compiler's shell-context checker (compiler/check/shell_context.cpp),
// carried by the IR, applied by the runtime's renderer. One enum for all
// three, so the compiler's view and the IR's cannot drift apart.
#pragma once

namespace flowc::ir {

enum class Quoting {
  Bare,        // outside quotes: each value becomes one single-quoted word
  Double,      // inside "...": \ $ ` " escaped with a backslash
  Single,      // inside '...': each ' becomes '\'' (close, escaped quote, reopen)
  Heredoc,     // in a here-document with an unquoted delimiter: \ $ ` escaped
  Literal,     // in a here-document with a quoted delimiter: inserted as it is
  Arithmetic,  // inside $(( )): numbers and bools as they are; anything else one quoted word
  Parameter,   // in the word of ${name:-word} inside "..." or a here-document: a nested "..." (\ $ ` " escaped)
};

const char* to_string(Quoting q);

}  // namespace flowc::ir
