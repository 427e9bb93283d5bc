// The builtin functions of ir/builtins.def. Each chooses what to do by its
// arguments' values and their static types (the call's argument expressions).
#include "runtime/eval/builtins.h"

#include "runtime/value/file_object.h"

#include <glob.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <functional>
#include <limits>
#include <map>
#include <regex>
#include <sstream>

#include <fmt/format.h>

#include "ir/utf8.h"
#include "runtime/files/read_small.h"
#include "runtime/value/scalar_text.h"

namespace flowc::runtime::detail {
namespace {

namespace fs = std::filesystem;
using ir::Type;
using ir::TypeKind;

// range() and cross() build at most this many items.
constexpr size_t kMaxItems = 10'000'000;

// The primitive types, for parsing text into values independently of any program.
const ir::TypeTable& primitives() {
  static const ir::TypeTable table;
  return table;
}

struct Call {
  const ir::Expr& e;
  std::vector<Value>& args;
  const EvalOptions& options;

  [[noreturn]] void fail(const std::string& message) const { detail::fail(e.name + ": " + message); }

  // The static type of argument i, without `?`.
  const Type* type(size_t i) const {
    return i < e.args.size() && e.args[i].type ? e.args[i].type->non_optional() : nullptr;
  }
  TypeKind kind(size_t i) const { return type(i) ? type(i)->kind() : TypeKind::Error; }
  TypeKind result_kind() const { return e.type ? e.type->non_optional()->kind() : TypeKind::Error; }

