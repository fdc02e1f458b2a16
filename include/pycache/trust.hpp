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

#include "pycache/paths.hpp"

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

// Why `file`, found while searching upward from a script or the current
// directory (a policy file, a pyproject.toml, .python-version, .venv), must
// not be honoured. Ownership is judged before anything else about it, by
// lstat: the entry itself (a symbolic link by its own owner, whatever it
// points to; a directory or a FIFO like any file), then the directory
// holding it, must belong to trust.uid or root, unless that directory is
// listed. The reason names the owner: "it is owned by nobody (uid 65534),
// not by you or root". nullopt when it may be honoured, or is not there.
std::optional<std::string> distrust_file(const Trust& trust, const fs::path& file);

// A file found while searching upward, read only as distrust_file() allows.
// An honoured one is read by read_config_file (a regular file, non-blocking,
// at most 1 MiB; a link followed), and refused after all when the file read
// belongs to someone else (a link of ours to their file: the text is
// theirs). A refused one is never opened through a link nor as anything but
// a regular file: read.status is NotRegular then; its text, when read, only
// tells the caller whether it is worth a warning.
struct FoundFile {
  ConfigFile read;                     // Absent or Unreadable: not there for us
  std::optional<std::string> refused;  // why it is not honoured
};
FoundFile read_found_file(const Trust& trust, const fs::path& file);

enum class Exclusive { No, Yes };

// Why the directory `dir` (a venv, a cache prefix) must not be used: it, or a
// directory or symbolic link on the way to it (links are followed, and each
// one checked), is owned by another user than trust.uid and root, or is a
// directory writable by everyone without the sticky bit. With
// Exclusive::Yes, `dir` itself may not be writable by everyone at all, sticky
// or not: anyone who can create in a cache prefix can plant pycs in it. The
// A part that does not exist yet is trusted only when the nearest existing
// directory above it lets no one else make it (is not writable by everyone,
// sticky or not): otherwise another user could create it, with a .pth or a
// pyc in it, after pycache has looked. The one directory writable by
// everyone allowed (sticky or not) is the parent of the user's own
// directory in a shared cache prefix (Exclusive::Yes, see
// private_prefix_name). nullopt when it may be used, or when `dir` is listed.
std::optional<std::string> distrust_directory(const Trust& trust, const fs::path& dir, Exclusive exclusive);

// A cache prefix that others can write (Docker's --tmpfs is mode 1777, a
// Kubernetes emptyDir 0777) is never written into as it is: pycache uses a
// directory of the user's own inside it, "pycache-UID", as tools sharing
// /tmp do.
std::string private_prefix_name(std::uint32_t uid);
// True when `dir` is a directory (links followed) that everyone can write.
bool shared_directory(const fs::path& dir);
// Makes `name` (mode 0700) inside the open directory `dir` unless it exists,
// then checks it through the same handle: a directory, not a link, owned by
// trust.uid and writable by no one else. Why not, or nullopt when it is fine.
std::optional<std::string> make_private_directory(const Trust& trust, const fs::path& dir, const std::string& name);

// "nobody (uid 65534)", or "uid 4242" when the user has no name.
std::string describe_user(std::uint32_t uid);

}  // namespace pycache
