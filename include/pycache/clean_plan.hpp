#pragma once
// The decisions of a clean's setup, PATH by PATH, once the CLI has resolved
// each PATH's policy: which tags are current, which prefixes are worked on
// (each once; an absent one is nothing cached; a symbolic link never), what
// is refused without --force, and the size limit a prefix's policy gives.
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>

#include "pycache/clean.hpp"
#include "pycache/error.hpp"
#include "pycache/fs.hpp"

namespace pycache::clean {

// What clean refuses without --force: / and the home directory, as PATH or prefix.
struct Guard {
  std::filesystem::path home;
  bool force = false;
};
// "refusing to clean WHAT 'DIR': why (use --force if you mean it)" (kExitUsage),
// or nullopt. `what`: "path" or "prefix".
std::optional<Error> refused(FileSystem& fs, const Guard& guard, const std::filesystem::path& dir,
                             std::string_view what);

// Adds to `options.current_tags`, once, the tag of a PATH's project's Python:
// `python_tag`, or `own_tag` (this pycache's runtime) when no runtime knows it;
// nothing when neither is known (a build with no runtime, no Python found).
void add_current_tag(Options& options, std::string_view python_tag, std::string_view own_tag);

// The cache prefix in force for one PATH (--prefix).
struct PrefixInForce {
  std::filesystem::path prefix;  // the policy's cache-prefix; empty when none
  std::int64_t max_size = 0;     // the policy's prefix-max-size; 0: none
  std::string given;             // the PATH it is in force for, as given
};
// Adds `in_force.prefix` to `options.prefixes` once; an absent prefix is
// nothing cached and is not added. The first prefix added whose policy has a
// prefix-max-size gives `options.max_size` when it is not set (--max-size).
// The error (kExitUsage) that stops the clean: no prefix in force, a
// protected one, one that can't be stat'ed, one that is a symbolic link.
std::optional<Error> add_prefix(FileSystem& fs, const Guard& guard, Options& options, const PrefixInForce& in_force);

}  // namespace pycache::clean
