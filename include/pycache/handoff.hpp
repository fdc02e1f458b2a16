#pragma once
// The hand-off of a planned launch to another runtime's program: the
// interpreter configuration, encoded into one environment variable.
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>

#include "pycache/embed.hpp"
#include "pycache/runtime.hpp"

namespace pycache {

// `pycache run` on another runtime than this program's: the plan goes to that
// runtime's program in PYCACHE_HANDOFF (argv as its own argv), which runs it
// as planned, nothing resolved twice. Never returns unless the exec fails.
// With `interpreter` (its path) the plan goes to pycache-embedded, which
// loads that interpreter's embedding module (after checking it again).
inline constexpr const char* kHandoffVariable = "PYCACHE_HANDOFF";
inline constexpr const char* kEmbeddedProgram = "pycache-embedded";
// All but argv, and the interpreter to load ("": the program's own runtime).
std::string encode_handoff(const embed::InterpreterConfig& config, const std::string& interpreter = {});
std::optional<embed::InterpreterConfig> decode_handoff(std::string_view text, std::string* interpreter = nullptr);
int hand_off(const runtime::Runtime& rt, const embed::InterpreterConfig& config);
// pycache-embedded: beside this program (the real one, /proc/self/exe).
std::filesystem::path embedded_program();
// To pycache-embedded beside this program, for the interpreter at `interpreter`.
int hand_off_embedded(const std::string& interpreter, const embed::InterpreterConfig& config);

}  // namespace pycache
