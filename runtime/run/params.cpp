// Reading and checking workflow inputs.
#include "runtime/run/params.h"

#include <sys/stat.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>

#include <fmt/format.h>

#include "ir/find_port.h"
#include "ir/json_parse.h"
#include "ir/utf8.h"
#include "runtime/files/tree.h"
#include "runtime/run/companion_text.h"

namespace flowc::runtime {
namespace fs = std::filesystem;

namespace {

std::string known_inputs(const ir::Workflow& wf, const ir::TypeTable& types) {
  std::string out;
  for (const ir::Port& p : wf.inputs)
    out += fmt::format("{}{}: {}", out.empty() ? "" : ", ", p.name, types.display(p.type));
  return out.empty() ? "it takes none" : "its inputs are " + out;
}

// Paths given by the user are relative to where flowc runs; they must
// exist, and so must the companions their type requires.
Value absolute_paths(const Value& v, const ir::Type* t, const std::string& name, std::vector<std::string>* errors) {
  return map_typed_paths(v, t, [&](const std::string& path, const ir::Type* type) -> Value {
    std::error_code ec;
    fs::path abs = fs::absolute(path, ec).lexically_normal();
    struct stat st;
    if (::stat(abs.c_str(), &st) != 0) {
      errors->push_back(fmt::format("input `{}`: `{}` does not exist", name, path));
      return abs.string();
    }
    if (std::string kind = files::special_kind(st.st_mode); !kind.empty()) {
      // Hashing it would block (a FIFO with no writer) or never end (/dev/zero).
      errors->push_back(
          fmt::format("input `{}`: `{}` is {}; flowc reads every input file whole to hash it, so an "
                      "input must be a regular file or a folder (save the data to a file first)",
                      name, path, kind));
      return abs.string();
    }
    for (const CompanionFile& c : companions_of(abs.string(), type)) {
      if (c.companion->required && !fs::exists(c.path, ec)) {
        errors->push_back(missing_companion_text(name, path, c));
      }
    }
    return abs.string();
  });
}

// The inputs a --params file gives, into `inputs`.
void read_params_file(const ir::Workflow& wf, const ir::TypeTable& types, const std::string& params_file, Value& inputs,
                      std::vector<std::string>* errors) {
  std::ifstream in(params_file);
  if (!in) {
    errors->push_back(fmt::format("cannot read the parameters file `{}`", params_file));
    return;
  }
  std::stringstream text;
  text << in.rdbuf();
  std::string problem;
  std::optional<Value> doc = ir::parse_json(text.str(), &problem);
  if (!doc) {
    errors->push_back(fmt::format("`{}` is not valid JSON: {}", params_file, problem));
    return;
  }
  if (!doc->is_object()) {
    errors->push_back(
        fmt::format("`{}` must hold a JSON object of input names and values, found {}", params_file, describe(*doc)));
    return;
  }
  for (auto& [name, value] : doc->items()) {
    const ir::Port* port = ir::find_port(wf.inputs, name);
    if (!port) {
      errors->push_back(fmt::format("`{}` names input `{}`, but workflow `{}` has no such input; {}", params_file, name,
                                    wf.name, known_inputs(wf, types)));
      continue;
    }
    std::string why;
    if (!conforms(value, port->type, &why)) {
      errors->push_back(
          fmt::format("input `{}` in `{}` should be {}: {}", name, params_file, types.display(port->type), why));
      continue;
    }
    inputs[name] = coerce(value, port->type);
  }
}

// The inputs `-p name=value` gives, into `inputs` (over the --params file's).
// A name given twice with -p is refused rather than the last one silently
// winning: one of the two is a typo or a leftover. (-p over a --params file
// is an override, and allowed.)
void read_assignments(const ir::Workflow& wf, const ir::TypeTable& types, const std::vector<std::string>& assignments,
                      Value& inputs, std::vector<std::string>* errors) {
  std::map<std::string, std::string> given;
  for (const std::string& assignment : assignments) {
    size_t eq = assignment.find('=');
    if (eq == std::string::npos || eq == 0) {
      errors->push_back(fmt::format("`-p {}` should be `-p name=value`", ir::printable_utf8(assignment)));
      continue;
    }
    std::string name = assignment.substr(0, eq);
    if (auto [it, fresh] = given.emplace(name, assignment); !fresh) {
      errors->push_back(fmt::format("input `{}` is given twice: `-p {}` and `-p {}`; give it once",
                                    ir::printable_utf8(name), ir::printable_utf8(it->second),
                                    ir::printable_utf8(assignment)));
      continue;
    }
    const ir::Port* port = ir::find_port(wf.inputs, name);
    if (!port) {
      errors->push_back(fmt::format("workflow `{}` has no input `{}`; {}", wf.name, ir::printable_utf8(name),
                                    known_inputs(wf, types)));
      continue;
    }
    std::string why;
    auto value = parse_text(std::string_view(assignment).substr(eq + 1), port->type, &why);
    if (!value) {
      errors->push_back(fmt::format("input `{}` should be {}: {}", name, types.display(port->type), why));
      continue;
    }
    inputs[name] = *value;
  }
}

}  // namespace

std::optional<Value> workflow_inputs(const ir::Program& program, const ir::Workflow& wf,
                                     const std::vector<std::string>& assignments, const std::string& params_file,
                                     std::vector<std::string>* errors) {
  const ir::TypeTable& types = *program.types;
  Value inputs = Value::object();
  if (!params_file.empty()) read_params_file(wf, types, params_file, inputs, errors);
  read_assignments(wf, types, assignments, inputs, errors);
  for (const ir::Port& p : wf.inputs) {
    if (inputs.contains(p.name)) {
      inputs[p.name] = absolute_paths(inputs[p.name], p.type, p.name, errors);
      continue;
    }
    if (!p.default_value && !p.type->is_optional()) {
      errors->push_back(fmt::format("input `{}` ({}) is required: give it with -p {}=... or in --params", p.name,
                                    types.display(p.type), p.name));
    }
  }
  if (!errors->empty()) return std::nullopt;
  return inputs;
}

}  // namespace flowc::runtime
