// Built into every program of a PYCACHE_SANITIZE build (cmake/Warnings.cmake).
// CPython does not free everything it allocates by the time the process
// exits (interned strings, static types, thread locks: by design), and a
// libpython built without frame pointers gives its allocations one-frame
// stacks, so no suppression can tell them from a leak of ours: LeakSanitizer
// is off. AddressSanitizer's memory errors and UBSan's checks stay on.
// The name is AddressSanitizer's documented hook, reserved on purpose.
// NOLINTNEXTLINE(bugprone-reserved-identifier)
extern "C" const char* __asan_default_options() { return "detect_leaks=0"; }
