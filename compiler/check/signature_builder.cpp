#include "compiler/check/signature_builder.h"

#include <map>
#include <string>

namespace flowc::check {

Signature build_signature(CheckContext& ctx, TypeResolver& types, int module, std::string_view owner,
                          std::vector<ast::Param>& inputs, std::vector<ast::Param>& outputs, bool allow_stream) {
  Signature sig;
  sig.module = module;
  std::map<std::string, Span, std::less<>> seen;
  auto declare = [&](ast::Param& p) {
    p.resolved = types.resolve(module, p.type, allow_stream);
    auto [it, fresh] = seen.emplace(p.name.text, p.name.span);
    if (!fresh) {
      ctx.diags.report(DiagId::DuplicateParameter, p.name.span, p.name.text, owner)
          .with_note(it->second, "first declared here");
    }
    return fresh;
  };
  for (ast::Param& p : inputs) {
    if (!declare(p)) continue;
    sig.inputs.emplace_back(p.name.text, p.resolved);
    sig.input_required.push_back(!p.default_value && !p.resolved->is_optional());
  }
  std::vector<ir::Field> fields;
  for (ast::Param& p : outputs) {
    if (!declare(p)) continue;
    sig.outputs.emplace_back(p.name.text, p.resolved);
    fields.push_back({p.name.text, p.resolved});
  }
  sig.outputs_record = ctx.types.record(std::move(fields));
  return sig;
}

}  // namespace flowc::check
