# Third-party libraries, all from Debian packages (scripts/setup installs them).
# spdlog, fmt and toml++ are used header-only: every shared library the loader
# maps costs start-up time, and `pycache run` must start as fast as python.
find_package(CLI11 2.1 REQUIRED CONFIG)
find_package(fmt REQUIRED CONFIG)
find_package(spdlog REQUIRED CONFIG)
find_package(tomlplusplus 3 REQUIRED CONFIG)
find_package(Threads REQUIRED)

add_library(pycache_deps INTERFACE)
get_target_property(_toml_inc tomlplusplus::tomlplusplus INTERFACE_INCLUDE_DIRECTORIES)
target_include_directories(pycache_deps SYSTEM INTERFACE ${_toml_inc})
target_compile_definitions(pycache_deps INTERFACE
  TOML_HEADER_ONLY=1 TOML_ENABLE_FORMATTERS=0
  SPDLOG_HEADER_ONLY SPDLOG_FMT_EXTERNAL FMT_HEADER_ONLY
  SPDLOG_NO_TLS SPDLOG_DISABLE_DEFAULT_LOGGER)
get_target_property(_spdlog_inc spdlog::spdlog_header_only INTERFACE_INCLUDE_DIRECTORIES)
get_target_property(_fmt_inc fmt::fmt-header-only INTERFACE_INCLUDE_DIRECTORIES)
target_include_directories(pycache_deps SYSTEM INTERFACE ${_spdlog_inc} ${_fmt_inc})
target_link_libraries(pycache_deps INTERFACE CLI11::CLI11 Threads::Threads)
