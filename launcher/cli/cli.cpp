// Dispatch: personality, the command table, help, version.
#include "pycache/cli.hpp"

#include <unistd.h>

#include <fmt/format.h>
#include <algorithm>
#include <array>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <exception>
#include <string>
#include <system_error>
#include <utility>
#include <vector>

#include "commands.hpp"
#include "help.hpp"
#include "pycache/build_config.hpp"
#include "pycache/compile.hpp"
#include "pycache/embed.hpp"
#include "pycache/embed_module.hpp"
#include "pycache/exit_code.hpp"
#include "pycache/fs.hpp"
#include "pycache/handoff.hpp"
#include "pycache/launch.hpp"
#include "pycache/log.hpp"
#include "pycache/paths.hpp"
#include "pycache/runtime.hpp"
#include "pycache/text.hpp"
#include "reference.hpp"

namespace pycache::cli {
namespace {

int help_main(Args args);
CommandDoc help_doc();

// argv[0] of pycache's own helper processes: `pycache-internal compile-worker`
// (a compiler of the pool) and `pycache-internal dis FILE` (a disassembly),
// run by the runtime of the Python concerned.
int internal_main(int argc, char** argv) {
  std::string_view what = argv[1];
  // pycache-embedded's compiler for an interpreter of the machine: `compile-worker PATH`.
  if (what == "compile-worker" && argc == 3)
    if (auto failed = embed::use_interpreter(argv[2])) {
      log().error("{}", failed->message);
      return failed->code;
    }
  if (what == "compile-worker" && argc <= 3)
    return compile::worker_main(STDIN_FILENO, STDOUT_FILENO, real_fs(), compile::embedded_toolchain());
  // pycache-embedded's for an interpreter of the machine: `dis FILE PATH`.
  if (what == "dis" && argc == 4)
    if (auto failed = embed::use_interpreter(argv[3])) {
      log().error("{}", failed->message);
      return failed->code;
    }
  if (what == "dis" && (argc == 3 || argc == 4)) {
    std::string bytes;
    if (int e = real_fs().read(argv[2], 64u << 20, bytes)) {
      log().error("'{}': {}", printable(argv[2]), std::strerror(e));
      return kExitFailure;
    }
    if (auto failed = embed::start_tool_runtime()) {
      log().error("{}", failed->message);
      return failed->code;
    }
    auto text = embed::disassemble(bytes);
    if (!text) {
      log().error("'{}': {}", printable(argv[2]), text.error().message);
      return text.error().code;
    }
    std::fwrite(text->data(), 1, text->size(), stdout);
    return kExitOk;
  }
  log().error("internal error: unknown internal command '{}'", printable(what));
  return kExitInternal;
}

constexpr std::array<Command, 9> kCommands{{
    {"run", "run a script or module under the project's bytecode policy, on the project's Python", run_main, run_doc},
    {"clean", "remove bytecode safely: in the tree, its mirror in the cache prefix, or the prefix itself", clean_main,
     clean_doc, Needs::Policy | Needs::Python | Needs::SkipRules},
    {"compile", "precompile sources to the pycs the policy says are read, incrementally and in parallel", compile_main,
     compile_doc, Needs::Policy | Needs::Python | Needs::Runtime | Needs::SkipRules},
    // A missing runtime is a finding of `policy`'s report, not its error.
    {"policy", "show the policy in force for a script or directory, and where each value comes from", policy_main,
     policy_doc, Needs::Policy | Needs::Python | Needs::ReportPython},
    {"status", "report a tree's bytecode: fresh, stale, orphaned, sourceless, tracked by git", status_main, status_doc,
     Needs::Policy | Needs::Python | Needs::CacheTag | Needs::ReportPython | Needs::SkipRules},
    // A .py's pycs need its Python's runtime, a .pyc's not: show asks for it itself.
    {"show", "decode a .pyc (header, freshness, disassembly), or where a .py's pycs live", show_main, show_doc,
     Needs::Policy | Needs::Python},
    // No policy: the machine's interpreters, whatever the project.
    {"python", "list the CPython interpreters of this machine, and whether and how pycache can run each", python_main,
     python_doc},
    {"completions", "print a shell completion script (bash, zsh or fish)", completions_main, completions_doc},
    {"help", "show help for pycache or one of its commands", help_main, help_doc},
}};

std::string unknown_command(std::string_view name) {
  std::vector<std::string_view> names;
  names.reserve(std::size(kCommands));
  for (const auto& c : kCommands) names.push_back(c.name);
  std::string msg = fmt::format("unknown command '{}'", printable(name));
  return msg + did_you_mean(closest_match(name, names)) + " (see 'pycache --help')";
}

int help_main(Args args) {
  // The man page, for the build (pycache help --man): from the same tables.
  if (args.size() == 1 && args[0] == "--man") {
    std::fputs(format_man_page().c_str(), stdout);
    return kExitOk;
  }
  // docs/reference, for the build's `reference` target and its test.
  if (args.size() == 2 && args[0] == "--reference") return write_reference(args[1]);
  if (args.empty()) {
    std::fputs(format_overview().c_str(), stdout);
    return kExitOk;
  }
  const Command* c = find_command(args[0]);
  if (!c) {
    log().error("{}", unknown_command(args[0]));
    return kExitUsage;
  }
  std::fputs(format_help(*c).c_str(), stdout);
  return kExitOk;
}

CommandDoc help_doc() {
  return {"pycache help [COMMAND]",
          "Show help for pycache or one of its commands.",
          {OptionDoc{{"COMMAND"}, "", "a command", true}},
          ""};
}

// sys.executable as CPython's getpath derives it from argv[0]: a name with a
// slash made absolute, else the first executable of that name on PATH. Kept
// when that is this program; when it names another program, this one's real
// path, so that children run under the policy; when it names no file at all,
// what python makes of it (test_sys.test_executable): the absolute path, or
// '' for a bare name found nowhere.
std::string python_executable(const char* argv0, const fs::path& self) {
  std::error_code ec;
  auto same = [&](const fs::path& candidate) {
    return !candidate.empty() && fs::equivalent(candidate, self, ec) && !ec;
  };
  const std::string_view name = argv0 ? argv0 : "";
  if (name.empty()) return self.native();  // python takes "python3" on PATH: another program
  // In a current directory that has gone, python can't make a relative path
  // absolute and stops with a fatal error; this program is then the answer.
  const fs::path cwd = current_dir();
  if (name.find('/') != std::string_view::npos) {
    if (name.front() != '/' && cwd.empty()) return self.native();
    fs::path candidate = absolute_from(std::string(name), cwd);
    if (same(candidate)) return candidate.native();
    return fs::exists(fs::symlink_status(candidate, ec)) ? self.native() : candidate.native();
  }
  const char* path = std::getenv("PATH");
  for (const std::string& entry : path_entries(path ? path : "")) {
    // As getpath searches: an empty entry is the current directory.
    const fs::path dir(entry.empty() ? std::string(".") : entry);
    if (dir.is_absolute() || !cwd.empty()) {
      fs::path candidate = absolute_from(dir / std::string(name), cwd);
      if (access(candidate.c_str(), X_OK) == 0) return same(candidate) ? candidate.native() : self.native();
    }
  }
  return cwd.empty() ? self.native() : std::string();
}

// `pycache run` of another runtime handed this one its plan (launch.hpp).
int handed_off(int argc, char** argv, const char* handoff) {
  std::string interpreter;
  auto config = decode_handoff(handoff, &interpreter);
  unsetenv(kHandoffVariable);
  // pycache's hand-off is always well formed: this one came from the user's environment.
  if (!config) {
    log().error("{}: a malformed value in the environment (pycache sets it only for its own runtimes; unset it)",
                kHandoffVariable);
    return kExitUsage;
  }
  config->argv.assign(argv, argv + argc);
  // pycache-embedded: the interpreter named, checked again before it is loaded.
  if (!interpreter.empty()) {
    if (auto failed = embed::use_interpreter(interpreter)) {
      log().error("{}", failed->message);
      return failed->code;
    }
  } else if (auto stale = stale_core_warning()) {
    log().warn("{}", *stale);
  }
  return embed::run_python(*config);
}

std::string g_invoked;

int python_main(int argc, char** argv) {
  if (const char* handoff = std::getenv(kHandoffVariable)) return handed_off(argc, argv, handoff);
  std::vector<std::string> args(argv + 1, argv + argc);
  std::string argv0 = argc > 0 && argv[0] ? argv[0] : "pycache-python";
  // An argv[0] that is not this program: the path it was started by (a venv's link) stands for it.
  return launch(argv0, args, Personality::Python, python_executable(argv[0], started_program()));
}

}  // namespace

// The version, then one line per runtime: its Python, where from, how linked.
// pycache-embedded's line: the modules it has, "3.8, 3.9, 3.10".
std::string modules_line() {
  std::vector<std::string> names;
  std::error_code ec;
  const fs::path dir = embed_module::default_modules_dir();
  for (const auto& e : fs::directory_iterator(dir, ec)) {
    std::string n = e.path().filename().native();
    if (n.starts_with("pycache-embed-") && n.ends_with(".so")) names.push_back(n.substr(14, n.size() - 17));
  }
  std::sort(names.begin(), names.end(), [](const std::string& a, const std::string& b) {
    return std::pair(a.size(), a) < std::pair(b.size(), b);  // 3.9 before 3.10
  });
  std::string list;
  for (const auto& n : names) list += (list.empty() ? "" : ", ") + n;
  return fmt::format("  {:<22} this program: any CPython of the machine through its embedding module ({} in {})\n",
                     kEmbeddedProgram, list.empty() ? std::string("none") : list, dir.native());
}

std::string version_text() {
  const runtime::Runtime* me = runtime::self();
  const bool builtin = embed::has_builtin_runtime() && me;
  std::string commit = *build::kCommit ? fmt::format("commit {}, ", build::kCommit) : std::string();
  std::string out =
      fmt::format("pycache {} ({}{} build, {}{})\n", build::kVersion, commit, build::kBuildType, build::kCompiler,
                  builtin ? "; default runtime: CPython " + std::string(me->version) : "");
  if (!builtin) out += modules_line();
  for (const auto& r : runtime::all()) {
    auto path = runtime::program_path(r);
    out +=
        fmt::format("  {:<22} CPython {} of {}, {} libpython {}{}{}\n", r.program(), r.version, r.interpreter, r.link,
                    r.libpython, path ? "" : " (not installed here)", runtime::is_self(r) ? ", this program" : "");
  }
  if (builtin) out += fmt::format("embedded core: {}\n", embed::runtime_build());
  if (auto stale = stale_core_warning()) out += "warning: " + *stale + "\n";
  return out;
}

std::span<const Command> commands() { return kCommands; }

const std::string& invoked_path() { return g_invoked; }

const Command* find_command(std::string_view name) {
  for (const auto& c : kCommands)
    if (c.name == name) return &c;
  return nullptr;
}

int completions_main(Args args) {
  if (args.size() == 1 && (args[0] == "--help" || args[0] == "-h")) {
    std::fputs(format_help(*find_command("completions")).c_str(), stdout);
    return kExitOk;
  }
  std::string script = args.size() == 1 ? format_completions(args[0]) : std::string();
  if (script.empty()) {
    log().error("completions: expected one of bash, zsh or fish{} (see 'pycache completions --help')",
                args.empty() ? "" : fmt::format(", got '{}'", printable(args[0])));
    return kExitUsage;
  }
  std::fputs(script.c_str(), stdout);
  return kExitOk;
}

CommandDoc completions_doc() {
  return {"pycache completions (bash | zsh | fish)",
          "Print a completion script for the shell: 'pycache completions bash > "
          "~/.local/share/bash-completion/completions/pycache'. Packages install them where the shells look.",
          {OptionDoc{{"SHELL"}, "", "bash, zsh or fish", true}},
          ""};
}

namespace {

// The last resort: a bug must still end as one line and a documented status,
// never as std::terminate's SIGABRT (exit 134) and a C++ type name.
[[noreturn]] void internal_error(const char* what) {
  std::fprintf(stderr, "pycache: error: internal error: %s (please report this bug)\n", what);
  std::fflush(stderr);
  std::_Exit(kExitInternal);
}

[[noreturn]] void on_terminate() {
  // An exception that escaped a thread, or a noexcept boundary.
  if (auto e = std::current_exception()) {
    try {
      std::rethrow_exception(e);
    } catch (const std::exception& ex) {
      internal_error(ex.what());
    } catch (...) {
    }
  }
  internal_error("std::terminate called");
}

int dispatch(int argc, char** argv);

}  // namespace

int main(int argc, char** argv) {
  std::set_terminate(on_terminate);
  try {
    return dispatch(argc, argv);
  } catch (const std::exception& e) {
    internal_error(e.what());
  } catch (...) {
    internal_error("unknown exception");
  }
}

namespace {

int dispatch(int argc, char** argv) {
  // pycache's own processes of another runtime (compile workers, dis):
  // argv[0] says so, as no command line of python's can.
  if (argc > 1 && argv[0] && std::string_view(argv[0]) == kInternalArgv0) return internal_main(argc, argv);
  // pycache is the program started as `pycache` (a symlink to the default
  // runtime, usually; or a copy of it under that name); under any other
  // name it is python. A program names sys.executable, never "pycache".
  const fs::path& self = self_exe();
  const bool commands =
      (argc > 0 && argv[0] && fs::path(argv[0]).filename() == "pycache") || self.filename() == "pycache";
  if (!commands) return python_main(argc, argv);
  // Only a runtime pycache hands a run off to reads it; the program run must
  // not pass it on to the pycache-python its children start.
  unsetenv(kHandoffVariable);
  g_invoked = python_executable(argv[0], self);

  if (argc < 2) {
    std::fputs(format_overview().c_str(), stderr);
    return kExitUsage;
  }
  std::string_view first = argv[1];
  if (first == "--help" || first == "-h") {
    std::fputs(format_overview().c_str(), stdout);
    return kExitOk;
  }
  if (first == "--version" || first == "-V") {
    std::fputs(version_text().c_str(), stdout);
    return kExitOk;
  }
  const Command* command = find_command(first);
  if (!command) {
    log().error("{}", unknown_command(first));
    return kExitUsage;
  }
  std::vector<std::string> args(argv + 2, argv + argc);
  return command->main(args);
}

}  // namespace

}  // namespace pycache::cli
