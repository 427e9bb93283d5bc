// Defaults for the sanitizer build (FLOWC_SANITIZE), read by ASan and UBSan
// as each instrumented program starts; ASAN_OPTIONS and UBSAN_OPTIONS in the
// environment still override them.
extern "C" const char* __asan_default_options() { return "detect_leaks=1:check_initialization_order=1"; }
extern "C" const char* __ubsan_default_options() { return "print_stacktrace=1:halt_on_error=1"; }
