// simdjson first, flowc's depth-capped reader for whatever it refuses.
#include "lsp/json_parse.h"

#include "ir/json_parse.h"

// GCC 12 reports false dangling pointers inside simdjson's own inline code
// (clang, the sanitizer build, has no such warning and would warn about the
// unknown name).
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wdangling-pointer"
#include <simdjson.h>
#pragma GCC diagnostic pop
#else
#include <simdjson.h>
#endif

namespace flowc::lsp {
namespace {

// Recursion is bounded by simdjson's depth limit (the document was parsed).
nlohmann::json convert(simdjson::dom::element e) {
  using Type = simdjson::dom::element_type;
  switch (e.type()) {
    case Type::ARRAY: {
      simdjson::dom::array items;
      nlohmann::json out = nlohmann::json::array();
      if (e.get(items)) return out;  // cannot fail: the type was checked
      for (simdjson::dom::element item : items) out.push_back(convert(item));
      return out;
    }
    case Type::OBJECT: {
      simdjson::dom::object fields;
      nlohmann::json out = nlohmann::json::object();
      if (e.get(fields)) return out;
      // A repeated key keeps its last value, as nlohmann::json's parser does.
      for (simdjson::dom::key_value_pair field : fields) out[std::string(field.key)] = convert(field.value);
      return out;
    }
    case Type::INT64: return static_cast<int64_t>(e);
    case Type::UINT64: return static_cast<uint64_t>(e);
    case Type::DOUBLE: return static_cast<double>(e);
    case Type::STRING: return std::string(static_cast<std::string_view>(e));
    case Type::BOOL: return static_cast<bool>(e);
    case Type::NULL_VALUE: return nullptr;
  }
  return nullptr;
}

}  // namespace

std::optional<nlohmann::json> parse_message(std::string_view body, std::string* error) {
  // A message from 1 MiB on goes to the reader alone: simdjson's copy and
  // buffers would sit beside the compilation being replaced (+45 MB at peak
  // for a 10 MB document), and there memory matters more than time.
  if (body.size() < kSimdjsonLimit) {
    simdjson::dom::parser parser;  // per message: a large document's buffers are not kept
    simdjson::dom::element doc;
    // realloc_if_needed: simdjson copies the (small) body into a padded buffer.
    if (!parser.parse(body.data(), body.size(), /*realloc_if_needed=*/true).get(doc)) return convert(doc);
  }
  return ir::parse_json(body, error);
}

}  // namespace flowc::lsp