  const std::string& str(size_t i) const {
    if (!args[i].is_string()) fail(fmt::format("argument {} must be a str, not {}", i + 1, describe(args[i])));
    return args[i].get_ref<const std::string&>();
  }
  const Value& list(size_t i) const {
    if (!args[i].is_array()) fail(fmt::format("argument {} must be a list, not {}", i + 1, describe(args[i])));
    return args[i];
  }
  const Value& map(size_t i) const {
    if (!args[i].is_object()) fail(fmt::format("argument {} must be a map, not {}", i + 1, describe(args[i])));
    return args[i];
  }
  int64_t integer(size_t i) const {
    const Value& v = args[i];
    if (!v.is_number_integer() ||
        (v.is_number_unsigned() && v.get<uint64_t>() > static_cast<uint64_t>(std::numeric_limits<int64_t>::max()))) {
      fail(fmt::format("argument {} must be an int, not {}", i + 1, describe(v)));
    }
    return v.get<int64_t>();
  }
  double number(size_t i) const {
    const Value& v = args[i];
    if (!v.is_number()) fail(fmt::format("argument {} must be a number, not {}", i + 1, describe(v)));
    return v.get<double>();
  }
  // A file's path, absolute.
  std::string path(size_t i) const { return resolve_path(str(i), options.base_dir); }
};

using Fn = Value (*)(const Call&);

struct Entry {
  Fn fn;
  size_t min_args, max_args;
  // Argument positions that may be absent (null); any other absent argument is a failure.
  std::vector<size_t> may_be_absent = {};
  bool all_may_be_absent = false;
};

int64_t to_int64(const Call& c, double d) {
  if (!(d >= -9223372036854775808.0 && d < 9223372036854775808.0)) {
    c.fail(fmt::format("{} does not fit in a 64-bit integer", float_text(d)));
  }
  return static_cast<int64_t>(d);
}

// ---- collections ----------------------------------------------------------------

size_t code_points(std::string_view s) {
  size_t n = 0;
  for (char ch : s) n += (static_cast<unsigned char>(ch) & 0xC0) != 0x80;
  return n;
}

Value len(const Call& c) {
  const Value& v = c.args[0];
  if (v.is_array() || v.is_object()) return v.size();
  if (v.is_string()) return code_points(v.get_ref<const std::string&>());
  c.fail(fmt::format("expected a list, map or str, not {}", describe(v)));
}

Value range(const Call& c) {
  int64_t n = c.integer(0);
  if (n < 0) c.fail(fmt::format("the count {} is negative", n));
  if (static_cast<uint64_t>(n) > kMaxItems) c.fail(fmt::format("{} items are more than the {} allowed", n, kMaxItems));
  Value out = Value::array();
  out.get_ref<Value::array_t&>().reserve(static_cast<size_t>(n));
  for (int64_t i = 0; i < n; ++i) out.push_back(i);
  return out;
}

Value pair(const Value& left, const Value& right) { return Value{{"left", left}, {"right", right}}; }

Value zip(const Call& c) {
  const Value &a = c.list(0), &b = c.list(1);
  if (a.size() != b.size()) {
    c.fail(
        fmt::format("the lists differ in length: {} and {}", count_of(a.size(), "item"), count_of(b.size(), "item")));
  }
  Value out = Value::array();
  for (size_t i = 0; i < a.size(); ++i) out.push_back(pair(a[i], b[i]));
  return out;
}

Value cross(const Call& c) {
  const Value &a = c.list(0), &b = c.list(1);
  if (!a.empty() && b.size() > kMaxItems / a.size()) {
    c.fail(fmt::format("{} x {} pairs are more than the {} allowed", a.size(), b.size(), kMaxItems));
  }
  Value out = Value::array();
  for (const Value& x : a) {
    for (const Value& y : b) out.push_back(pair(x, y));
  }
  return out;
}

Value flatten(const Call& c) {
  Value out = Value::array();
  for (const Value& inner : c.list(0)) {
    if (!inner.is_array()) c.fail(fmt::format("expected a list of lists, but an item is {}", describe(inner)));
    for (const Value& item : inner) out.push_back(item);
  }
  return out;
}

Value select_all(const Call& c) {
  Value out = Value::array();
  for (const Value& item : c.list(0)) {
    if (!item.is_null()) out.push_back(item);
  }
  return out;
}

Value select_first(const Call& c) {
  const Value& items = c.list(0);
  for (const Value& item : items) {
    if (!item.is_null()) return item;
  }
  if (items.empty()) c.fail("the list is empty, so it has no present item");
  c.fail(fmt::format("no item is present (all {} are absent)", items.size()));
}

Value defined(const Call& c) { return !c.args[0].is_null(); }

// ---- paths and files ---------------------------------------------------------------

std::string last_part(std::string_view p) {
  while (p.size() > 1 && p.back() == '/') p.remove_suffix(1);
  if (p == "/") return "/";
  size_t slash = p.rfind('/');
  return std::string(slash == std::string_view::npos ? p : p.substr(slash + 1));
}

Value basename(const Call& c) {
  std::string name = last_part(c.str(0));
  if (c.args.size() > 1) {
    const std::string& suffix = c.str(1);
    // As POSIX basename: a name that is the suffix itself keeps it.
    if (!suffix.empty() && name.size() > suffix.size() &&
        name.compare(name.size() - suffix.size(), suffix.size(), suffix) == 0) {
      name.resize(name.size() - suffix.size());
    }
  }
  return name;
}

// Read whole, so bounded: a file a workflow reads with read_lines and
// friends is a list of names or a small table, not a data set.
constexpr uint64_t kMaxReadBytes = 256ull << 20;

std::string read_whole(const Call& c) {
  std::string path = c.path(0);
  const std::string& shown = c.str(0);
  if (c.options.witness) c.options.witness->read(path);
  std::error_code ec;
  if (fs::is_directory(path, ec)) c.fail(fmt::format("`{}` is a directory, not a file", shown));
  std::string error;
  auto text = files::read_small(path, kMaxReadBytes, &error);
  if (!text) c.fail(fmt::format("cannot read `{}`: {}", shown, error));
  return std::move(*text);
}

// File text becomes str values, which must be UTF-8 (they go into JSON).
std::string read_utf8(const Call& c) {
  std::string text = read_whole(c);
  if (auto bad = ir::first_invalid_utf8(text)) {
    c.fail(fmt::format("`{}` is not UTF-8 text (byte 0x{:02X} at byte {})", c.str(0),
                       static_cast<unsigned char>(text[*bad]), *bad + 1));
  }
  return text;
}

Value read_lines(const Call& c) {
  std::string text = read_utf8(c);
  Value out = Value::array();
  size_t start = 0;
  while (start < text.size()) {
    size_t end = text.find('\n', start);
    if (end == std::string::npos) end = text.size();
    size_t stop = end;
    if (stop > start && text[stop - 1] == '\r') --stop;  // CRLF
    out.push_back(text.substr(start, stop - start));
    start = end + 1;
  }
  return out;
}

// CWL's loadContents: every file object in the value gets `contents`.
Value load_contents(const Call& c) {
  Value v = c.args[0];
  std::function<void(Value&)> walk = [&](Value& x) {
    if (x.is_array()) {
      for (Value& item : x) walk(item);
    } else if (is_file_object(x) && !is_directory_object(x)) {
      if (x.contains("contents")) return;
      std::string path = runtime::path_of(x);
      if (c.options.witness) c.options.witness->read(path);
      std::ifstream in(path, std::ios::binary);
      if (!in) c.fail(fmt::format("loadContents: cannot read `{}`", path));
      constexpr size_t kLimit = 64 * 1024;
      std::string text(kLimit + 1, '\0');
      in.read(text.data(), static_cast<std::streamsize>(text.size()));
      text.resize(static_cast<size_t>(in.gcount()));
      if (text.size() > kLimit) c.fail(fmt::format("loadContents: `{}` is larger than 64 KiB", path));
      x["contents"] = text;
    } else if (x.is_object() && !is_file_object(x)) {
      for (auto& [k, item] : x.items()) walk(item);
    }
  };
  walk(v);
  return v;
}

Value read_string(const Call& c) {
  std::string text = read_utf8(c);
  if (!text.empty() && text.back() == '\n') text.pop_back();
  return text;
}

Value read_parsed(const Call& c, const Type* t, const char* not_what) {
  std::string text = read_whole(c);
  std::string error;
  if (auto v = read_value_text(text, t, &error)) return *v;
  c.fail(fmt::format("`{}` holds {}, not {}", c.str(0), describe(Value(text)), not_what));
}

Value read_int(const Call& c) { return read_parsed(c, primitives().int_(), "a whole number"); }
Value read_float(const Call& c) { return read_parsed(c, primitives().float_(), "a number"); }
Value read_bool(const Call& c) { return read_parsed(c, primitives().bool_(), "true or false"); }

Value write_lines(const Call& c) {
  const Value& lines = c.list(0);
  std::string content;
  for (const Value& line : lines) {
    if (!line.is_string()) c.fail(fmt::format("expected a list of str, but an item is {}", describe(line)));
    content += line.get_ref<const std::string&>();
    content += '\n';
  }
  // A new file of a new name each time: a task that reads it is new too.
  if (c.options.witness) c.options.witness->unrepeatable("write_lines()");
  fs::path dir = fs::absolute(c.options.scratch_dir.empty() ? "." : c.options.scratch_dir).lexically_normal();
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec) c.fail(fmt::format("cannot create the folder `{}`: {}", dir.string(), ec.message()));
  std::string name = (dir / "lines-XXXXXX.txt").string();
  int fd = ::mkstemps(name.data(), 4);
  if (fd < 0) c.fail(fmt::format("cannot create a file in `{}`: {}", dir.string(), std::strerror(errno)));
  ::fchmod(fd, 0644);  // readable by tasks that run as another user (containers)
  size_t done = 0;
  while (done < content.size()) {
    ssize_t n = ::write(fd, content.data() + done, content.size() - done);
    if (n < 0) {
      if (errno == EINTR) continue;
      int err = errno;
      ::close(fd);
      c.fail(fmt::format("cannot write `{}`: {}", name, std::strerror(err)));
    }
    done += static_cast<size_t>(n);
  }
  if (::close(fd) != 0) c.fail(fmt::format("cannot write `{}`: {}", name, std::strerror(errno)));
  return name;
}

Value file_size(const Call& c) {
  std::string path = c.path(0);
  if (c.options.witness) c.options.witness->read(path);
  std::error_code ec;
  if (fs::is_directory(path, ec)) c.fail(fmt::format("`{}` is a directory, not a file", c.str(0)));
  uintmax_t n = fs::file_size(path, ec);
  if (ec) c.fail(fmt::format("cannot read `{}`: {}", c.str(0), ec.message()));
  return static_cast<int64_t>(n);
}

Value path_of(const Call& c) { return c.path(0); }

std::string glob_escape(std::string_view s) {
  std::string out;
  for (char ch : s) {
    if (ch == '*' || ch == '?' || ch == '[' || ch == ']' || ch == '\\') out += '\\';
    out += ch;
  }
  return out;
}

Value glob(const Call& c) {
  const std::string& pattern = c.str(0);
  if (pattern.empty()) c.fail("the pattern is empty");
  std::string base = fs::absolute(c.options.base_dir.empty() ? "." : c.options.base_dir).lexically_normal().string();
  while (base.size() > 1 && base.back() == '/') base.pop_back();
  std::string full = pattern[0] == '/' ? pattern : glob_escape(base) + (base == "/" ? "" : "/") + pattern;
  std::vector<std::string> matched;
  std::string dangling;
  int rc = glob_files(full, &matched, &dangling);
  if (c.options.witness) c.options.witness->globbed(full, matched);
  std::vector<std::string> files;
  for (const std::string& m : matched) files.push_back(resolve_path(m, base));
  if (rc != 0 && rc != GLOB_NOMATCH) {
    c.fail(fmt::format("cannot search for `{}` in `{}`: {}", pattern, base,
                       rc == GLOB_NOSPACE ? "out of memory" : "a folder could not be read"));
  }
  if (c.options.glob_names_inputs) {
    // A workflow's inputs: a typo in a pattern must not quietly run nothing.
    if (!dangling.empty()) {
      std::error_code ec;
      c.fail(fmt::format("`{}` matches `{}`, a link to `{}`, which does not exist", pattern, dangling,
                         fs::read_symlink(dangling, ec).string()));
    }
    if (files.empty()) {
      c.fail(fmt::format("no file matches `{}` in `{}` (hidden files match only a pattern that starts with `.`)",
                         pattern, base));
    }
  }
  std::sort(files.begin(), files.end());
  Value out = Value::array();
  for (std::string& f : files) out.push_back(std::move(f));
  return out;
}

// ---- conversions -----------------------------------------------------------------

Value str(const Call& c) { return scalar_text(c.args[0], c.type(0)); }

Value int_(const Call& c) {
  const Value& v = c.args[0];
  if (v.is_string()) {
    std::string error;
    if (auto n = parse_text(v.get_ref<const std::string&>(), primitives().int_(), &error)) return *n;
    c.fail(fmt::format("{} is not a whole number", describe(v)));
  }
  if (v.is_number_float() || c.kind(0) == TypeKind::Float || c.kind(0) == TypeKind::Duration) {
    return to_int64(c, std::trunc(c.number(0)));  // toward zero
  }
  return c.integer(0);  // int, or size in bytes
}

Value float_(const Call& c) {
  const Value& v = c.args[0];
  if (v.is_string()) {
    std::string error;
    if (auto n = parse_text(v.get_ref<const std::string&>(), primitives().float_(), &error)) return *n;
    c.fail(fmt::format("{} is not a number", describe(v)));
  }
  return c.number(0);
}

// ---- strings -------------------------------------------------------------------------

Value sep(const Call& c) {
  const std::string& separator = c.str(1);
  std::string out;
  bool first = true;
  for (const Value& item : c.list(0)) {
    if (item.is_null()) continue;
    if (!first) out += separator;
    first = false;
    out += item.is_string() ? item.get_ref<const std::string&>() : scalar_text(item, nullptr);
  }
  return out;
}

Value split(const Call& c) {
  const std::string& s = c.str(0);
  const std::string& separator = c.str(1);
  if (separator.empty()) c.fail("the separator is empty");
  Value out = Value::array();
  size_t start = 0;
  while (true) {
    size_t at = s.find(separator, start);
    if (at == std::string::npos) {
      out.push_back(s.substr(start));
      break;
    }
    out.push_back(s.substr(start, at - start));
    start = at + separator.size();
  }
  return out;
}

Value sub(const Call& c) {
  const std::string& s = c.str(0);
  const std::string& pattern = c.str(1);
  const std::string& replacement = c.str(2);
  std::regex re;
  try {
    re = std::regex(pattern, std::regex::ECMAScript);
  } catch (const std::regex_error& ex) {
    c.fail(fmt::format("bad regular expression {}: {}", describe(Value(pattern)), ex.what()));
  }
  try {
    return std::regex_replace(s, re, replacement);
  } catch (const std::regex_error& ex) {
    c.fail(fmt::format("cannot match {}: {}", describe(Value(pattern)), ex.what()));
  }
}

Value prefix(const Call& c) {
  const std::string& p = c.str(0);
  Value out = Value::array();
  for (const Value& item : c.list(1)) {
    if (!item.is_string()) c.fail(fmt::format("expected a list of str, but an item is {}", describe(item)));
    out.push_back(p + item.get_ref<const std::string&>());
  }
  return out;
}

Value contains(const Call& c) {
  const Value& where = c.args[0];
  if (where.is_array()) {
    for (const Value& item : where) {
      if (values_equal(item, c.args[1])) return true;
    }
    return false;
  }
  if (where.is_string()) return where.get_ref<const std::string&>().find(c.str(1)) != std::string::npos;
  c.fail(fmt::format("expected a list or a str, not {}", describe(where)));
}

Value keys(const Call& c) {
  Value out = Value::array();
  for (const auto& [k, v] : c.map(0).items()) out.push_back(k);  // std::map: sorted
  return out;
}

Value values(const Call& c) {
  Value out = Value::array();
  for (const auto& [k, v] : c.map(0).items()) out.push_back(v);
  return out;
}

// ---- numbers ---------------------------------------------------------------------------

Value pick(const Call& c, bool smaller) {
  auto order = compare_numbers(c.args[0], c.args[1]);
  if (!order) c.fail(fmt::format("cannot compare {} and {}", describe(c.args[0]), describe(c.args[1])));
  bool first = smaller ? *order <= 0 : *order >= 0;
  return c.args[first ? 0 : 1];
}

Value min(const Call& c) { return pick(c, true); }
Value max(const Call& c) { return pick(c, false); }

Value sum(const Call& c) {
  const Value& items = c.list(0);
  bool all_int = c.result_kind() != TypeKind::Float;
  for (const Value& item : items) {
    if (!item.is_number()) c.fail(fmt::format("expected a list of numbers, but an item is {}", describe(item)));
    all_int = all_int && item.is_number_integer();
  }
  if (all_int) {
    int64_t total = 0;
    for (const Value& item : items) {
      bool too_large = item.is_number_unsigned() &&
                       item.get<uint64_t>() > static_cast<uint64_t>(std::numeric_limits<int64_t>::max());
      if (too_large || __builtin_add_overflow(total, item.get<int64_t>(), &total)) {
        c.fail("the sum does not fit in a 64-bit integer");
      }
    }
    return total;
  }
  double total = 0;
  for (const Value& item : items) total += item.get<double>();
  if (!std::isfinite(total)) c.fail("the sum is too large for a float");
  return total;
}

Value floor_(const Call& c) { return to_int64(c, std::floor(c.number(0))); }
Value ceil_(const Call& c) { return to_int64(c, std::ceil(c.number(0))); }
Value round_(const Call& c) { return to_int64(c, std::round(c.number(0))); }  // halves away from zero

const std::map<std::string_view, Entry>& table() {
  static const std::map<std::string_view, Entry> entries = {
      {"len", {len, 1, 1}},
      {"range", {range, 1, 1}},
      {"zip", {zip, 2, 2}},
      {"cross", {cross, 2, 2}},
      {"flatten", {flatten, 1, 1}},
      {"select_all", {select_all, 1, 1}},
      {"select_first", {select_first, 1, 1}},
      {"defined", {defined, 1, 1, {}, true}},
      {"basename", {basename, 1, 2}},
      {"read_lines", {read_lines, 1, 1}},
      {"load_contents", {load_contents, 1, 1}},
      {"read_string", {read_string, 1, 1}},
      {"read_int", {read_int, 1, 1}},
      {"read_float", {read_float, 1, 1}},
      {"read_bool", {read_bool, 1, 1}},
      {"write_lines", {write_lines, 1, 1}},
      {"file_size", {file_size, 1, 1}},
      {"str", {str, 1, 1}},
      {"int", {int_, 1, 1}},
      {"float", {float_, 1, 1}},
      {"file", {path_of, 1, 1}},
      {"dir", {path_of, 1, 1}},
      {"sep", {sep, 2, 2}},
      {"split", {split, 2, 2}},
      {"sub", {sub, 3, 3}},
      {"prefix", {prefix, 2, 2}},
      {"contains", {contains, 2, 2, {1}}},
      {"keys", {keys, 1, 1}},
      {"values", {values, 1, 1}},
      {"min", {min, 2, 2}},
      {"max", {max, 2, 2}},
      {"sum", {sum, 1, 1}},
      {"floor", {floor_, 1, 1}},
      {"ceil", {ceil_, 1, 1}},
      {"round", {round_, 1, 1}},
      {"glob", {glob, 1, 1}},
  };
  return entries;
}

}  // namespace

