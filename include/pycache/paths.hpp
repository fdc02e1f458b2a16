#pragma once
// Path helpers. Paths are byte strings (std::filesystem on POSIX): names that
// are not UTF-8 pass through unchanged.
#include <filesystem>
#include <optional>
#include <string>

namespace pycache {

namespace fs = std::filesystem;

// The user's home directory ($HOME, else the password database), or empty.
fs::path home_dir();
// "~" and "~/x" expanded with home_dir(); other paths unchanged.
fs::path expand_user(const fs::path& p);
// `p` made absolute against `base` (not the cwd) and lexically normalised,
// without resolving symlinks, as CPython's os.path.abspath does.
fs::path absolute_from(const fs::path& p, const fs::path& base);
// The current directory, or "/" if it has gone.
fs::path current_dir();
// The real path of the running executable (/proc/self/exe).
fs::path self_exe();
// Reads a whole small file; nullopt if it can't be read.
std::optional<std::string> read_file(const fs::path& p);

}  // namespace pycache
