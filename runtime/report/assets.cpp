// The bundle's bytes, placed in the binary by the assembler (.incbin) from
// the files the build made (web/CMakeLists.txt): FLOWC_UI_JS, FLOWC_UI_CSS.
#include "runtime/report/assets.h"

// One assembler line per source line: not reflowed.
// clang-format off
#define FLOWC_INCBIN(name, file)                                      \
  asm(".pushsection .rodata\n"                                        \
      ".balign 16\n"                                                  \
      ".global " #name "_start\n" #name "_start:\n"                   \
      ".incbin \"" file "\"\n"                                        \
      ".global " #name "_end\n" #name "_end:\n"                       \
      ".byte 0\n"                                                     \
      ".popsection\n")
// clang-format on

FLOWC_INCBIN(flowc_ui_js, FLOWC_UI_JS);
FLOWC_INCBIN(flowc_ui_css, FLOWC_UI_CSS);

extern "C" const char flowc_ui_js_start[], flowc_ui_js_end[];
extern "C" const char flowc_ui_css_start[], flowc_ui_css_end[];

namespace flowc::runtime::report {

std::string_view ui_script() { return {flowc_ui_js_start, static_cast<size_t>(flowc_ui_js_end - flowc_ui_js_start)}; }

std::string_view ui_style() { return {flowc_ui_css_start, static_cast<size_t>(flowc_ui_css_end - flowc_ui_css_start)}; }

}  // namespace flowc::runtime::report
