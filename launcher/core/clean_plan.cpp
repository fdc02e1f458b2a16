#include "pycache/clean_plan.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "pycache/text.hpp"

namespace pycache::clean {

std::optional<Error> refused(FileSystem& fs, const Guard& guard, const std::filesystem::path& dir,
                             std::string_view what) {
  if (guard.force) return std::nullopt;
  if (auto why = protected_directory(fs, dir, guard.home))
    return usage(
        fmt::format("refusing to clean {} '{}': {} (use --force if you mean it)", what, printable(dir.native()), *why));
  return std::nullopt;
}

void add_current_tag(Options& options, std::string_view python_tag, std::string_view own_tag) {
  std::string tag(python_tag.empty() ? own_tag : python_tag);
  if (tag.empty()) return;  // no Python known: no current tag
  if (std::find(options.current_tags.begin(), options.current_tags.end(), tag) == options.current_tags.end())
    options.current_tags.push_back(std::move(tag));
}

std::optional<Error> add_prefix(FileSystem& fs, const Guard& guard, Options& options, const PrefixInForce& in_force) {
  const std::filesystem::path& prefix = in_force.prefix;
  if (prefix.empty())
    return usage(
        fmt::format("no cache prefix is in force for '{}' (set cache-prefix in the policy or "
                    "PYTHONPYCACHEPREFIX, or pass --cache-prefix)",
                    printable(in_force.given)));
  if (std::find(options.prefixes.begin(), options.prefixes.end(), prefix) != options.prefixes.end())
    return std::nullopt;
  if (auto e = refused(fs, guard, prefix, "prefix")) return e;
  FileStat st;
  int e = fs.lstat(prefix, st);
  if (e == ENOENT) return std::nullopt;  // nothing cached yet
  if (e) return usage(fmt::format("cache prefix '{}': {}", printable(prefix.native()), std::strerror(e)));
  if (st.type == FileType::Symlink)
    return usage(
        fmt::format("cache prefix '{}' is a symbolic link: pycache clean never follows one (pass the "
                    "directory it points to with --cache-prefix)",
                    printable(prefix.native())));
  options.prefixes.push_back(prefix);
  if (!options.max_size && in_force.max_size > 0) options.max_size = static_cast<std::uint64_t>(in_force.max_size);
  return std::nullopt;
}

}  // namespace pycache::clean
