// A small recursive-descent reader for type text.
#include "ir/type_parser.h"

#include <fmt/format.h>

namespace flowc::ir {
namespace {

// As deep as the compiler allows (a written type is checked again by depth).
constexpr int kMaxDepth = static_cast<int>(kMaxTypeDepth);

class TypeReader {
 public:
  TypeReader(std::string_view text, TypeTable& types, const TypeNameResolver& resolve)
      : text_(text), types_(types), resolve_(resolve) {}

  const Type* read(std::string* error) {
    const Type* t = type(0);
    skip();
    if (t && pos_ != text_.size()) fail(fmt::format("unexpected `{}`", text_.substr(pos_, 1)));
    if (!error_.empty()) {
      if (error) *error = error_;
      return nullptr;
    }
    return t;
  }

 private:
  void skip() {
    while (pos_ < text_.size() && text_[pos_] == ' ') ++pos_;
  }
  bool eat(char c) {
    skip();
    if (pos_ < text_.size() && text_[pos_] == c) {
      ++pos_;
      return true;
    }
    return false;
  }
  const Type* fail(std::string message) {
    if (error_.empty()) error_ = std::move(message);
    return nullptr;
  }
  std::string name() {
    skip();
    size_t start = pos_;
    while (pos_ < text_.size() && (std::isalnum(static_cast<unsigned char>(text_[pos_])) || text_[pos_] == '_')) ++pos_;
    return std::string(text_.substr(start, pos_ - start));
  }

  const Type* type(int depth) {
    if (depth > kMaxDepth) return fail("type is nested too deeply");
    const Type* t = nullptr;
    if (eat('{')) {
      std::vector<Field> fields;
      if (!eat('}')) {
        do {
          std::string field = name();
          if (field.empty()) return fail("expected a field name");
          if (!eat(':')) return fail("expected `:` after a field name");
          const Type* ft = type(depth + 1);
          if (!ft) return nullptr;
          for (const Field& f : fields) {
            if (f.name == field) return fail(fmt::format("field `{}` appears twice", field));
          }
          fields.push_back({field, ft});
        } while (eat(','));
        if (!eat('}')) return fail("expected `}`");
      }
      t = types_.record(std::move(fields));
    } else {
      std::string word = name();
      if (word.empty()) return fail("expected a type");
      std::vector<const Type*> args;
      if (eat('[')) {
        do {
          const Type* a = type(depth + 1);
          if (!a) return nullptr;
          args.push_back(a);
        } while (eat(','));
        if (!eat(']')) return fail("expected `]`");
      }
      t = apply(word, args);
      if (!t) return nullptr;
      if (with()) {
        if (!t->is(TypeKind::File) || t != types_.file()) return fail("only `file` can have companions");
        t = companions();
        if (!t) return nullptr;
      }
    }
    if (eat('?')) t = types_.optional(t);
    return t;
  }

  // ` with [`, after a type name.
  bool with() {
    size_t start = pos_;
    skip();
    if (text_.substr(pos_, 4) == "with" &&
        (pos_ + 4 == text_.size() || text_[pos_ + 4] == ' ' || text_[pos_ + 4] == '[')) {
      pos_ += 4;
      return true;
    }
    pos_ = start;
    return false;
  }

  // `[".fai", "^.bai", ".csi"?]`: patterns as quoted strings (`\"` and `\\` escaped).
  const Type* companions() {
    if (!eat('[')) return fail("expected `[` after `with`");
    std::vector<Companion> list;
    do {
      if (!eat('"')) return fail("expected a quoted companion pattern");
      std::string pattern;
      while (pos_ < text_.size() && text_[pos_] != '"') {
        if (text_[pos_] == '\\' && pos_ + 1 < text_.size()) ++pos_;
        pattern += text_[pos_++];
      }
      if (pos_ == text_.size()) return fail("unterminated companion pattern");
      ++pos_;
      if (std::string why = companion_pattern_problem(pattern); !why.empty()) {
        return fail(fmt::format("`{}` is not a companion pattern: {}", pattern, why));
      }
      bool required = !eat('?');
      for (const Companion& c : list) {
        if (c.pattern == pattern) return fail(fmt::format("companion `{}` appears twice", pattern));
      }
      list.push_back({pattern, required});
    } while (eat(','));
    if (!eat(']')) return fail("expected `]`");
    return types_.file_with(std::move(list));
  }

  const Type* apply(const std::string& word, const std::vector<const Type*>& args) {
    auto arity = [&](size_t n) {
      if (args.size() != n) fail(fmt::format("`{}` takes {} type argument{}", word, n, n == 1 ? "" : "s"));
      return args.size() == n;
    };
    if (word == "list") return arity(1) ? types_.list(args[0]) : nullptr;
    if (word == "stream") return arity(1) ? types_.stream(args[0]) : nullptr;
    if (word == "map") {
      if (!arity(2)) return nullptr;
      if (!args[0]->is(TypeKind::Str)) return fail("map keys must be str");
      return types_.map(args[1]);
    }
    if (!arity(0)) return nullptr;
    if (const Type* p = types_.primitive(word)) return p;
    if (word == "any") return types_.any();
    if (word == "none") return types_.none();
    if (resolve_) {
      if (const Type* r = resolve_(word)) return r;
    }
    return fail(fmt::format("unknown type `{}`", word));
  }

  std::string_view text_;
  TypeTable& types_;
  const TypeNameResolver& resolve_;
  size_t pos_ = 0;
  std::string error_;
};

}  // namespace

const Type* parse_type(std::string_view text, TypeTable& types, const TypeNameResolver& resolve, std::string* error) {
  return TypeReader(text, types, resolve).read(error);
}

}  // namespace flowc::ir
