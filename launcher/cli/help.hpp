#pragma once
// Everything said about the command line, made from the command table and
// each command's doc: --help (one formatter for every command), the overview,
// the pycache(1) man page and the bash, zsh and fish completions. Formatters
// return strings; the commands print them.
#include <string>
#include <string_view>

#include "commands.hpp"

namespace pycache::cli {

// `pycache COMMAND --help`.
std::string format_help(const Command& command);
// `pycache --help`.
std::string format_overview();
// pycache(1), in roff.
std::string format_man_page();
// A completion script for "bash", "zsh" or "fish"; empty for another shell.
std::string format_completions(std::string_view shell);

}  // namespace pycache::cli
