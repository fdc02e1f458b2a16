// The command-line surface: personalities, help, version, usage errors, `policy`.
#include <gtest/gtest.h>

#include <map>

#include "process.hpp"
#include "pycache/policy.hpp"
#include "temp_dir.hpp"

namespace pycache::test {
namespace {

class Cli : public ::testing::Test {
 protected:
  TempDir t;
  Env env = isolated_env(t.path());
  Outcome pycache(std::vector<std::string> args, const fs::path& cwd = {}) {
    args.insert(args.begin(), pycache_bin().native());
    return run({args, std::nullopt, env, cwd.empty() ? t.path() : cwd});
  }
};

// The key table says which commands parse each of its options (--max-size,
// --exclude, --python...): each of them has it, with the key table's value.
TEST_F(Cli, EveryCommandTakesTheOptionsTheKeyTableSaysItTakes) {
  std::map<std::string, std::string> help;
  int checked = 0;
  for (const auto& key : policy_keys()) {
    for (const auto& option : key.options) {
      for (auto command : option_commands(option)) {
        std::string name(command);
        if (!help.contains(name)) {
          auto h = pycache({name, "--help"});
          ASSERT_EQ(h.exit_code, 0) << name << ": " << h.err;
          help[name] = h.out;
        }
        std::string spelled(option.name);
        if (!option.metavar.empty()) spelled += " " + std::string(option.metavar);
        EXPECT_NE(help[name].find(spelled), std::string::npos) << "the key table says 'pycache " << name << "' takes "
                                                               << spelled << " (key " << key.name << "); its help:\n"
                                                               << help[name];
        ++checked;
      }
    }
  }
  EXPECT_GT(checked, 10);
  EXPECT_TRUE(help.contains("clean") && help.contains("status") && help.contains("compile"));
}

TEST_F(Cli, VersionAndHelp) {
  auto v = pycache({"--version"});
  EXPECT_EQ(v.exit_code, 0);
  EXPECT_EQ(v.out.rfind("pycache ", 0), 0u);
  auto h = pycache({"--help"});
  EXPECT_EQ(h.exit_code, 0);
  for (auto c : {"run", "policy", "help"}) EXPECT_NE(h.out.find(c), std::string::npos) << c;
  auto hr = pycache({"help", "run"});
  EXPECT_EQ(hr.exit_code, 0);
  EXPECT_NE(hr.out.find("--cache-prefix DIR"), std::string::npos);
  EXPECT_NE(hr.out.find("--python VERSION|PATH"), std::string::npos) << hr.out;
  EXPECT_NE(pycache({"help", "--man"}).out.find("check\\-hash\\-based\\-pycs"), std::string::npos)
      << "the keys, in the man page";
  EXPECT_EQ(pycache({"policy", "--help"}).exit_code, 0);
  EXPECT_EQ(pycache({"help", "nope"}).exit_code, 2);
}

TEST_F(Cli, MistypedCommandGetsDidYouMeanAndUsageStatus) {
  auto o = pycache({"rnu", "x.py"});
  EXPECT_EQ(o.exit_code, 2);
  EXPECT_EQ(o.err, "pycache: error: unknown command 'rnu'; did you mean 'run'? (see 'pycache --help')\n");
  EXPECT_EQ(o.out, "");
  auto none = pycache({});
  EXPECT_EQ(none.exit_code, 2);
}

TEST_F(Cli, Cli11ParseErrorsUseTheUsageStatusNotCli11s) {
  auto o = pycache({"policy", "--bogus"});
  EXPECT_EQ(o.exit_code, 2) << o.err;
  EXPECT_EQ(o.err.rfind("pycache: error: ", 0), 0u) << o.err;
  auto r = pycache({"run", "--optimize", "5", "-c", "pass"});
  EXPECT_EQ(r.exit_code, 2);
}

TEST_F(Cli, EveryCommandSuggestsTheOptionMeantAndSaysWhatWasExpected) {
  const std::vector<std::pair<std::vector<std::string>, std::string>> cases = {
      {{"clean", "--dry-rn"}, "unknown option '--dry-rn'; did you mean '--dry-run'?"},
      {{"status", "--chek"}, "unknown option '--chek'; did you mean '--check'?"},
      {{"compile", "--forse"}, "unknown option '--forse'; did you mean '--force'?"},
      {{"policy", "--jsn"}, "unknown option '--jsn'; did you mean '--json'?"},
      {{"show", "x.pyc", "--bogus=1"}, "unknown option '--bogus'"},
      {{"status", "--jobs", "abc"}, "option '--jobs': expected a number from 1 to 256, got 'abc'"},
      {{"compile", "--invalidation-mode", "foo"},
       "option '--invalidation-mode': expected timestamp, checked-hash or unchecked-hash, got 'foo'"},
      {{"status", "--color", "sometimes"}, "option '--color': expected auto, always or never, got 'sometimes'"},
  };
  for (const auto& [args, message] : cases) {
    auto o = pycache(args);
    EXPECT_EQ(o.exit_code, 2) << args[0] << " " << args[1];
    EXPECT_EQ(o.err.rfind("pycache: error: " + message, 0), 0u) << o.err;
    EXPECT_EQ(o.err.find('\n'), o.err.size() - 1) << "one line: " << o.err;
  }
}

TEST_F(Cli, RunSuggestsItsOwnOptionAndLeavesTheRestToPython) {
  auto o = pycache({"run", "--no-read-thru", "-c", "pass"});
  EXPECT_EQ(o.exit_code, 2);
  EXPECT_EQ(o.err,
            "pycache: error: unknown option '--no-read-thru'; did you mean '--no-read-through'? (see 'pycache "
            "run --help')\n");
  // Nothing like one of pycache's: python's own answer, as python gives it.
  auto p = pycache({"run", "--frobnicate", "-c", "pass"});
  auto ref = run({{reference_python().native(), "--frobnicate", "-c", "pass"}, std::nullopt, env, t.path()});
  EXPECT_EQ(p.exit_code, ref.exit_code);
  EXPECT_NE(p.err.find("--frobnicate"), std::string::npos) << p.err;
}

TEST_F(Cli, VersionAfterAnyCommand) {
  const std::string version = pycache({"--version"}).out;
  ASSERT_EQ(version.rfind("pycache ", 0), 0u);
  for (auto c : {"clean", "status", "compile", "policy", "show"}) {
    auto o = pycache({c, "--version"});
    EXPECT_EQ(o.exit_code, 0) << c << ": " << o.err;
    EXPECT_EQ(o.out, version) << c;
  }
}

TEST_F(Cli, ColorIsAskedForOrForcedAndNoColorWins) {
  write_file(t / "proj/pyproject.toml", "[tool.pycache]\n");
  write_file(t / "proj/m.py", "X = 1\n");
  const std::string esc = "\x1b[";
  auto plain = pycache({"status"}, t / "proj");  // not a terminal
  EXPECT_EQ(plain.out.find(esc), std::string::npos) << plain.out;
  write_file(t / "proj/__pycache__" / ("m." + python_cache_tag() + ".pyc"), "not a pyc");
  auto always = pycache({"status", "--color", "always"}, t / "proj");
  EXPECT_NE(always.out.find(esc), std::string::npos) << always.out;
  env["FORCE_COLOR"] = "1";
  EXPECT_NE(pycache({"status"}, t / "proj").out.find(esc), std::string::npos) << "FORCE_COLOR";
  EXPECT_EQ(pycache({"status", "--color", "never"}, t / "proj").out.find(esc), std::string::npos);
  env["NO_COLOR"] = "1";
  EXPECT_EQ(pycache({"status"}, t / "proj").out.find(esc), std::string::npos) << "NO_COLOR wins over FORCE_COLOR";
}

TEST_F(Cli, PycachePythonSpeaksPythonWhateverArgv0) {
  for (std::string argv0 : {"python3", "/usr/bin/whatever", "-m", "pycache-python"}) {
    auto o = run({{argv0, "-c", "import sys; print(sys.argv)"}, pycache_python_bin().native(), env, t.path()});
    EXPECT_EQ(o.exit_code, 0) << argv0 << ": " << o.err;
    EXPECT_EQ(o.out, "['-c']\n") << argv0;
  }
  // `pycache` is the tool: started by that name (its symlink), or a copy so named.
  auto tool = run({{"pycache", "--version"}, fs::canonical(pycache_bin()).native(), env, t.path()});
  EXPECT_EQ(tool.out.rfind("pycache ", 0), 0u) << tool.out;
  fs::copy_file(fs::canonical(pycache_bin()), t / "pycache");
  auto copy = run({{"whatever", "--version"}, (t / "pycache").native(), env, t.path()});
  EXPECT_EQ(copy.out.rfind("pycache ", 0), 0u) << copy.out;
}

TEST_F(Cli, SysExecutableIsAbsoluteAndRunnable) {
  const std::string code =
      "import sys, subprocess; print(sys.executable, flush=True); "
      "subprocess.run([sys.executable, '-c', 'print(42)'], check=True)";
  fs::create_symlink(pycache_python_bin(), t / "py");
  auto o = run({{"./py", "-c", code}, (t / "py").native(), env, t.path()});
  ASSERT_EQ(o.exit_code, 0) << o.err;
  // argv[0] names this program: made absolute, as python does it.
  EXPECT_EQ(o.out, (t / "py").native() + "\n42\n");
  // argv[0] names another program: still this one, so that children run under the policy,
  // by the path it was started by (a venv's pycache-python link keeps its venv).
  auto other = run({{"python3", "-c", code}, pycache_python_bin().native(), env, t.path()});
  ASSERT_EQ(other.exit_code, 0) << other.err;
  EXPECT_EQ(other.out, pycache_python_bin().native() + "\n42\n");
  auto r = pycache({"run", "-c", "import sys; print(sys.executable)"});
  EXPECT_EQ(r.out, pycache_python_bin().native() + "\n");
}

// `args` after `program`: an argv.
std::vector<std::string> with_program(const fs::path& program, std::vector<std::string> args) {
  args.insert(args.begin(), program.native());
  return args;
}

TEST_F(Cli, PythonInfoOptionsMatchPython) {
  for (std::vector<std::string> args :
       {std::vector<std::string>{"-V"}, {"--version"}, {"-VV"}, {"-h"}, {"--help-env"}}) {
    auto a = run({with_program(pycache_python_bin(), args), std::nullopt, env, t.path()});
    auto b = run({with_program(reference_python(), args), std::nullopt, env, t.path()});
    EXPECT_EQ(a.exit_code, b.exit_code) << args[0];
    // Identical but for the program's name in the usage line.
    std::string expected = b.out;
    for (auto pos = expected.find(reference_python().native()); pos != std::string::npos;
         pos = expected.find(reference_python().native(), pos + 1))
      expected.replace(pos, reference_python().native().size(), pycache_python_bin().native());
    EXPECT_EQ(a.out, expected) << args[0];
  }
  auto bad = run({{pycache_python_bin().native(), "-Z"}, std::nullopt, env, t.path()});
  auto ref = run({{reference_python().native(), "-Z"}, std::nullopt, env, t.path()});
  EXPECT_EQ(bad.exit_code, 2);
  EXPECT_EQ(bad.exit_code, ref.exit_code);
}

TEST_F(Cli, RunAndPycachePythonDoTheSame) {
  write_file(t / "pycache.toml", "optimize = 2\ncache-prefix = \"pfx\"\n");
  const std::string code = "import sys; print(sys.flags.optimize, sys.pycache_prefix, sys.argv)";
  auto a = pycache({"run", "-c", code, "x"});
  auto b = run({{pycache_python_bin().native(), "-c", code, "x"}, std::nullopt, env, t.path()});
  EXPECT_EQ(a.out, b.out);
  EXPECT_EQ(a.out, "2 " + (t / "pfx").native() + " ['-c', 'x']\n");
}

TEST_F(Cli, PolicyCommandShowsValuesAndOrigins) {
  write_file(t / "proj/pyproject.toml", "[tool.pycache]\noptimize = 1\n");
  write_file(t / "proj/app.py", "");
  env["PYTHONPYCACHEPREFIX"] = "/tmp/from-env";
  auto o = pycache({"policy", "proj/app.py"});
  ASSERT_EQ(o.exit_code, 0) << o.err;
  EXPECT_NE(o.out.find("# policy file: " + (t / "proj/pyproject.toml").native()), std::string::npos) << o.out;
  EXPECT_NE(o.out.find("optimize = 1"), std::string::npos);
  EXPECT_NE(o.out.find("# " + (t / "proj/pyproject.toml").native() + ":2:12"), std::string::npos) << o.out;
  EXPECT_NE(o.out.find("cache-prefix = \"/tmp/from-env\""), std::string::npos) << o.out;
  EXPECT_NE(o.out.find("# environment PYTHONPYCACHEPREFIX"), std::string::npos) << o.out;
  auto j = pycache({"policy", "--json", "proj"});
  EXPECT_NE(j.out.find("\"optimize\":{\"value\":1,\"origin\":\"" + (t / "proj/pyproject.toml").native() + ":2:12\"}"),
            std::string::npos)
      << j.out;
  auto missing = pycache({"policy", "nope"});
  EXPECT_EQ(missing.exit_code, 2);
  write_file(t / "proj/pyproject.toml", "[tool.pycache]\noptimise = 1\n");
  auto bad = pycache({"policy", "proj"});
  EXPECT_EQ(bad.exit_code, 2);
  EXPECT_NE(bad.err.find("did you mean 'optimize'?"), std::string::npos);
}

TEST_F(Cli, PolicyCheckThatFailsSaysErrorAndWithoutCheckWarns) {
  write_file(t / "proj/pycache.toml", "python = \"3.99\"\n");
  auto check = pycache({"policy", "--check", "proj"});
  EXPECT_EQ(check.exit_code, 3);
  EXPECT_EQ(check.err.rfind("pycache: error: nothing here runs Python 3.99", 0), 0u) << check.err;
  EXPECT_EQ(check.err.find('\n'), check.err.size() - 1) << check.err;
  auto look = pycache({"policy", "proj"});
  EXPECT_EQ(look.exit_code, 0);
  EXPECT_EQ(look.err.rfind("pycache: warning: nothing here runs Python 3.99", 0), 0u) << look.err;
}

TEST_F(Cli, BashCompletesValuesWhereOptionsAndCommandsTakeThemAndPycachePython) {
  write_file(t / "script.py", "");
  auto script = pycache({"completions", "bash"});
  ASSERT_EQ(script.exit_code, 0) << script.err;
  write_file(t / "completion.bash", script.out);
  auto complete = [&](const std::string& fn, const std::string& words) {
    auto o = run({{"/bin/bash", "-c",
                   "source completion.bash; COMP_WORDS=(" + words + "); COMP_CWORD=$((${#COMP_WORDS[@]} - 1)); " + fn +
                       "; echo ${COMPREPLY[@]}"},
                  std::nullopt,
                  env,
                  t.path()});
    return o.out;
  };
  EXPECT_EQ(complete("_pycache", "pycache completions ''"), "bash zsh fish\n");
  EXPECT_EQ(complete("_pycache", "pycache help po"), "policy\n");
  EXPECT_EQ(complete("_pycache", "pycache run --read-only ''"), "fallback skip ignore\n");
  EXPECT_EQ(complete("_pycache", "pycache compile --read-only s"), "skip\n");
  EXPECT_EQ(complete("_pycache", "pycache status --python ''"), "\n");
  EXPECT_EQ(complete("_pycache", "pycache run scr"), "script.py\n");
  EXPECT_EQ(complete("_pycache_python", "pycache-python scr"), "script.py\n");
  EXPECT_EQ(complete("_pycache_python", "pycache-python --vers"), "--version\n");
  EXPECT_NE(script.out.find("complete -o filenames -F _pycache_python pycache-python\n"), std::string::npos);
}

TEST_F(Cli, AMisspelledToolTableIsWarnedOnceWithDidYouMean) {
  write_file(t / "proj/pyproject.toml", "[project]\nname = \"x\"\n\n[tool.pycashe]\noptimize = 1\n");
  auto o = pycache({"policy", "proj"});
  ASSERT_EQ(o.exit_code, 0) << o.err;
  EXPECT_EQ(o.err, "pycache: warning: " + (t / "proj/pyproject.toml").native() +
                       ":4:1: unknown table [tool.pycashe]; did you mean [tool.pycache]?\n");
  write_file(t / "proj/pyproject.toml", "[tool.ruff]\nline-length = 1\n[tool.pycache]\noptimize = 1\n");
  auto far = pycache({"policy", "proj"});
  EXPECT_EQ(far.exit_code, 0) << far.err;
  EXPECT_EQ(far.err, "");
}

TEST_F(Cli, OptimizeOutOfRangeIsWordedAlikeInRunAndCompile) {
  write_file(t / "app.py", "");
  const std::string want = "pycache: error: option '--optimize': expected 0, 1 or 2, got '3'";
  auto r = pycache({"run", "--optimize", "3", "app.py"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_EQ(r.err.rfind(want, 0), 0u) << r.err;
  auto c = pycache({"compile", "--optimize", "3"});
  EXPECT_EQ(c.exit_code, 2);
  EXPECT_EQ(c.err.rfind(want, 0), 0u) << c.err;
}

TEST_F(Cli, AnUnterminatedTomlStringIsReportedAtItsStart) {
  write_file(t / "proj/pycache.toml", "optimize = 1\ncache-prefix = \"pfx\n");
  auto o = pycache({"policy", "proj"});
  EXPECT_EQ(o.exit_code, 2);
  EXPECT_EQ(o.err,
            "pycache: error: " + (t / "proj/pycache.toml").native() + ":2:16: invalid TOML: unterminated string\n");
}

// The help of one option in `pycache COMMAND --help`: from its line to the next option's.
std::string option_help_text(const std::string& help, const std::string& option) {
  auto at = help.find("\n  " + option);
  if (at == std::string::npos) return "";
  auto end = help.find("\n  -", at + 1);
  return help.substr(at, end == std::string::npos ? std::string::npos : end - at);
}

const std::vector<std::string> kPolicyCommands = {"policy", "clean", "compile", "status", "show"};

TEST_F(Cli, EveryCommandShowsAGivenPathEscaped) {
  for (const auto& command : kPolicyCommands) {
    auto o = pycache({command, "no\x1bsuch\x07"});
    EXPECT_EQ(o.exit_code, 2) << command << ": " << o.err;
    EXPECT_EQ(o.err, "pycache: error: 'no\\x1bsuch\\x07': No such file or directory\n") << command;
    EXPECT_EQ(o.err.find('\x1b'), std::string::npos) << command << ": a raw ESC on the terminal";
  }
}

TEST_F(Cli, EveryCommandThatResolvesAPolicyIgnoresTheEnvironmentWhenAsked) {
  std::string help;
  for (const auto& command : kPolicyCommands) {
    auto h = pycache({command, "--help"});
    std::string text = option_help_text(h.out, "--ignore-environment");
    EXPECT_NE(text, "") << command << " has no --ignore-environment:\n" << h.out;
    if (help.empty()) help = text;
    EXPECT_EQ(text, help) << command << ": the same help everywhere";
  }
  write_file(t / "proj/pyproject.toml", "[project]\nname = 'p'\n");
  write_file(t / "proj/app.py", "x = 1\n");
  env["PYTHONPYCACHEPREFIX"] = (t / "pfx").native();
  env["PYTHONOPTIMIZE"] = "2";
  auto p = pycache({"policy", "--ignore-environment", "proj"});
  ASSERT_EQ(p.exit_code, 0) << p.err;
  EXPECT_EQ(p.out.find("# environment PYTHONOPTIMIZE"), std::string::npos) << p.out;
  EXPECT_NE(p.out.find("optimize = 0"), std::string::npos) << p.out;
  auto c = pycache({"clean", "--prefix", "--ignore-environment", "proj"});
  EXPECT_EQ(c.exit_code, 2) << c.err;
  EXPECT_NE(c.err.find("no cache prefix is in force"), std::string::npos) << c.err;
  auto k = pycache({"compile", "-q", "--ignore-environment", "proj"});
  ASSERT_EQ(k.exit_code, 0) << k.err;
  EXPECT_FALSE(fs::exists(t / "pfx")) << "the environment's prefix was used";
  EXPECT_EQ(find_pycache_dirs(t / "proj").size(), 1u);
}

TEST_F(Cli, EveryCommandTakesThePolicyOptionsAlikeAndRefusesBoth) {
  for (const auto& option : {"--policy", "--no-policy"}) {
    std::string help;
    for (const auto& command : kPolicyCommands) {
      std::string text = option_help_text(pycache({command, "--help"}).out, option);
      EXPECT_NE(text, "") << command << " " << option;
      if (help.empty()) help = text;
      EXPECT_EQ(text, help) << command << " " << option << ": the same help everywhere";
    }
  }
  write_file(t / "p.toml", "[tool.pycache]\noptimize = 1\n");
  write_file(t / "proj/app.py", "x = 1\n");
  for (const auto& command : kPolicyCommands) {
    std::vector<std::string> args = {command, "--policy", "p.toml", "--no-policy",
                                     command == "show" ? "proj/app.py" : "proj"};
    auto o = pycache(args);
    EXPECT_EQ(o.exit_code, 2) << command << ": " << o.err;
    EXPECT_EQ(o.err.rfind("pycache: error: --policy and --no-policy contradict each other", 0), 0u)
        << command << ": " << o.err;
  }
}

TEST_F(Cli, EveryCommandRefusesASymlinkedPathAlikeOrFollowsIt) {
  fs::create_directories(t / "real");
  write_file(t / "real/app.py", "x = 1\n");
  fs::create_directory_symlink(t / "real", t / "link");
  for (const auto& command : {"clean", "compile", "status"}) {
    auto o = pycache({command, "link"});
    EXPECT_EQ(o.exit_code, 2) << command << ": " << o.err;
    EXPECT_EQ(o.err.rfind("pycache: error: 'link' is a symbolic link: pycache " + std::string(command) +
                              " never follows one (pass the path it points to)\n",
                          0),
              0u)
        << command << ": " << o.err;
  }
}

}  // namespace
}  // namespace pycache::test
