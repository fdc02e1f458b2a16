#pragma once
// docs/reference, made from the code's own tables: the key table
// (policy.hpp), the command table and each command's doc (commands.hpp), the
// --json documents (json_schema.hpp) and the exit statuses (exit_code.hpp).
// `pycache help --reference DIR` writes the pages; the build's `reference`
// target writes them into docs/reference, and the test Docs.ReferenceIsCurrent
// fails when a committed page differs from what this makes.
#include <string>
#include <vector>

namespace pycache::cli {

struct ReferencePage {
  std::string file;  // "keys.md"
  std::string text;
};

std::vector<ReferencePage> reference_pages();

// Writes every page into `dir` (which must exist), each atomically; returns
// 0 or the exit status after one error line.
int write_reference(const std::string& dir);

}  // namespace pycache::cli
