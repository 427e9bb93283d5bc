// Types: interning, printing, parsing, assignability, joins.
#include <fstream>
#include <sstream>

#include <catch2/catch.hpp>

#include "ir/builtins.h"
#include "ir/type_parser.h"
#include "ir/types.h"

using namespace flowc::ir;

namespace {

const Type* parse(TypeTable& t, const std::string& text) {
  std::string error;
  const Type* type = parse_type(text, t, nullptr, &error);
  INFO(text << ": " << error);
  REQUIRE(type);
  return type;
}

}  // namespace

TEST_CASE("equal types are the same object", "[types]") {
  TypeTable t;
  CHECK(t.list(t.int_()) == t.list(t.int_()));
  CHECK(t.record({{"b", t.str()}, {"a", t.int_()}}) == t.record({{"a", t.int_()}, {"b", t.str()}}));
  CHECK(t.optional(t.optional(t.file())) == t.optional(t.file()));
}

TEST_CASE("types print and parse back", "[types]") {
  TypeTable t;
  for (const char* text : {"int", "list[file]", "map[str, list[int?]]", "{a: int, b: {c: dir}}?", "stream[bytes]",
                           "list[{left: str, right: size}]", "duration?"}) {
    CHECK(parse(t, text)->str() == text);
  }
  std::string error;
  CHECK(parse_type("list[int", t, nullptr, &error) == nullptr);
  CHECK(error == "expected `]`");
  CHECK(parse_type("map[int, str]", t, nullptr, &error) == nullptr);
  CHECK(parse_type("strr", t, nullptr, &error) == nullptr);
  CHECK(error == "unknown type `strr`");
  CHECK(parse_type("{a: int, a: str}", t, nullptr, &error) == nullptr);
}

TEST_CASE("aliases print by name", "[types]") {
  TypeTable t;
  const Type* sample = t.record({{"id", t.str()}, {"reads", t.file()}});
  t.set_alias(sample, "Sample");
  CHECK(t.display(t.list(sample)) == "list[Sample]");
  CHECK(t.list(sample)->str() == "list[{id: str, reads: file}]");
}

TEST_CASE("assignability", "[types]") {
  TypeTable t;
  CHECK(is_assignable(t.int_(), t.float_()));
  CHECK_FALSE(is_assignable(t.float_(), t.int_()));
  CHECK(is_assignable(t.int_(), t.optional(t.int_())));
  CHECK(is_assignable(t.none(), t.optional(t.str())));
  CHECK_FALSE(is_assignable(t.optional(t.int_()), t.int_()));
  CHECK(is_assignable(t.list(t.int_()), t.list(t.float_())));
  CHECK_FALSE(is_assignable(t.str(), t.file()));
  CHECK(is_assignable(t.record({{"a", t.int_()}}), t.record({{"a", t.float_()}})));
  CHECK_FALSE(is_assignable(t.record({{"a", t.int_()}}), t.record({{"b", t.int_()}})));
  CHECK_FALSE(is_assignable(t.stream(t.str()), t.stream(t.bytes())));
  CHECK(is_assignable(t.error(), t.file()));
  CHECK(is_assignable(t.file(), t.error()));
}

TEST_CASE("common types", "[types]") {
  TypeTable t;
  CHECK(common_type(t, t.int_(), t.float_()) == t.float_());
  CHECK(common_type(t, t.none(), t.str()) == t.optional(t.str()));
  CHECK(common_type(t, t.optional(t.int_()), t.float_()) == t.optional(t.float_()));
  CHECK(common_type(t, t.list(t.int_()), t.list(t.float_())) == t.list(t.float_()));
  CHECK(common_type(t, t.str(), t.int_()) == nullptr);
}

