// The lexer: a mode stack (code / string) over the file's bytes.
#include "compiler/syntax/lexer.h"

#include <cmath>
#include <cstring>
#include <limits>
#include <optional>

#include "ir/units.h"
#include "ir/utf8.h"

namespace flowc::syntax {
namespace {

constexpr int kMaxLexErrors = 20;

bool is_ident_start(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_'; }
bool is_ident_char(char c) { return is_ident_start(c) || (c >= '0' && c <= '9'); }
bool is_digit(char c) { return c >= '0' && c <= '9'; }
bool is_alpha(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }

TokenKind keyword(std::string_view word) {
  switch (word.size()) {
    case 2:
      if (word == "op") return TokenKind::KW_OP;
      if (word == "if") return TokenKind::KW_IF;
      if (word == "in") return TokenKind::KW_IN;
      break;
    case 3:
      if (word == "for") return TokenKind::KW_FOR;
      break;
    case 4:
      if (word == "type") return TokenKind::KW_TYPE;
      if (word == "else") return TokenKind::KW_ELSE;
      if (word == "with") return TokenKind::KW_WITH;
      if (word == "true") return TokenKind::KW_TRUE;
      if (word == "none") return TokenKind::KW_NONE;
      break;
    case 5:
      if (word == "false") return TokenKind::KW_FALSE;
      break;
    case 6:
      if (word == "import") return TokenKind::KW_IMPORT;
      if (word == "return") return TokenKind::KW_RETURN;
      break;
    case 8:
      if (word == "workflow") return TokenKind::KW_WORKFLOW;
      break;
  }
  return TokenKind::IDENT;
}

std::string unit_hint(std::string_view unit) {
  auto lower = [](std::string_view s) {
    std::string out(s);
    for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return out;
  };
  for (const ir::Unit& u : ir::units()) {
    if (u.size && lower(u.name) == lower(unit)) return fmt::format("did you mean `{}`?", u.name);
  }
  if (unit == "K" || unit == "M" || unit == "G" || unit == "T" || unit == "k" || unit == "g") {
    return fmt::format("write `{0}iB` (powers of 1024) or `{0}B` (powers of 1000)",
                       static_cast<char>(std::toupper(static_cast<unsigned char>(unit[0]))));
  }
  return fmt::format("sizes: {}; durations: {}", ir::kSizeUnitNames, ir::kDurationUnitNames);
}

// Decodes one UTF-8 code point at `p` (the file was validated up front).
uint32_t decode_code_point(std::string_view text, size_t p, size_t* length) {
  auto c = static_cast<unsigned char>(text[p]);
  if (c < 0x80) {
    *length = 1;
    return c;
  }
  size_t n = c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : 2;
  uint32_t cp = c & (0x3F >> (n - 1));
  for (size_t i = 1; i < n && p + i < text.size(); ++i)
    cp = (cp << 6) | (static_cast<unsigned char>(text[p + i]) & 0x3F);
  *length = n;
  return cp;
}

void append_utf8(std::string& out, uint32_t cp) {
  if (cp < 0x80) {
    out += static_cast<char>(cp);
  } else if (cp < 0x800) {
    out += static_cast<char>(0xC0 | (cp >> 6));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else if (cp < 0x10000) {
    out += static_cast<char>(0xE0 | (cp >> 12));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else {
    out += static_cast<char>(0xF0 | (cp >> 18));
    out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  }
}

class Lexer {
 public:
  Lexer(const SourceFile& file, Diagnostics& diags) : file_(file), src_(file.text()), diags_(diags) {}

  LexResult run() {
    if (!check_encoding()) {
      finish();
      return std::move(out_);
    }
    if (src_.substr(0, 3) == "\xEF\xBB\xBF") pos_ = 3;  // a UTF-8 byte order mark
    modes_.push_back(Mode{Mode::Code, false, 0, 0});
    while (!stopped_) {
      if (modes_.back().kind == Mode::String) {
        string_piece();
      } else {
        code_token();
      }
    }
    finish();
    return std::move(out_);
  }

 private:
  struct Mode {
    enum Kind { Code, String } kind;
    bool triple;      // String: a """ string
    uint32_t open;    // offset of the opening quote or `${`
    int brace_depth;  // Code inside `${...}`: unmatched `{` seen so far
  };

  Span span(size_t b, size_t e) const { return Span{file_.id(), static_cast<uint32_t>(b), static_cast<uint32_t>(e)}; }

  template <typename... Args>
  Diagnostic* error(DiagId id, size_t b, size_t e, const Args&... args) {
    // The earliest error, not the first found: later syntax errors are
    // echoes only if they follow it in the file.
    out_.first_error = std::min(out_.first_error, static_cast<uint32_t>(b));
    if (++error_count_ > kMaxLexErrors) {
      diags_.report(DiagId::TooManyErrors, span(b, e));
      out_.fatal = true;
      stopped_ = true;
      return nullptr;
    }
    return &diags_.report(id, span(b, e), args...);
  }

  bool check_encoding() {
    if (const void* nul = std::memchr(src_.data(), '\0', src_.size())) {
      size_t at = static_cast<const char*>(nul) - src_.data();
      diags_.report(DiagId::BinaryFile, span(at, at + 1));
      out_.first_error = static_cast<uint32_t>(at);
      out_.fatal = true;
      return false;
    }
    if (auto bad = ir::first_invalid_utf8(src_)) {
      diags_.report(DiagId::InvalidUtf8, span(*bad, *bad + 1),
                    static_cast<unsigned>(static_cast<unsigned char>(src_[*bad])));
      out_.first_error = static_cast<uint32_t>(*bad);
      out_.fatal = true;
      return false;
    }
    return true;
  }

  void finish() {
    uint32_t end = static_cast<uint32_t>(src_.size());
    out_.tokens.push_back(Token{TokenKind::EndOfFile, false, end, end, 0});
  }

  void emit(TokenKind kind, size_t b, size_t e, uint32_t payload = 0, bool triple = false) {
    out_.tokens.push_back(Token{kind, triple, static_cast<uint32_t>(b), static_cast<uint32_t>(e), payload});
  }

  char peek(size_t ahead = 0) const { return pos_ + ahead < src_.size() ? src_[pos_ + ahead] : '\0'; }

  void enter_nesting(size_t b, size_t e) {
    if (++nesting_ > kMaxNesting) {
      out_.first_error = std::min(out_.first_error, static_cast<uint32_t>(b));
      diags_.report(DiagId::NestingTooDeep, span(b, e), kMaxNesting)
          .with_help("split the expression or block into named steps");
      out_.fatal = true;
      stopped_ = true;
    }
  }
  void leave_nesting() {
    if (nesting_ > 0) --nesting_;
  }

  // Skips whitespace and comments; collects `///` doc comments.
  void skip_trivia() {
    while (pos_ < src_.size()) {
      char c = src_[pos_];
      if (c == '\n' && in_interpolation()) break;  // an interpolation ends on its line
      if (c == ' ' || c == '\t' || c == '\n' || c == '\r') {
        ++pos_;
      } else if (c == '/' && peek(1) == '/') {
        size_t start = pos_;
        size_t eol = src_.find('\n', pos_);
        if (eol == std::string_view::npos) eol = src_.size();
        bool doc = peek(2) == '/' && peek(3) != '/';
        if (doc) add_doc_line(start, eol);
        pos_ = eol;
      } else if (c == '/' && peek(1) == '*') {
        size_t close = src_.find("*/", pos_ + 2);
        if (close == std::string_view::npos) {
          error(DiagId::UnterminatedComment, pos_, pos_ + 2);
          pos_ = src_.size();
        } else {
          pos_ = close + 2;
        }
      } else {
        break;
      }
    }
  }

  void add_doc_line(size_t start, size_t eol) {
    std::string_view line = src_.substr(start + 3, eol - start - 3);
    if (!line.empty() && line.front() == ' ') line.remove_prefix(1);
    while (!line.empty() && (line.back() == '\r' || line.back() == ' ')) line.remove_suffix(1);
    // Consecutive `///` lines (only whitespace between) form one block.
    if (!out_.docs.empty()) {
      DocComment& last = out_.docs.back();
      std::string_view gap = src_.substr(last.end, start - last.end);
      size_t newlines = 0;
      bool blank = true;
      for (char g : gap) {
        if (g == '\n') ++newlines;
        else if (g != ' ' && g != '\t' && g != '\r') blank = false;
      }
      if (blank && newlines == 1) {
        last.text += '\n';
        last.text += line;
        last.end = static_cast<uint32_t>(eol);
        return;
      }
    }
    out_.docs.push_back(DocComment{static_cast<uint32_t>(start), static_cast<uint32_t>(eol), std::string(line)});
  }

  void code_token() {
    skip_trivia();
    if (stopped_) return;
    if (pos_ >= src_.size()) {
      if (modes_.size() > 1) {
        // Inside `${` (or a string opened inside one) at the end of the file.
        for (auto it = modes_.rbegin(); it != modes_.rend(); ++it) {
          if (it->kind == Mode::Code && it + 1 != modes_.rend()) {
            if (Diagnostic* d = error(DiagId::UnterminatedInterpolation, it->open, it->open + 2)) {
              d->with_help("close it with `}`");
            }
            break;
          }
        }
      }
      stopped_ = true;
      return;
    }
    size_t start = pos_;
    char c = src_[pos_];

    if (in_interpolation() && (c == '\n' || (c == '$' && peek(1) == '{'))) {
      close_unterminated_interpolation(c == '\n');
      return;
    }

    if (is_ident_start(c)) {
      while (pos_ < src_.size() && is_ident_char(src_[pos_])) ++pos_;
      emit(keyword(src_.substr(start, pos_ - start)), start, pos_);
      return;
    }
    if (is_digit(c)) {
      number();
      return;
    }
    if (c == '"') {
      bool triple = peek(1) == '"' && peek(2) == '"';
      pos_ += triple ? 3 : 1;
      emit(TokenKind::STR_OPEN, start, pos_, 0, triple);
      modes_.push_back(Mode{Mode::String, triple, static_cast<uint32_t>(start), 0});
      return;
    }

    auto two = [&](char second, TokenKind kind) {
      if (peek(1) != second) return false;
      pos_ += 2;
      emit(kind, start, pos_);
      return true;
    };
    auto one = [&](TokenKind kind) {
      pos_ += 1;
      emit(kind, start, pos_);
    };

    switch (c) {
      case '(':
      case '[':
        one(c == '(' ? TokenKind::LPAREN : TokenKind::LBRACK);
        enter_nesting(start, pos_);
        return;
      case ')':
      case ']':
        one(c == ')' ? TokenKind::RPAREN : TokenKind::RBRACK);
        leave_nesting();
        return;
      case '{':
        one(TokenKind::LBRACE);
        if (modes_.size() > 1) ++modes_.back().brace_depth;
        enter_nesting(start, pos_);
        return;
      case '}':
        leave_nesting();
        if (modes_.size() > 1 && modes_.back().brace_depth == 0) {
          one(TokenKind::INTERP_CLOSE);
          modes_.pop_back();
          return;
        }
        if (modes_.size() > 1) --modes_.back().brace_depth;
        one(TokenKind::RBRACE);
        return;
      case ',': one(TokenKind::COMMA); return;
      case ':': one(TokenKind::COLON); return;
      case '.': one(TokenKind::DOT); return;
      case '+': one(TokenKind::PLUS); return;
      case '*': one(TokenKind::STAR); return;
      case '/': one(TokenKind::SLASH); return;
      case '%': one(TokenKind::PERCENT); return;
      case '-':
        if (!two('>', TokenKind::ARROW)) one(TokenKind::MINUS);
        return;
      case '?':
        if (!two('?', TokenKind::COALESCE)) one(TokenKind::QUESTION);
        return;
      case '=':
        if (!two('=', TokenKind::EQ)) one(TokenKind::ASSIGN);
        return;
      case '!':
        if (!two('=', TokenKind::NE)) one(TokenKind::BANG);
        return;
      case '<':
        if (!two('=', TokenKind::LE)) one(TokenKind::LT);
        return;
      case '>':
        if (!two('=', TokenKind::GE)) one(TokenKind::GT);
        return;
      case '|':
        if (two('|', TokenKind::OROR)) return;
        break;
      case '&':
        if (two('&', TokenKind::ANDAND)) return;
        break;
      default: break;
    }
    unexpected_character();
  }

  // Inside `${...}` (the innermost mode is code, within a string)?
  bool in_interpolation() const { return modes_.size() > 1 && modes_.back().kind == Mode::Code; }

  // `${` without its `}`: reached the end of the line, or another `${`.
  // Reports it at the `${` and resumes the string, so one forgotten brace is
  // one error. A one-line string that reached its line's end ends there too.
  void close_unterminated_interpolation(bool at_newline) {
    Mode interp = modes_.back();
    if (Diagnostic* d = error(DiagId::UnterminatedInterpolation, interp.open, interp.open + 2)) {
      d->with_help("close it with `}` on the same line");
    }
    emit(TokenKind::INTERP_CLOSE, pos_, pos_);
    modes_.pop_back();
    leave_nesting();
    for (int i = 0; i < interp.brace_depth; ++i) leave_nesting();
    if (at_newline && !modes_.back().triple) {
      emit(TokenKind::STR_CLOSE, pos_, pos_);
      modes_.pop_back();
    }
  }

  void unexpected_character() {
    size_t start = pos_;
    size_t length = 1;
    uint32_t cp = decode_code_point(src_, pos_, &length);
    pos_ += length;
    std::string shown;
    if (cp >= 0x21 && cp < 0x7f) {
      shown = fmt::format("`{}`", static_cast<char>(cp));
    } else if (cp >= 0x80) {
      std::string glyph(src_.substr(start, length));
      shown = fmt::format("`{}` (U+{:04X})", glyph, cp);
    } else {
      shown = fmt::format("U+{:04X}", cp);
    }
    Diagnostic* d = error(DiagId::UnexpectedCharacter, start, pos_, shown);
    if (!d) return;
    if (cp == '#') d->with_help("comments start with `//`");
    if (cp == '|') d->with_help("`or` is written `||`");
    if (cp == '&') d->with_help("`and` is written `&&`");
    if (cp == '$') d->with_help("`${...}` interpolation only works inside a string");
    if (cp == '\'') d->with_help("strings are written in double quotes: \"...\"");
    if (cp == ';') d->with_help("statements need no `;`; remove it");
    if (cp == 0x201C || cp == 0x201D) d->with_help("this is a typographic quote; use a plain `\"`");
  }

  void number() {
    size_t start = pos_;
    bool real = false;
    auto digits = [&] {
      while (pos_ < src_.size() && (is_digit(src_[pos_]) || (src_[pos_] == '_' && is_digit(peek(1))))) ++pos_;
    };
    digits();
    if (peek() == '.' && is_digit(peek(1))) {
      real = true;
      ++pos_;
      digits();
    }
    if ((peek() == 'e' || peek() == 'E') &&
        (is_digit(peek(1)) || ((peek(1) == '+' || peek(1) == '-') && is_digit(peek(2))))) {
      real = true;
      pos_ += 2;
      digits();
    }
    size_t number_end = pos_;
    size_t unit_begin = pos_;
    while (pos_ < src_.size() && is_alpha(src_[pos_])) ++pos_;
    // A digit or `_` glued to the unit (`8GiB2`) makes the whole thing malformed.
    while (pos_ < src_.size() && is_ident_char(src_[pos_])) ++pos_;

    std::string digits_only;
    for (char d : src_.substr(start, number_end - start)) {
      if (d != '_') digits_only += d;
    }
    std::string_view unit = src_.substr(unit_begin, pos_ - unit_begin);
    std::string_view whole = src_.substr(start, pos_ - start);
    NumberValue value;

    if (unit.empty()) {
      if (real) {
        value.real = std::strtod(digits_only.c_str(), nullptr);
        if (!std::isfinite(value.real)) error(DiagId::NumberTooLarge, start, pos_, whole);
        push_number(TokenKind::FLOAT, start, value);
      } else {
        errno = 0;
        unsigned long long v = std::strtoull(digits_only.c_str(), nullptr, 10);
        if (errno == ERANGE || v > static_cast<unsigned long long>(std::numeric_limits<int64_t>::max())) {
          error(DiagId::NumberTooLarge, start, pos_, whole);
          v = 0;
        }
        value.integer = static_cast<int64_t>(v);
        push_number(TokenKind::INT, start, value);
      }
      return;
    }

    const ir::Unit* found = ir::find_unit(unit);
    double amount = std::strtod(digits_only.c_str(), nullptr);
    if (!found) {
      if (Diagnostic* d = error(DiagId::UnknownUnit, unit_begin, pos_, unit)) d->with_help(unit_hint(unit));
      push_number(TokenKind::INT, start, value);
      return;
    }
    double scaled = amount * found->factor;
    if (found->size) {
      // A whole number of units is exact; a fraction rounds to the byte.
      int64_t exact = 0;
      errno = 0;
      long long count = real ? 0 : std::strtoll(digits_only.c_str(), nullptr, 10);
      if (!real && errno == 0 && !__builtin_mul_overflow(count, found->bytes, &exact)) {
        value.integer = exact;
      } else if (real && scaled < 9.2e18) {
        value.integer = static_cast<int64_t>(std::llround(scaled));
      } else {
        error(DiagId::NumberTooLarge, start, pos_, whole);
      }
    } else {
      value.real = scaled;
    }
    push_number(found->size ? TokenKind::SIZE : TokenKind::DURATION, start, value);
  }

  void push_number(TokenKind kind, size_t start, NumberValue value) {
    out_.numbers.push_back(value);
    emit(kind, start, pos_, static_cast<uint32_t>(out_.numbers.size() - 1));
  }

  // Lexes string text up to the next `${`, closing quote, or error.
  void string_piece() {
    Mode mode = modes_.back();
    std::string text;
    size_t text_begin = pos_;
    auto flush = [&](size_t at) {
      if (text.empty() && at == text_begin) return;
      out_.texts.push_back(std::move(text));
      text.clear();
      emit(TokenKind::STR_TEXT, text_begin, at, static_cast<uint32_t>(out_.texts.size() - 1), mode.triple);
    };
    auto close_missing = [&](DiagId id) {
      flush(pos_);
      Diagnostic* d = error(id, mode.open, mode.open + (mode.triple ? 3 : 1));
      if (d && id == DiagId::UnterminatedString) {
        d->with_help("close it with `\"` on the same line, or use `\"\"\"` for text over several lines");
      }
      emit(TokenKind::STR_CLOSE, pos_, pos_, 0, mode.triple);
      modes_.pop_back();
    };

    while (true) {
      if (pos_ >= src_.size()) {
        close_missing(mode.triple ? DiagId::UnterminatedTripleString : DiagId::UnterminatedString);
        return;
      }
      char c = src_[pos_];
      if (c == '"') {
        if (!mode.triple) {
          flush(pos_);
          emit(TokenKind::STR_CLOSE, pos_, pos_ + 1);
          ++pos_;
          modes_.pop_back();
          return;
        }
        size_t run = 0;
        while (pos_ + run < src_.size() && src_[pos_ + run] == '"') ++run;
        if (run >= 3) {
          // `""""` ends with the last three quotes: the others are text.
          text.append(run - 3, '"');
          pos_ += run - 3;
          flush(pos_);
          emit(TokenKind::STR_CLOSE, pos_, pos_ + 3, 0, true);
          pos_ += 3;
          modes_.pop_back();
          return;
        }
        text.append(run, '"');
        pos_ += run;
        continue;
      }
      if (c == '$' && peek(1) == '$' && peek(2) == '{') {
        text += "${";  // `$${` is a literal `${`, e.g. for the shell
        pos_ += 3;
        continue;
      }
      if (c == '$' && peek(1) == '{') {
        flush(pos_);
        emit(TokenKind::INTERP_OPEN, pos_, pos_ + 2, 0, mode.triple);
        modes_.push_back(Mode{Mode::Code, false, static_cast<uint32_t>(pos_), 0});
        enter_nesting(pos_, pos_ + 2);
        pos_ += 2;
        return;
      }
      if (c == '\n' && !mode.triple) {
        if (modes_.size() > 2 && modes_[modes_.size() - 2].kind == Mode::Code) {
          // A string opened inside `${...}` that runs to the end of the line:
          // the `}` before it is what is missing. Let the interpolation
          // report that, once.
          flush(pos_);
          emit(TokenKind::STR_CLOSE, pos_, pos_);
          modes_.pop_back();
          return;
        }
        close_missing(DiagId::UnterminatedString);
        return;
      }
      if (c == '\\' && !mode.triple) {
        escape(text);
        continue;
      }
      // A run of plain text, appended at once.
      size_t run = pos_ + 1;
      while (run < src_.size() && !special_in_string(src_[run])) ++run;
      text.append(src_.substr(pos_, run - pos_));
      pos_ = run;
    }
  }

  // A byte string_piece() must look at: it may end the text or start something.
  static bool special_in_string(char c) { return c == '"' || c == '$' || c == '\n' || c == '\\'; }

  void escape(std::string& text) {
    size_t start = pos_;
    char e = peek(1);
    pos_ += 2;
    switch (e) {
      case 'n': text += '\n'; return;
      case 't': text += '\t'; return;
      case 'r': text += '\r'; return;
      case '0': text += '\0'; return;
      case '\\': text += '\\'; return;
      case '"': text += '"'; return;
      case '$': text += '$'; return;
      case 'u':
        if (peek() == '{') {
          size_t close = src_.find('}', pos_);
          if (close != std::string_view::npos && close - pos_ <= 7) {
            std::string hex(src_.substr(pos_ + 1, close - pos_ - 1));
            char* endp = nullptr;
            unsigned long cp = std::strtoul(hex.c_str(), &endp, 16);
            if (!hex.empty() && *endp == '\0' && cp <= 0x10FFFF && !(cp >= 0xD800 && cp <= 0xDFFF)) {
              append_utf8(text, static_cast<uint32_t>(cp));
              pos_ = close + 1;
              return;
            }
          }
        }
        break;
      default: break;
    }
    if (e == '\n' || e == '\0') {
      pos_ = start + 1;  // a backslash at the end of the line: let the newline end the string
      text += '\\';
      return;
    }
    size_t length = 1;
    decode_code_point(src_, start + 1, &length);
    pos_ = start + 1 + length;
    std::string shown(src_.substr(start + 1, length));
    if (Diagnostic* d = error(DiagId::UnknownEscape, start, pos_, shown)) {
      d->with_help(
          "escapes are \\n \\t \\r \\0 \\\\ \\\" \\$ and \\u{hex}; write a backslash as \\\\, "
          "or paths with `/`; in \"\"\"...\"\"\" text nothing is escaped");
    }
    text += shown;
  }

  const SourceFile& file_;
  std::string_view src_;
  Diagnostics& diags_;
  LexResult out_;
  size_t pos_ = 0;
  std::vector<Mode> modes_;
  int nesting_ = 0;
  int error_count_ = 0;
  bool stopped_ = false;
};

}  // namespace

LexResult lex(const SourceFile& file, Diagnostics& diags) { return Lexer(file, diags).run(); }

}  // namespace flowc::syntax
