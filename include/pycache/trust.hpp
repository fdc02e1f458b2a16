#pragma once
// Whose files pycache honours. A policy file can name a venv whose .pth
// files run code, and a cache prefix in which pycs can be planted: both run
// as whoever starts pycache below them. So, as git does since
// CVE-2022-24765, only the files and directories of the user running
// pycache or of root are used, unless that user lists them in
// safe-directories (read from the user and system files only).
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace pycache {

namespace fs = std::filesystem;

struct Trust {
  std::uint32_t uid = 0;          // the effective user running pycache
  std::vector<std::string> safe;  // absolute directories, or "*" for all
  // The current effective user, trusting `safe` too.
  static Trust current(std::vector<std::string> safe = {});
  // True when `path` is a listed directory or lies below one.
  bool listed(const fs::path& path) const;
  // True for the uid itself and root.
  bool trusted_owner(std::uint32_t owner) const { return owner == uid || owner == 0; }
};

// Why the policy file `file`, owned by `owner`, must not be honoured: it or
// the directory holding it belongs to another user than trust.uid and root
// (and is not listed); nullopt when it may be. The reason names the owner:
// "it is owned by nobody (uid 65534)".
std::optional<std::string> distrust_file(const Trust& trust, const fs::path& file, std::uint32_t owner);

enum class Exclusive { No, Yes };

// Why the directory `dir` (a venv, a cache prefix) must not be used: it, or a
// directory or symbolic link on the way to it (links are followed, and each
// one checked), is owned by another user than trust.uid and root, or is a
// directory writable by everyone without the sticky bit. With
// Exclusive::Yes, `dir` itself may not be writable by everyone at all, sticky
// or not: anyone who can create in a cache prefix can plant pycs in it. The
// check ends at the first part that does not exist (nothing there yet to
// distrust). nullopt when it may be used, or when `dir` is listed.
std::optional<std::string> distrust_directory(const Trust& trust, const fs::path& dir, Exclusive exclusive);

// "nobody (uid 65534)", or "uid 4242" when the user has no name.
std::string describe_user(std::uint32_t uid);

}  // namespace pycache