TEST_CASE("builtin signatures parse and match with type variables", "[types][builtins]") {
  TypeTable t;
  Builtins builtins(t);
  const Builtin* zip = builtins.find("zip");
  REQUIRE(zip);
  auto m = builtins.match(*zip, {t.list(t.int_()), t.list(t.str())});
  REQUIRE(m);
  CHECK(m->result->str() == "list[{left: int, right: str}]");
  const Builtin* contains = builtins.find("contains");
  CHECK(builtins.match(*contains, {t.list(t.int_()), t.int_()}));
  CHECK_FALSE(builtins.match(*contains, {t.list(t.int_()), t.str()}));
  CHECK(builtins.match(*contains, {t.str(), t.str()}));
  const Builtin* select_all = builtins.find("select_all");
  CHECK(builtins.match(*select_all, {t.list(t.optional(t.file()))})->result == t.list(t.file()));
  CHECK(builtins.match(*select_all, {t.list(t.file())})->result == t.list(t.file()));
  for (const Builtin& b : builtins.all()) {
    CHECK_FALSE(b.description.empty());
    CHECK_FALSE(b.overloads.empty());
  }
}

TEST_CASE("every builtin is documented in docs/language.md", "[types][builtins][docs]") {
  std::ifstream in(FLOWC_SOURCE_DIR "/docs/language.md");
  std::stringstream text;
  text << in.rdbuf();
  std::string doc = text.str();
  REQUIRE(!doc.empty());
  TypeTable t;
  Builtins builtins(t);
  for (const Builtin& b : builtins.all()) {
    INFO(b.name << " is not in the builtin table of docs/language.md");
    CHECK(doc.find("`" + b.name + "`") != std::string::npos);
  }
}

TEST_CASE("companion files: their types print, parse back and fit by their required companions",
          "[types][companions]") {
  TypeTable t;
  // Printed sorted, so equal types are one type.
  const Type* bam = parse(t, R"(file with [".csi"?, ".bai"])");
  CHECK(bam->str() == R"(file with [".bai", ".csi"?])");
  CHECK(bam == t.file_with({{".bai", true}, {".csi", false}}));
  CHECK(bam->is(TypeKind::File));
  for (const char* text :
       {R"(list[file with ["^.bai"]])", R"({r: file with [".fai", "a\"b"]}?)", R"(file with [".tbi"]?)"}) {
    CHECK(parse(t, text)->str() == text);
  }
  std::string error;
  CHECK(parse_type(R"(dir with [".x"])", t, nullptr, &error) == nullptr);
  CHECK(parse_type(R"(file with ["a/b"])", t, nullptr, &error) == nullptr);
  CHECK(error.find("no `/`") != std::string::npos);
  CHECK(parse_type(R"(file with [".a", ".a"])", t, nullptr, &error) == nullptr);

  // A file fits where its required companions are all it needs; more fit fewer.
  const Type* plain = t.file();
  const Type* bai = parse(t, R"(file with [".bai"])");
  const Type* bai_maybe = parse(t, R"(file with [".bai"?])");
  CHECK(is_assignable(bam, plain));
  CHECK(is_assignable(bam, bai));
  CHECK(is_assignable(bai, bam));  // bam's .csi is optional: a file without it fits
  CHECK_FALSE(is_assignable(plain, bai));
  CHECK_FALSE(is_assignable(bai_maybe, bai));
  CHECK(is_assignable(plain, bai_maybe));
  CHECK(is_assignable(t.list(bam), t.list(bai)));
  CHECK_FALSE(is_assignable(t.list(plain), t.list(bai)));
  CHECK(common_type(t, bai, plain) == plain);
}

TEST_CASE("companion names follow CWL's secondaryFiles patterns", "[types][companions]") {
  CHECK(companion_name("x.bam", ".bai") == "x.bam.bai");
  CHECK(companion_name("x.bam", "^.bai") == "x.bai");
  CHECK(companion_name("x.vcf.gz", "^^.idx") == "x.idx");
  CHECK(companion_name("x.vcf.gz", "^^^.idx") == "x.idx");  // no extension left: unchanged
  CHECK(companion_name("genome", "^.fai") == "genome.fai");
  CHECK(companion_name(".hidden", "^.x") == ".hidden.x");  // a leading dot is not an extension
  CHECK(companion_name("x.fa", "_index") == "x.fa_index");
  CHECK(companion_pattern_problem(".bai").empty());
  CHECK_FALSE(companion_pattern_problem("^^").empty());
  CHECK_FALSE(companion_pattern_problem("").empty());
  CHECK_FALSE(companion_pattern_problem("x/.bai").empty());
  CHECK_FALSE(companion_pattern_problem(".b\nai").empty());
}