bool has_builtin(std::string_view name) { return table().count(name) > 0; }

Value call_builtin(const ir::Expr& call, std::vector<Value>& args, const EvalOptions& options) {
  auto it = table().find(call.name);
  if (it == table().end()) fail(fmt::format("unknown builtin function `{}`", call.name));
  const Entry& entry = it->second;
  if (args.size() < entry.min_args || args.size() > entry.max_args) {
    fail(fmt::format("{}: takes {} argument{}, not {}", call.name,
                     entry.min_args == entry.max_args ? std::to_string(entry.min_args)
                                                      : fmt::format("{} or {}", entry.min_args, entry.max_args),
                     entry.max_args == 1 ? "" : "s", args.size()));
  }
  if (!entry.all_may_be_absent) {
    for (size_t i = 0; i < args.size(); ++i) {
      if (!args[i].is_null()) continue;
      if (std::find(entry.may_be_absent.begin(), entry.may_be_absent.end(), i) != entry.may_be_absent.end()) continue;
      fail(fmt::format("{}: argument {} is absent", call.name, i + 1));
    }
  }
  Call c{call, args, options};
  try {
    return entry.fn(c);
  } catch (const std::bad_alloc&) {
    fail(fmt::format("{}: out of memory", call.name));
  } catch (const std::exception& ex) {
    fail(fmt::format("{}: {}", call.name, ex.what()));
  }
}

}  // namespace flowc::runtime::detail

namespace flowc::runtime {

int glob_files(const std::string& pattern, std::vector<std::string>* files, std::string* dangling) {
  glob_t found{};
  int rc = ::glob(pattern.c_str(), 0, nullptr, &found);
  if (rc == 0) {
    for (size_t i = 0; i < found.gl_pathc; ++i) {
      std::error_code ec;
      // Files only (links followed; folders are left out).
      if (std::filesystem::is_regular_file(found.gl_pathv[i], ec)) {
        files->push_back(found.gl_pathv[i]);
      } else if (dangling->empty() &&
                 std::filesystem::is_symlink(std::filesystem::symlink_status(found.gl_pathv[i], ec)) &&
                 !std::filesystem::exists(found.gl_pathv[i], ec)) {
        *dangling = found.gl_pathv[i];
      }
    }
  }
  ::globfree(&found);
  return rc;
}

}  // namespace flowc::runtime
