#pragma once
// PEP 440 version specifiers, as requires-python holds them (implemented in
// python_choice.cpp, which chooses by them).
#include <optional>
#include <string>
#include <string_view>

namespace pycache {

// Whether version "3.12.1" satisfies a PEP 440 specifier set such as
// ">=3.11,<3.14", "~=3.12", "==3.12.*", "!=3.13.0", ">=3.10.0a1" (a
// pre-release in a specifier is read; `version` is a release, as pip checks
// sys.version_info[:3]); nullopt when the specifier can't be read.
std::optional<bool> satisfies(std::string_view version, std::string_view specifiers);

// What is wrong with `specifiers` as a requires-python value, for its error
// ("'3.11' has no operator (as \">=3.11\" or \"==3.11.*\")"; "empty (...)");
// nullopt when it is a specifier set satisfies() reads.
std::optional<std::string> specifier_problem(std::string_view specifiers);

}  // namespace pycache
