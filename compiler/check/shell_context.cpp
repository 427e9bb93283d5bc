// A small POSIX-shell scanner: quotes, backslashes, $( ), ${ }, backticks,
// comments and here-documents. It only tracks what changes how text is
// quoted; it does not parse commands.
#include "compiler/check/shell_context.h"

#include <algorithm>
#include <string>

namespace flowc::check {
namespace {

// EscapedBacktick: \`...\` inside backticks, a command substitution one
// level deeper. Parameter: the word of a parameter expansion, `${name:-word}`,
// outside double quotes; QuotedParameter: the same inside "..." or a
// here-document, where a `}` in a value would end the expansion early and
// quotes nest (dash, bash and busybox agree: `"${u:-"a}b"}"` is `a}b`).
enum class Frame {
  Normal,
  Single,
  Double,
  Subshell,
  Backtick,
  EscapedBacktick,
  Arithmetic,
  Parameter,
  QuotedParameter
};

struct Heredoc {
  std::string delimiter;
  bool quoted = false;      // <<'EOF': no expansion inside
  bool strip_tabs = false;  // <<-EOF
};

bool is_word_char(char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-' || c == '.'; }

}  // namespace

void annotate_shell_contexts(std::vector<ast::StringPart>& parts) {
  // One string for the whole command, with one placeholder character per
  // interpolation, and which positions are placeholders.
  std::string text;
  std::vector<ast::StringPart*> at;  // the interpolation at each placeholder position, or null
  for (ast::StringPart& p : parts) {
    if (p.expr) {
      text += 'x';
      at.push_back(&p);
    } else {
      text += p.text;
      at.resize(text.size(), nullptr);
    }
  }

  std::vector<Frame> stack = {Frame::Normal};
  std::vector<int> arith_depth;  // open parentheses inside each $(( ))
  std::vector<Heredoc> pending;  // here-documents whose bodies start on the next line
  const size_t n = text.size();
  size_t i = 0;

  auto backticks = [&] {
    int count = 0;
    for (Frame f : stack) count += f == Frame::Backtick || f == Frame::EscapedBacktick;
    return static_cast<uint8_t>(std::min(count, 255));
  };
  auto mark = [&](ast::StringPart* part, ast::ShellContext c) {
    part->shell = c;
    part->backticks = backticks();
  };
  auto context = [&]() {
    switch (stack.back()) {
      case Frame::Single: return ast::ShellContext::Single;
      case Frame::Double: return ast::ShellContext::Double;
      case Frame::Arithmetic: return ast::ShellContext::Arithmetic;
      case Frame::QuotedParameter: return ast::ShellContext::Parameter;
      default: return ast::ShellContext::Bare;
    }
  };

  auto heredoc_body = [&](const Heredoc& doc) {
    // Line by line until a line that is exactly the delimiter. In an
    // unquoted document, `${name:-word}` is expanded, with quotes in its word
    // working as in "...": those frames are followed, nothing else.
    std::vector<Frame> frames;  // QuotedParameter and Double only
    while (i < n) {
      size_t line_end = text.find('\n', i);
      if (line_end == std::string::npos) line_end = n;
      size_t start = i;
      if (doc.strip_tabs) {
        while (start < line_end && text[start] == '\t') ++start;
      }
      bool has_interpolation = false;
      for (size_t k = i; k < line_end; ++k) {
        if (at[k]) {
          has_interpolation = true;
          ast::ShellContext c = doc.quoted                                ? ast::ShellContext::Literal
                                : frames.empty()                          ? ast::ShellContext::Heredoc
                                : frames.back() == Frame::QuotedParameter ? ast::ShellContext::Parameter
                                                                          : ast::ShellContext::Double;
          mark(at[k], c);
          at[k]->heredoc_end = doc.delimiter;
          at[k]->heredoc_strip_tabs = doc.strip_tabs;
          continue;
        }
        if (doc.quoted) continue;
        char c = text[k];
        if (c == '\\') {
          ++k;
        } else if (c == '$' && k + 1 < line_end && text[k + 1] == '{') {
          frames.push_back(Frame::QuotedParameter);
          ++k;
        } else if (c == '}' && !frames.empty() && frames.back() == Frame::QuotedParameter) {
          frames.pop_back();
        } else if (c == '"' && !frames.empty()) {
          if (frames.back() == Frame::Double) frames.pop_back();
          else frames.push_back(Frame::Double);
        }
      }
      bool is_end = !has_interpolation && text.compare(start, line_end - start, doc.delimiter) == 0;
      i = line_end < n ? line_end + 1 : n;
      if (is_end) return;
    }
  };

  while (i < n) {
    if (at[i]) {
      mark(at[i], context());
      ++i;
      continue;
    }
    char c = text[i];
    Frame top = stack.back();

    if (top == Frame::Single) {
      if (c == '\'') stack.pop_back();
      ++i;
      continue;
    }
    if (top == Frame::Arithmetic) {
      // $(( ... )): parentheses nest; `))` at depth 0 ends it.
      if (c == '(') {
        ++arith_depth.back();
      } else if (c == ')') {
        if (arith_depth.back() == 0 && i + 1 < n && text[i + 1] == ')') {
          stack.pop_back();
          arith_depth.pop_back();
          i += 2;
          continue;
        }
        if (arith_depth.back() > 0) --arith_depth.back();
      } else if (c == '$' && i + 1 < n && text[i + 1] == '(') {
        if (i + 2 < n && text[i + 2] == '(') {
          stack.push_back(Frame::Arithmetic);
          arith_depth.push_back(0);
          i += 3;
          continue;
        }
        stack.push_back(Frame::Subshell);
        ++i;
      }
      ++i;
      continue;
    }
    if (c == '\\') {
      // Inside backticks, \` opens (or closes) a substitution one level deeper.
      if ((top == Frame::Backtick || top == Frame::EscapedBacktick) && i + 1 < n && text[i + 1] == '`') {
        if (top == Frame::EscapedBacktick) stack.pop_back();
        else stack.push_back(Frame::EscapedBacktick);
      }
      i += 2;
      continue;
    }
    if (top == Frame::Double || top == Frame::QuotedParameter) {
      if (c == '"') {
        // Inside ${...} within quotes, a quote opens a nested "..." word.
        if (top == Frame::Double) stack.pop_back();
        else stack.push_back(Frame::Double);
      } else if (c == '}' && top == Frame::QuotedParameter) {
        stack.pop_back();
      } else if (c == '$' && i + 1 < n && text[i + 1] == '{') {
        stack.push_back(Frame::QuotedParameter);
        ++i;
      } else if (c == '$' && i + 2 < n && text[i + 1] == '(' && text[i + 2] == '(') {
        stack.push_back(Frame::Arithmetic);
        arith_depth.push_back(0);
        i += 2;
      } else if (c == '$' && i + 1 < n && text[i + 1] == '(') {
        stack.push_back(Frame::Subshell);
        ++i;
      } else if (c == '`') {
        stack.push_back(Frame::Backtick);
      }
      ++i;
      continue;
    }

    // Normal, Subshell, Backtick and Parameter: unquoted shell text.
    if (top == Frame::Parameter && c == '}') {
      stack.pop_back();
      ++i;
      continue;
    }
    switch (c) {
      case '\'': stack.push_back(Frame::Single); break;
      case '"': stack.push_back(Frame::Double); break;
      case '`':
        if (top == Frame::Backtick) stack.pop_back();
        else stack.push_back(Frame::Backtick);
        break;
      case '$':
        if (i + 2 < n && text[i + 1] == '(' && text[i + 2] == '(') {
          stack.push_back(Frame::Arithmetic);
          arith_depth.push_back(0);
          i += 2;
        } else if (i + 1 < n && text[i + 1] == '(') {
          stack.push_back(Frame::Subshell);
          ++i;
        } else if (i + 1 < n && text[i + 1] == '{') {
          stack.push_back(Frame::Parameter);
          ++i;
        }
        break;
      case '(':
        if (top == Frame::Subshell) stack.push_back(Frame::Subshell);
        break;
      case ')':
        if (top == Frame::Subshell) stack.pop_back();
        break;
      case '#': {
        if (top == Frame::Parameter) break;  // ${#name}, ${name#pattern}
        bool word_start = i == 0 || std::isspace(static_cast<unsigned char>(text[i - 1])) || text[i - 1] == ';';
        if (word_start) {
          while (i < n && text[i] != '\n') {
            if (at[i]) {
              mark(at[i], ast::ShellContext::Bare);
              at[i]->comment = true;
            }
            ++i;
          }
          continue;
        }
        break;
      }
      case '<':
        if (i + 1 < n && text[i + 1] == '<' && !(i + 2 < n && text[i + 2] == '<')) {
          Heredoc doc;
          size_t k = i + 2;
          if (k < n && text[k] == '-') {
            doc.strip_tabs = true;
            ++k;
          }
          while (k < n && (text[k] == ' ' || text[k] == '\t')) ++k;
          char quote = k < n && (text[k] == '\'' || text[k] == '"') ? text[k] : 0;
          if (quote) {
            doc.quoted = true;
            ++k;
          }
          if (k < n && text[k] == '\\') {
            doc.quoted = true;
            ++k;
          }
          size_t word = k;
          while (k < n && is_word_char(text[k]) && !at[k]) ++k;
          doc.delimiter = text.substr(word, k - word);
          if (quote && k < n && text[k] == quote) ++k;
          if (!doc.delimiter.empty()) pending.push_back(doc);
          i = k;
          continue;
        }
        break;
      case '\n':
        if (!pending.empty()) {
          ++i;
          for (const Heredoc& doc : pending) heredoc_body(doc);
          pending.clear();
          continue;
        }
        break;
      default: break;
    }
    ++i;
  }
}

}  // namespace flowc::check
