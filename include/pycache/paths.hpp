#pragma once
// Path helpers. Paths are byte strings (std::filesystem on POSIX): names that
// are not UTF-8 pass through unchanged.
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace pycache {

namespace fs = std::filesystem;

// The user's home directory ($HOME, else the password database), or empty.
fs::path home_dir();
// "~" and "~/x" expanded with home_dir(); other paths unchanged.
fs::path expand_user(const fs::path& p);
// `p` made absolute against `base` (not the cwd) and lexically normalised,
// without resolving symlinks, as CPython's os.path.abspath does.
fs::path absolute_from(const fs::path& p, const fs::path& base);
// Whether `path` is `dir` or lies below it, component by component ("/a/bc"
// is not within "/a/b"; everything absolute is within "/"). Lexical: no link
// is resolved and `..` is a name like any other, so pass normal paths
// (absolute_from). Trailing slashes on either side are ignored; an empty
// `dir` holds nothing.
bool is_within(std::string_view path, std::string_view dir);
// is_within, and not `dir` itself.
bool is_below(std::string_view path, std::string_view dir);
// "DIR/NAME" in one allocation ("/NAME" under "/"), for the walks that build
// many paths from a directory's string.
std::string child_path(std::string_view dir, std::string_view name);
// `dir / relative` spelled as fs::path's operator/ spells it (`relative`
// has no root), as a string: no path split into components, for the few
// paths a start only stats or opens.
std::string joined_path(std::string_view dir, std::string_view relative);
// The current directory, or an empty path if it has gone (removed while in
// use): never a guess, since relative paths and upward searches would then
// start somewhere else.
fs::path current_dir();
// The message for a command that needs the current directory when
// current_dir() is empty.
inline constexpr const char* kNoCurrentDirectory = "the current directory no longer exists";
// Every entry of a PATH value, in order, as written: an empty one (a
// leading, trailing or doubled ':') is "", which getpath and a shell read as
// the current directory.
std::vector<std::string> path_entries(std::string_view path_variable);
// The absolute directories of a PATH value, in order. Empty and relative
// entries ("", ".", "bin") are left out: they name a directory relative to
// wherever the lookup happens (a tree being walked, a directory someone
// else controls), which is no way to choose a program to run, as Go's
// exec.LookPath refuses them.
std::vector<fs::path> absolute_path_entries(std::string_view path_variable);
// The real path of the running executable (/proc/self/exe), read once.
const fs::path& self_exe();
// The directory `levels` above self_exe() ("" when there is none): the
// kernel's path is absolute and normal, so each is a cut at a '/'.
std::string self_exe_dir(int levels = 1);
// The path this program was started by (execve's, AT_EXECFN, made absolute):
// a venv's bin/pycache-python link, whatever argv[0] says. self_exe() when
// that path is not this program (a #! script) or can't be made absolute.
fs::path started_program();
// Whether `path` is the program `self`: the same file (a link to it), or, as a
// wheel installs it (wheels hold no links), a copy of it beside it: a regular
// file (or a link to one) in self's directory, of the same owner and size.
bool same_program(const fs::path& path, const fs::path& self);
// A configuration file read whole (a policy file, pyvenv.cfg,
// .python-version): only a regular file (a symlink to one is followed, unless
// Links::DontFollow), opened non-blocking so that a FIFO in its place never
// hangs, and at most kConfigFileLimit bytes, so that /dev/zero or a huge file
// never grows memory.
inline constexpr std::size_t kConfigFileLimit = 1 << 20;
struct ConfigFile {
  enum class Status { Ok, Absent, NotRegular, TooLarge, Unreadable };
  Status status = Status::Absent;
  int error = 0;            // the errno, for Absent and Unreadable
  std::string text;         // Ok: the whole file
  std::uint32_t owner = 0;  // Ok: the uid owning the file read
  // Why it could not be read, for "PATH: WHY": "not a regular file",
  // "larger than 1 MiB", or the errno's text.
  std::string why() const;
  bool ok() const { return status == Status::Ok; }
};
enum class Links { Follow, DontFollow };
ConfigFile read_config_file(const std::string& p, std::size_t limit = kConfigFileLimit, Links links = Links::Follow);

}  // namespace pycache
