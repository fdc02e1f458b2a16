# Developer targets (CONTRIBUTING.md):
#   format        rewrite every C++ file with clang-format (.clang-format)
#   format-check  fail when a file is not formatted (CI)
#   tidy          clang-tidy (.clang-tidy) over launcher/ with this build's
#                 compile_commands.json; any finding fails it
find_program(PYCACHE_CLANG_FORMAT NAMES clang-format clang-format-14)
find_program(PYCACHE_RUN_CLANG_TIDY NAMES run-clang-tidy run-clang-tidy-14)
find_program(PYCACHE_CLANG_TIDY NAMES clang-tidy clang-tidy-14)

file(GLOB_RECURSE PYCACHE_CXX_FILES CONFIGURE_DEPENDS
     ${PROJECT_SOURCE_DIR}/launcher/*.cpp ${PROJECT_SOURCE_DIR}/launcher/*.hpp
     ${PROJECT_SOURCE_DIR}/include/*.hpp ${PROJECT_SOURCE_DIR}/tests/*.cpp ${PROJECT_SOURCE_DIR}/tests/*.hpp)

if(PYCACHE_CLANG_FORMAT)
  add_custom_target(format COMMAND ${PYCACHE_CLANG_FORMAT} -i ${PYCACHE_CXX_FILES}
                    COMMENT "clang-format: rewriting the sources" VERBATIM)
  add_custom_target(format-check COMMAND ${PYCACHE_CLANG_FORMAT} --dry-run --Werror ${PYCACHE_CXX_FILES}
                    COMMENT "clang-format: checking the sources" VERBATIM)
endif()
if(PYCACHE_RUN_CLANG_TIDY AND PYCACHE_CLANG_TIDY)
  add_custom_target(tidy
    COMMAND ${PYCACHE_RUN_CLANG_TIDY} -quiet -clang-tidy-binary ${PYCACHE_CLANG_TIDY} -p ${PROJECT_BINARY_DIR}
            -j 2 "${PROJECT_SOURCE_DIR}/launcher/"
    COMMENT "clang-tidy over launcher/" VERBATIM)
endif()
