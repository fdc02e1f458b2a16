# Interface targets linked by every target of ours: warnings and sanitizers.
add_library(pycache_warnings INTERFACE)
target_compile_options(pycache_warnings INTERFACE
  -Wall -Wextra -Wpedantic -Wshadow -Wnon-virtual-dtor -Wcast-align
  -Wunused -Woverloaded-virtual -Wdouble-promotion -Wformat=2)

add_library(pycache_sanitizers INTERFACE)
if(PYCACHE_SANITIZE)
  target_compile_options(pycache_sanitizers INTERFACE
    -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined)
  target_link_options(pycache_sanitizers INTERFACE -fsanitize=address,undefined)
  # Every program gets the leak suppressions for CPython's own allocations.
  target_sources(pycache_sanitizers INTERFACE ${PROJECT_SOURCE_DIR}/launcher/embed/sanitizer_options.cpp)
endif()
