#pragma once
// The hand-off of a planned launch to another runtime's program: the
// interpreter configuration, encoded into one environment variable.
#include <optional>
#include <string>
#include <string_view>

#include "pycache/embed.hpp"
#include "pycache/runtime.hpp"

namespace pycache {

// `pycache run` on another runtime than this program's: the plan goes to that
// runtime's program in PYCACHE_HANDOFF (argv as its own argv), which runs it
// as planned, nothing resolved twice. Never returns unless the exec fails.
inline constexpr const char* kHandoffVariable = "PYCACHE_HANDOFF";
std::string encode_handoff(const embed::InterpreterConfig& config);  // all but argv
std::optional<embed::InterpreterConfig> decode_handoff(std::string_view text);
int hand_off(const runtime::Runtime& rt, const embed::InterpreterConfig& config);

}  // namespace pycache
