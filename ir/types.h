// flowc's types, shared by the checker (which proves programs right) and the
// runtime (which checks values at the edges: parameters, value outputs).
//
// Types are interned in a TypeTable: two equal types are the same pointer.
// Records are structural; a `type Sample = {...}` declaration gives a record
// a name for display and for the IR, nothing more.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace flowc::ir {

enum class TypeKind : uint8_t {
  Error,  // poison: the type of something already reported as wrong
  None,   // the type of `none`; fits any optional type
  Int,
  Float,
  Bool,
  Str,
  File,
  Dir,
  Size,      // bytes (8GiB)
  Duration,  // seconds (2h)
  Bytes,     // only as stream[bytes]
  List,
  Map,       // map[str, T]
  Optional,  // T?
  Record,
  Stream,  // stream[T]
  Var,     // a type variable in a builtin's signature (T, A, B)
  Any,     // IR 2: any JSON value, checked at run time (CWL's Any and unions); its files are
           // objects {"class": "File" | "Directory", "path": ...} (runtime/value/file_object.h)
};

class Type;

struct Field {
  std::string name;
  const Type* type;
};

// A file that travels with a `file` (an index beside it): CWL's
// secondaryFiles. Written `file with [".fai", "^.bai", ".csi"?]`.
struct Companion {
  // ".bai": appended to the file's name (x.bam → x.bam.bai). Each leading
  // `^` first removes one extension ("^.bai": x.bam → x.bai). Never empty,
  // never a path (no `/`).
  std::string pattern;
  bool required = true;  // `".csi"?`: staged, hashed and published only if it is there
};

// The name of a companion of the file named `file_name` (a base name).
std::string companion_name(std::string_view file_name, std::string_view pattern);
// Why `pattern` cannot be a companion pattern ("" if it can).
std::string companion_pattern_problem(std::string_view pattern);

class Type {
 public:
  TypeKind kind() const { return kind_; }
  bool is(TypeKind k) const { return kind_ == k; }
  bool is_error() const { return kind_ == TypeKind::Error; }
  bool is_optional() const { return kind_ == TypeKind::Optional; }
  // int float bool str file dir size duration
  bool is_scalar() const;
  bool is_numeric() const { return kind_ == TypeKind::Int || kind_ == TypeKind::Float; }
  bool is_path() const { return kind_ == TypeKind::File || kind_ == TypeKind::Dir; }
  // Does any part of this type hold a file or directory (so values of it
  // carry paths the runtime must stage)?
  bool holds_paths() const;
  bool holds_stream() const;

  const Type* elem() const { return elem_; }                    // List, Optional, Stream, Map value
  const Type* key() const { return key_; }                      // Map
  const std::vector<Field>& fields() const { return fields_; }  // Record, by name
  const Type* field(std::string_view name) const;
  const std::string& var_name() const { return var_; }
  // File: the files that travel beside it, in pattern order (usually none).
  const std::vector<Companion>& companions() const { return companions_; }
  // T for T?, otherwise the type itself.
  const Type* non_optional() const { return kind_ == TypeKind::Optional ? elem_ : this; }

  // Canonical text: `list[{id: str, reads: file}]?`. Record fields are in
  // name order, so equal types print equally.
  const std::string& str() const { return text_; }

  // 1 for a scalar, 1 + the deepest part for list, map, optional, stream
  // and record types. The checker refuses types deeper than kMaxTypeDepth:
  // built up binding by binding (`b = [a]`, `c = [b]`, ...) a type's text
  // and every walk over it would otherwise grow without bound.
  uint32_t depth() const { return depth_; }

 private:
  friend class TypeTable;
  TypeKind kind_ = TypeKind::Error;
  const Type* elem_ = nullptr;
  const Type* key_ = nullptr;
  std::vector<Field> fields_;
  std::vector<Companion> companions_;
  std::string var_;
  std::string text_;
  uint32_t depth_ = 1;
};

// The deepest type a program may have (tests/ir checks that the IR reader
// accepts every type the compiler does).
inline constexpr uint32_t kMaxTypeDepth = 100;

class TypeTable {
 public:
  TypeTable();
  TypeTable(const TypeTable&) = delete;
  TypeTable& operator=(const TypeTable&) = delete;

  const Type* error() const { return error_; }
  const Type* none() const { return none_; }
  const Type* int_() const { return int_t_; }
  const Type* float_() const { return float_t_; }
  const Type* bool_() const { return bool_t_; }
  const Type* str() const { return str_t_; }
  const Type* file() const { return file_t_; }
  const Type* dir() const { return dir_t_; }
  const Type* size() const { return size_t_; }
  const Type* duration() const { return duration_t_; }
  const Type* bytes() const { return bytes_t_; }
  const Type* any() const { return any_t_; }  // not a name in the language: only in IR
  // The scalar named `name` (int, str, file, ...), or null.
  const Type* primitive(std::string_view name) const;

  const Type* list(const Type* elem);
  const Type* map(const Type* value);      // keys are str
  const Type* optional(const Type* elem);  // T?? is T?; error? is error
  const Type* stream(const Type* elem);
  const Type* record(std::vector<Field> fields);  // duplicates are the caller's error
  // `file with [...]`: plain `file` when there are none; duplicates are the caller's error.
  const Type* file_with(std::vector<Companion> companions);
  const Type* var(const std::string& name);

  // Display names for records (`type Sample = {...}`). The first name given
  // to a record type is the one shown.
  void set_alias(const Type* record, const std::string& name);
  const std::map<std::string, const Type*>& aliases() const { return alias_types_; }
  // Like str(), but records with an alias print as the alias: `list[Sample]`.
  std::string display(const Type* t) const;

 private:
  const Type* intern(Type t);
  std::unordered_map<std::string, std::unique_ptr<Type>> interned_;
  std::unordered_map<const Type*, std::string> alias_of_;
  std::map<std::string, const Type*> alias_types_;
  const Type *error_, *none_, *int_t_, *float_t_, *bool_t_, *str_t_, *file_t_, *dir_t_, *size_t_, *duration_t_,
      *bytes_t_, *any_t_;
};

// May a value of type `from` be used where `to` is expected? int widens to
// float; T fits T?; none fits any T?; lists, maps and optionals are covariant
// (values are immutable); a record fits a record with the same field names
// whose field types it fits; a stream fits only the identical stream type; a
// file fits a file whose required companions it has, required too.
// The error type fits everything both ways, so one mistake is reported once.
bool is_assignable(const Type* from, const Type* to);

// The type both a and b fit (for list items, if/else branches, `??`), or null.
const Type* common_type(TypeTable& types, const Type* a, const Type* b);

}  // namespace flowc::ir
