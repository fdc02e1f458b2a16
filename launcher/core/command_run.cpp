#include "pycache/command_run.hpp"

#include <unistd.h>

#include <fmt/format.h>
#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>

#include "pycache/exit_code.hpp"
#include "pycache/log.hpp"
#include "pycache/paths.hpp"
#include "pycache/text.hpp"

namespace pycache {
namespace {

// The words of a `#!` line, as the kernel and `env -S` split them.
std::vector<std::string_view> words(std::string_view line) {
  std::vector<std::string_view> out;
  std::size_t i = 0;
  while (i < line.size()) {
    while (i < line.size() && (line[i] == ' ' || line[i] == '\t')) ++i;
    std::size_t start = i;
    while (i < line.size() && line[i] != ' ' && line[i] != '\t') ++i;
    if (i > start) out.push_back(line.substr(start, i - start));
  }
  return out;
}

std::string_view base_name(std::string_view path) {
  auto slash = path.rfind('/');
  return slash == std::string_view::npos ? path : path.substr(slash + 1);
}

// python, python3, python3.12, python3.13t, and pycache's own names for them.
bool is_python_name(std::string_view name) {
  if (name.starts_with("pycache-")) name.remove_prefix(8);
  if (!name.starts_with("python")) return false;
  name.remove_prefix(6);
  if (name.ends_with('t')) name.remove_suffix(1);
  if (name.empty()) return true;
  if (!name.starts_with('3')) return false;
  name.remove_prefix(1);
  if (name.empty()) return true;
  if (name.size() < 2 || name[0] != '.') return false;
  return std::all_of(name.begin() + 1, name.end(), [](char c) { return c >= '0' && c <= '9'; });
}

// The program a `#!` line (without `#!`) starts: its first word, or what
// `env` starts (past env's options and NAME=VALUE words).
std::string_view shebang_program(std::string_view line) {
  auto w = words(line);
  if (w.empty()) return {};
  if (base_name(w[0]) != "env") return w[0];
  for (std::size_t i = 1; i < w.size(); ++i)
    if (!w[i].starts_with('-') && w[i].find('=') == std::string_view::npos) return w[i];
  return {};
}

std::string_view line_at(std::string_view text, std::size_t& pos) {
  const std::size_t end = std::min(text.find('\n', pos), text.size());
  std::string_view line = text.substr(pos, end - pos);
  pos = end + 1;
  if (line.ends_with('\r')) line.remove_suffix(1);
  return line;
}

// pip's wrapper: `#!/bin/sh` then '''exec' "/long/path/bin/python" "$0" "$@".
bool is_pip_wrapper(std::string_view first, std::string_view second) {
  if (shebang_program(first) != "/bin/sh" || !second.starts_with("'''exec' \"")) return false;
  second.remove_prefix(10);
  const auto quote = second.find('"');
  return quote != std::string_view::npos && is_python_name(base_name(second.substr(0, quote)));
}

bool has_venv(const std::string& venv) { return !venv.empty() && venv != "none"; }

std::vector<fs::path> search_dirs(const std::string& venv, const EnvLookup& env) {
  std::vector<fs::path> dirs;
  if (has_venv(venv)) dirs.push_back(fs::path(venv) / "bin");
  const char* path = env("PATH");
  for (auto& dir : absolute_path_entries(path ? path : "")) dirs.push_back(std::move(dir));
  return dirs;
}

std::string trust_hint(const fs::path& file, const EnvLookup& env) {
  return fmt::format("to trust it, add \"{}\" to safe-directories in {}", printable(file.parent_path().native()),
                     printable(user_policy_path(env).native()));
}

enum class Warn { No, Yes };

std::optional<fs::path> first_program(const std::string& name, const std::vector<fs::path>& dirs, const EnvLookup& env,
                                      const Trust& trust, FileSystem& files, Warn warn) {
  for (const auto& dir : dirs) {
    const fs::path candidate = dir / name;
    // A directory or a FIFO of that name is no program: the search goes on, as a shell's does.
    FileStat st;
    if (files.stat(candidate, st) != 0 || st.type != FileType::Regular || files.access(candidate, X_OK) != 0) continue;
    if (auto why = distrust_directory(trust, candidate, Exclusive::No)) {
      if (warn == Warn::Yes)
        log().warn("ignoring the console script '{}': {}; {}", printable(candidate.native()), *why,
                   trust_hint(candidate, env));
      continue;
    }
    return candidate;
  }
  return std::nullopt;
}

Error options_before(const fs::path& program, std::span<const std::string> before) {
  std::string options;
  for (const auto& o : before) options += (options.empty() ? "" : " ") + o;
  return usage(
      fmt::format("'{}' is not a Python script: python's options before it ('{}') can't apply to it; "
                  "pycache's own options can (pycache run --help)",
                  printable(program.native()), printable(options)));
}

// A file the user named (by its path, or by its name in the current directory).
Result<RunTarget> named_file(const std::string& target, std::span<const std::string> before, const fs::path& cwd,
                             const EnvLookup& env, const Trust& trust, FileSystem& files) {
  const fs::path given = cwd.empty() ? fs::path(target) : absolute_from(target, cwd);
  FileStat st;
  if (given.extension() == ".py" || files.stat(given, st) != 0 || st.type != FileType::Regular ||
      files.access(given, X_OK) != 0)
    return RunTarget{};
  auto head = read_head(given, files);
  if (!head || classify_head(*head) != FileKind::Command) return RunTarget{};
  if (auto why = distrust_directory(trust, given, Exclusive::No))
    return Error{fmt::format("refusing to run '{}': {}; {}", printable(given.native()), *why, trust_hint(given, env)),
                 kExitEnvironment};
  if (!before.empty()) return options_before(given, before);
  // Executed as the user wrote it, relative to the current directory, as a shell does.
  return RunTarget{RunTarget::Kind::Command, fs::path(target)};
}

}  // namespace

FileKind classify_head(std::string_view head) {
  if (head.starts_with("\x7f"
                       "ELF"))
    return FileKind::Command;
  if (!head.starts_with("#!")) return FileKind::Other;
  std::size_t pos = 2;
  const std::string_view first = line_at(head, pos);
  const std::string_view second = pos < head.size() ? line_at(head, pos) : std::string_view();
  if (is_python_name(base_name(shebang_program(first))) || is_pip_wrapper(first, second)) return FileKind::Python;
  return FileKind::Command;
}

std::optional<std::string> read_head(const fs::path& file, FileSystem& files) {
  // Links resolved here (each one was checked by the caller's trust rule),
  // then the real file read without following any: a FIFO, a directory or
  // a device in its place is refused or read non-blocking and bounded.
  std::error_code ec;
  fs::path real = fs::canonical(file, ec);
  if (ec) real = file;
  FileStat st;
  if (files.lstat(real, st) != 0 || st.type != FileType::Regular) return std::nullopt;
  std::string head;
  if (files.read(real, kHeadLimit, head) != 0) return std::nullopt;
  return head;
}

std::optional<fs::path> find_program(const std::string& name, const std::string& venv, const EnvLookup& env,
                                     const Trust& trust, FileSystem& files) {
  return first_program(name, search_dirs(venv, env), env, trust, files, Warn::Yes);
}

std::string suggest_program(const std::string& name, const std::string& venv, const EnvLookup& env, const Trust& trust,
                            FileSystem& files) {
  const auto dirs = search_dirs(venv, env);
  std::vector<std::string> names;
  for (const auto& dir : dirs) {
    std::vector<DirEntry> entries;
    if (files.open_directory(dir, FollowLink::Yes)->list(entries) != 0) continue;
    for (auto& e : entries)
      if (e.type != FileType::Directory) names.push_back(std::move(e.name));
  }
  std::vector<std::string_view> views(names.begin(), names.end());
  std::string best(closest_match(name, views));
  if (best.empty() || !first_program(best, dirs, env, trust, files, Warn::No)) return {};
  return best;
}

Result<RunTarget> resolve_run_target(const std::string& target, std::span<const std::string> before,
                                     const fs::path& cwd, const std::string& venv, const EnvLookup& env,
                                     const Trust& trust, FileSystem& files) {
  FileStat st;
  if (fs::path(target).has_parent_path() || (!cwd.empty() && files.stat(cwd / target, st) == 0))
    return named_file(target, before, cwd, env, trust, files);
  auto found = find_program(target, venv, env, trust, files);
  if (!found)
    return usage(fmt::format("'{}' not found: no such file, and no command of that name in {}{}", printable(target),
                             has_venv(venv) ? "the venv or on PATH" : "PATH",
                             did_you_mean(suggest_program(target, venv, env, trust, files))));
  auto head = read_head(*found, files);
  if (head && classify_head(*head) == FileKind::Python) return RunTarget{RunTarget::Kind::PythonScript, *found};
  if (!before.empty()) return options_before(*found, before);
  return RunTarget{RunTarget::Kind::Command, *found};
}

std::vector<std::pair<std::string, std::optional<std::string>>> command_environment(const Policy& policy,
                                                                                    const EnvLookup& env,
                                                                                    FileSystem& files) {
  auto out = policy_environment(policy);
  const std::string& venv = policy.venv();
  FileStat st;
  if (!has_venv(venv) || files.stat(venv, st) != 0 || st.type != FileType::Directory) {
    out.emplace_back("VIRTUAL_ENV", std::nullopt);
    return out;
  }
  out.emplace_back("VIRTUAL_ENV", venv);
  const std::string bin = (fs::path(venv) / "bin").native();
  const char* path = env("PATH");
  const std::string old = path ? path : "";
  if (old.empty()) out.emplace_back("PATH", bin);
  else if (path_entries(old).front() != bin) out.emplace_back("PATH", bin + ":" + old);
  return out;
}

int exec_command(const CommandRun& command) {
  std::vector<char*> argv;
  for (const auto& a : command.argv) argv.push_back(const_cast<char*>(a.c_str()));
  argv.push_back(nullptr);
  std::fflush(nullptr);
  ::execv(command.program.c_str(), argv.data());
  int e = errno;
  if (e == ENOEXEC) {
    // No `#!` line and no format the kernel knows: a shell script, as POSIX has a shell run it.
    std::vector<char*> sh = {const_cast<char*>("/bin/sh"), const_cast<char*>(command.program.c_str())};
    sh.insert(sh.end(), argv.begin() + 1, argv.end());
    ::execv("/bin/sh", sh.data());
    e = errno;
  }
  log().error("cannot run '{}': {}", printable(command.program.native()), std::strerror(e));
  return kExitEnvironment;
}

}  // namespace pycache
