#include "pycache/policy_sources.hpp"
#include "pycache/toml_text.hpp"

#include <gtest/gtest.h>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <map>

#include "pycache/exit_code.hpp"
#include "pycache/paths.hpp"
#include "pycache/wire.hpp"
#include "temp_dir.hpp"

namespace pycache {
namespace {

using test::TempDir;
using test::write_file;

EnvLookup fake_env(std::map<std::string, std::string> vars) {
  return [vars = std::move(vars)](const char* name) -> const char* {
    auto it = vars.find(name);
    return it == vars.end() ? nullptr : it->second.c_str();
  };
}

Result<std::optional<FoundPolicy>> discover(const fs::path& start, std::vector<Refusal>* refused = nullptr) {
  std::vector<Refusal> ignored;
  return discover_project_policy(start, Trust::current(), refused ? *refused : ignored);
}

// Gives `p` to nobody (uid 65534): only root can; tests needing it skip otherwise.
bool give_to_nobody(const fs::path& p) { return ::geteuid() == 0 && ::lchown(p.c_str(), 65534, 65534) == 0; }

std::string error_of(const fs::path& file, const std::string& content) {
  write_file(file, content);
  auto r = load_policy_file(file, Source::ProjectFile);
  return r ? std::string() : r.error().message;
}

TEST(LoadPolicyFile, ReadsToolPycacheFromPyproject) {
  TempDir t;
  write_file(t / "pyproject.toml",
             "[project]\nname = \"x\"\n\n[tool.pycache]\nwrite-bytecode = false\ncache-prefix = \"pyc\"\noptimize = 2\n"
             "check-hash-based-pycs = \"always\"\n");
  auto r = load_policy_file(t / "pyproject.toml", Source::ProjectFile);
  ASSERT_TRUE(r) << r.error().message;
  ASSERT_TRUE(*r);
  const Layer& l = **r;
  EXPECT_EQ(std::get<bool>(l.get(Key::WriteBytecode)->value), false);
  EXPECT_EQ(std::get<std::string>(l.get(Key::CachePrefix)->value), (t / "pyc").native());
  EXPECT_EQ(std::get<std::int64_t>(l.get(Key::Optimize)->value), 2);
  EXPECT_EQ(std::get<std::string>(l.get(Key::CheckHashBasedPycs)->value), "always");
  EXPECT_EQ(l.get(Key::Optimize)->origin.where, (t / "pyproject.toml").native() + ":7:12");
  EXPECT_EQ(l.get(Key::Optimize)->origin.source, Source::ProjectFile);
}

TEST(LoadPolicyFile, PrefixMaxSizeAsSizeStringOrInteger) {
  TempDir t;
  write_file(t / "pycache.toml", "prefix-max-size = \"2G\"\n");
  auto r = load_policy_file(t / "pycache.toml", Source::ProjectFile);
  ASSERT_TRUE(r && *r) << (r ? "" : r.error().message);
  EXPECT_EQ(std::get<std::int64_t>((**r).get(Key::PrefixMaxSize)->value), 2'000'000'000);
  write_file(t / "pycache.toml", "prefix-max-size = 1000\n");
  r = load_policy_file(t / "pycache.toml", Source::ProjectFile);
  ASSERT_TRUE(r && *r);
  EXPECT_EQ(std::get<std::int64_t>((**r).get(Key::PrefixMaxSize)->value), 1000);
  const std::string p = (t / "pycache.toml").native();
  EXPECT_EQ(error_of(p, "prefix-max-size = \"big\"\n").rfind(p + ":1:19: 'prefix-max-size' must be a size", 0), 0u)
      << error_of(p, "prefix-max-size = \"big\"\n");
}

TEST(LoadPolicyFile, PyprojectWithoutTheTableHasNoLayer) {
  TempDir t;
  write_file(t / "pyproject.toml", "[project]\nname = \"x\"\n[tool.black]\nline-length = 88\n");
  auto r = load_policy_file(t / "pyproject.toml", Source::ProjectFile);
  ASSERT_TRUE(r);
  EXPECT_FALSE(*r);
}

TEST(LoadPolicyFile, PycacheTomlKeysAreTopLevel) {
  TempDir t;
  write_file(t / "pycache.toml", "optimize = 1\n");
  auto r = load_policy_file(t / "pycache.toml", Source::ProjectFile);
  ASSERT_TRUE(r && *r);
  EXPECT_EQ(std::get<std::int64_t>((**r).get(Key::Optimize)->value), 1);
}

TEST(LoadPolicyFile, EveryKindOfBadFileIsOneLineWithFileLineColumn) {
  TempDir t;
  const std::string f = (t / "pyproject.toml").native();
  const std::string p = (t / "pycache.toml").native();
  struct Case {
    std::string file, content, expected;
  } cases[] = {
      {f, "[tool.pycache]\noptimize = [\n", f + ":2:"},
      {f, "[tool.pycache]\nwrite_bytecode = false\n",
       f + ":2:1: unknown key 'write_bytecode' in [tool.pycache]; did you mean 'write-bytecode'?"},
      {f, "[tool.pycache]\nwrite-bytecode = \"no\"\n",
       f + ":2:18: 'write-bytecode' must be true or false, not a string"},
      {f, "[tool.pycache]\noptimize = 3\n", f + ":2:12: 'optimize' must be 0, 1 or 2, not 3"},
      {f, "[tool.pycache]\noptimize = 1.0\n", f + ":2:12: 'optimize' must be 0, 1 or 2, not a float"},
      {f, "[tool.pycache]\ncheck-hash-based-pycs = \"sometimes\"\n",
       f + ":2:25: 'check-hash-based-pycs' must be \"default\", \"always\" or \"never\", not \"sometimes\""},
      {f, "[tool]\npycache = 3\n", f + ":2:11: 'tool.pycache' must be a table"},
      {p, "[tool.pycache]\noptimize = 1\n",
       p + ":1:2: unknown key 'tool' in the policy file (a pycache.toml holds the keys at top level"},
      {p, "optimise = 1\n", p + ":1:1: unknown key 'optimise' in the policy file; did you mean 'optimize'?"},
  };
  for (const auto& c : cases) {
    std::string msg = error_of(c.file, c.content);
    EXPECT_EQ(msg.rfind(c.expected, 0), 0u) << "content:\n" << c.content << "message: " << msg;
    EXPECT_EQ(msg.find('\n'), std::string::npos) << msg;
  }
}

// TOML allows no raw control character but tab, LF and CR (in CRLF)
// anywhere. A Debug build used to abort in toml++'s assertion on "[\001..." or
// "[(...": it parses as a release build does now.
TEST(LoadPolicyFile, AControlCharacterAnywhereIsAnErrorAtItsPosition) {
  TempDir t;
  const std::string f = (t / "pyproject.toml").native();
  struct Case {
    std::string content, expected;
  } cases[] = {
      {"[project]\nname = \"x\"\n\n[\001ool.pycache]\n",
       f + ":4:2: invalid TOML: control character U+0001 is not allowed"},
      {"[tool.pycache] # \x7f\noptimize = 1\n", f + ":1:18: invalid TOML: control character U+007F is not allowed"},
      {"[tool.pycache]\ncache-prefix = \"\xc3\xa9\x1b[31m\"\n",
       f + ":2:18: invalid TOML: control character U+001B is not allowed"},
  };
  for (const auto& c : cases) {
    std::string msg = error_of(f, c.content);
    EXPECT_EQ(msg, c.expected) << "content: " << c.content;
  }
  // A table header that starts with no key character is toml++'s own error, in every build type.
  EXPECT_EQ(error_of(f, "[(tool.pycache]\n").rfind(f + ":1:2: invalid TOML: ", 0), 0u)
      << error_of(f, "[(tool.pycache]\n");
  // Tabs, CRLF line ends and non-ASCII text are TOML.
  EXPECT_EQ(error_of(f, "[tool.pycache]\r\n\toptimize = 1 # caf\xc3\xa9\r\n"), "");
}

// A non-ASCII character outside a string or comment is an error at its
// position. toml++ 3.3 classified most of U+00A1..U+0499 by reaching an
// unreachable point there (undefined behaviour: UBSan stops at "é = 1").
TEST(LoadPolicyFile, ANonAsciiCharacterOutsideAStringIsAnErrorAtItsPosition) {
  TempDir t;
  const std::string f = (t / "pyproject.toml").native();
  struct Case {
    std::string content, where;
  } cases[] = {
      {"[tool.pycache]\n\xc3\xa9 = 1\n", ":2:1: invalid TOML: "},
      {"[tool.pycache]\noptimize = 1 \xc2\xa7\n", ":2:14: invalid TOML: "},
      {"[tool.\xc4\x80]  # pycache\n", ":1:7: invalid TOML: "},
      {"[tool.pycache]\nexclude = [\"a\", \xd0\x96]\n", ":2:17: invalid TOML: "},
      {"\xcc\xaa # pycache", ":1:1: invalid TOML: "},
  };
  for (const auto& c : cases) {
    std::string msg = error_of(f, c.content);
    EXPECT_EQ(msg.rfind(f + c.where, 0), 0u) << "content: " << c.content << "\nmessage: " << msg;
  }
  // In a multi-line string after a line-ending backslash, it is the string's text.
  EXPECT_EQ(error_of(f, "[tool.pycache]\ncache-prefix = \"\"\"\\\n\xc2\xa7\"\"\"\n"), "");
}

TEST(LoadPolicyFile, UnreadableFileIsAnError) {
  TempDir t;
  auto r = load_policy_file(t / "missing.toml", Source::ProjectFile);
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().message.find("cannot read policy file"), std::string::npos);
}

TEST(Discovery, NearestPolicyWins) {
  TempDir t;
  write_file(t / "pyproject.toml", "[tool.pycache]\noptimize = 1\n");
  write_file(t / "a/pyproject.toml", "[tool.pycache]\noptimize = 2\n");
  fs::create_directories(t / "a/b/c");
  auto r = discover(t / "a/b/c");
  ASSERT_TRUE(r && *r);
  EXPECT_EQ((*r)->file, t / "a/pyproject.toml");
  EXPECT_EQ(std::get<std::int64_t>((*r)->layer.get(Key::Optimize)->value), 2);
}

TEST(Discovery, PycacheTomlBeatsPyprojectInTheSameDirectory) {
  TempDir t;
  write_file(t / "pyproject.toml", "[tool.pycache]\noptimize = 1\n");
  write_file(t / "pycache.toml", "optimize = 2\n");
  auto r = discover(t.path());
  ASSERT_TRUE(r && *r);
  EXPECT_EQ((*r)->file, t / "pycache.toml");
}

TEST(Discovery, PyprojectWithoutTableDoesNotStopTheWalk) {
  TempDir t;
  write_file(t / "pyproject.toml", "[tool.pycache]\noptimize = 1\n");
  write_file(t / "sub/pyproject.toml", "[project]\nname = \"sub\"\n");
  write_file(t / "sub/other/pyproject.toml", "[tool.ruff]\nline-length = 100  # pycache is not here\n");
  auto r = discover(t / "sub/other");
  ASSERT_TRUE(r && *r);
  EXPECT_EQ((*r)->file, t / "pyproject.toml");
}

TEST(Discovery, NothingFoundIsNotAnError) {
  TempDir t;
  fs::create_directories(t / "x");
  auto r = discover(t / "x");
  ASSERT_TRUE(r);
  // Nothing above the temp dir should define a policy on a test machine; if
  // one does, it must at least be outside the temp dir.
  if (*r) {
    EXPECT_EQ((*r)->file.native().rfind(t.path().native(), 0), std::string::npos);
  }
}

TEST(Discovery, ABadFileOnTheWayIsAnError) {
  TempDir t;
  write_file(t / "pyproject.toml", "[tool.pycache]\noptimize = 1\n");
  write_file(t / "sub/pyproject.toml", "[tool.pycache\n");
  auto r = discover(t / "sub");
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().message.find((t / "sub/pyproject.toml").native() + ":1:"), std::string::npos);
}

TEST(UserAndSystemFiles, FollowXdgAndHome) {
  EXPECT_EQ(user_policy_path(fake_env({{"XDG_CONFIG_HOME", "/xdg"}, {"HOME", "/h"}})), "/xdg/pycache/config.toml");
  EXPECT_EQ(user_policy_path(fake_env({{"HOME", "/h"}})), "/h/.config/pycache/config.toml");
  EXPECT_EQ(user_policy_path(fake_env({{"XDG_CONFIG_HOME", "relative"}, {"HOME", "/h"}})),
            "/h/.config/pycache/config.toml");
  EXPECT_EQ(system_policy_path(fake_env({})), "/etc/pycache.toml");
  EXPECT_EQ(system_policy_path(fake_env({{"PYCACHE_SYSTEM_CONFIG", "/x.toml"}})), "/x.toml");
}

TEST(EnvironmentLayer, ReadsVariablesAsCPythonDoes) {
  auto l = environment_layer(
      fake_env({{"PYTHONDONTWRITEBYTECODE", "1"}, {"PYTHONOPTIMIZE", "2"}, {"PYTHONPYCACHEPREFIX", "rel/pfx"}}),
      "/cwd");
  EXPECT_EQ(std::get<bool>(l.get(Key::WriteBytecode)->value), false);
  EXPECT_EQ(l.get(Key::WriteBytecode)->origin.describe(), "environment PYTHONDONTWRITEBYTECODE");
  EXPECT_EQ(std::get<std::int64_t>(l.get(Key::Optimize)->value), 2);
  EXPECT_EQ(std::get<std::string>(l.get(Key::CachePrefix)->value), "/cwd/rel/pfx");
}

TEST(EnvironmentLayer, EmptyZeroAndGarbageValues) {
  // Empty means unset; "0" is a zero flag; text counts as 1 (_Py_get_env_flag).
  EXPECT_TRUE(environment_layer(fake_env({{"PYTHONDONTWRITEBYTECODE", ""}, {"PYTHONPYCACHEPREFIX", ""}}), "/").empty());
  EXPECT_TRUE(environment_layer(fake_env({{"PYTHONDONTWRITEBYTECODE", "0"}, {"PYTHONOPTIMIZE", "0"}}), "/").empty());
  auto l = environment_layer(fake_env({{"PYTHONDONTWRITEBYTECODE", "yes"}, {"PYTHONOPTIMIZE", "7"}}), "/");
  EXPECT_EQ(std::get<bool>(l.get(Key::WriteBytecode)->value), false);
  EXPECT_EQ(std::get<std::int64_t>(l.get(Key::Optimize)->value), 2);
}

TEST(Trust, OnlyTheUsersOwnDirectoryInAPrefixEveryoneCanWrite) {
  TempDir t;
  const Trust me = Trust::current();
  const std::string own = private_prefix_name(me.uid);
  EXPECT_EQ(own, "pycache-" + std::to_string(::geteuid()));
  for (const unsigned mode : {01777u, 0777u}) {
    fs::remove_all(t / "tmpfs");
    fs::create_directories(t / "tmpfs");
    ::chmod((t / "tmpfs").c_str(), mode);
    EXPECT_TRUE(shared_directory(t / "tmpfs"));
    EXPECT_TRUE(distrust_directory(me, t / "tmpfs", Exclusive::Yes));
    EXPECT_FALSE(make_private_directory(me, t / "tmpfs", own));
    struct stat st {};
    ASSERT_EQ(::lstat((t / "tmpfs" / own).c_str(), &st), 0);
    EXPECT_EQ(st.st_mode & 07777, 0700u);
    EXPECT_FALSE(shared_directory(t / "tmpfs" / own));
    EXPECT_FALSE(distrust_directory(me, t / "tmpfs" / own, Exclusive::Yes));
    EXPECT_FALSE(make_private_directory(me, t / "tmpfs", own)) << "made already: checked again";
    // Another name in it is not the user's own: the shared directory is refused on the way.
    fs::create_directories(t / "tmpfs/other");
    EXPECT_EQ(distrust_directory(me, t / "tmpfs/other", Exclusive::Yes).has_value(), mode == 0777u);
    // A link where the directory should be is never followed.
    fs::remove_all(t / "tmpfs" / own);
    fs::create_symlink(t / "tmpfs/other", t / "tmpfs" / own);
    auto link = make_private_directory(me, t / "tmpfs", own);
    ASSERT_TRUE(link);
    EXPECT_EQ(*link, "'" + (t / "tmpfs" / own).native() + "' is not a directory");
    fs::remove(t / "tmpfs" / own);
    fs::create_directories(t / "tmpfs" / own);
    ::chmod((t / "tmpfs" / own).c_str(), 0777);
    auto open = make_private_directory(me, t / "tmpfs", own);
    ASSERT_TRUE(open);
    EXPECT_EQ(*open, "'" + (t / "tmpfs" / own).native() + "' is writable by others");
  }
  fs::create_directories(t / "mine");
  EXPECT_FALSE(shared_directory(t / "mine"));
  EXPECT_FALSE(shared_directory(t / "absent"));
}

}  // namespace
}  // namespace pycache

namespace pycache {
namespace {

TEST(Inheritance, RoundTripsEveryValueWithItsOrigin) {
  Layer l;
  l.set(Key::WriteBytecode, false, {Source::ProjectFile, "/p/pyproject.toml:3:18"});
  l.set(Key::CachePrefix, std::string("/pfx with space"), {Source::CommandLine, "--cache-prefix"});
  l.set(Key::Optimize, std::int64_t{2}, {Source::Environment, "PYTHONOPTIMIZE"});
  l.set(Key::Init, std::string("always"), {Source::CommandLine, "--init"});
  Layer layers[] = {l};
  Policy p = Policy::resolve(layers);
  p.project_file = "/p/pyproject.toml";
  auto back = decode_inherited(encode_inherited(p));
  ASSERT_TRUE(back) << back.error().message;
  EXPECT_EQ(back->policy_file, "/p/pyproject.toml");
  EXPECT_EQ(std::get<bool>(back->layer.get(Key::WriteBytecode)->value), false);
  EXPECT_EQ(std::get<std::string>(back->layer.get(Key::CachePrefix)->value), "/pfx with space");
  EXPECT_EQ(std::get<std::int64_t>(back->layer.get(Key::Optimize)->value), 2);
  EXPECT_EQ(back->layer.get(Key::Optimize)->origin.describe(), "parent process (environment PYTHONOPTIMIZE)");
  EXPECT_EQ(back->layer.get(Key::WriteBytecode)->origin.describe(), "parent process (/p/pyproject.toml:3:18)");
  EXPECT_FALSE(back->layer.get(Key::Init)) << "the init is not inherited";
  // A grandchild keeps the first origin, not "parent process (parent process (...))".
  Layer again[] = {back->layer};
  Policy child = Policy::resolve(again);
  auto grand = decode_inherited(encode_inherited(child));
  ASSERT_TRUE(grand);
  EXPECT_EQ(grand->layer.get(Key::Optimize)->origin.describe(), "parent process (environment PYTHONOPTIMIZE)");
}

TEST(Inheritance, WhatAFileNamedIsCheckedAgainByEveryDescendant) {
  Layer l;
  l.set(Key::Venv, std::string("/p/.venv"), {Source::ProjectFile, "/p/pycache.toml:1:8"});
  l.set(Key::CachePrefix, std::string("/pfx"), {Source::CommandLine, "--cache-prefix"});
  Layer layers[] = {l};
  auto child = decode_inherited(encode_inherited(Policy::resolve(layers)));
  ASSERT_TRUE(child) << child.error().message;
  EXPECT_TRUE(child->layer.get(Key::Venv)->origin.named_by_file());
  EXPECT_FALSE(child->layer.get(Key::CachePrefix)->origin.named_by_file()) << "the user's own choice";
  Layer again[] = {child->layer};
  auto grand = decode_inherited(encode_inherited(Policy::resolve(again)));
  ASSERT_TRUE(grand);
  EXPECT_TRUE(grand->layer.get(Key::Venv)->origin.named_by_file()) << "and the grandchild again";
  // What safe-directories lists is trusted on purpose: no second look.
  l.set(Key::SafeDirectories, std::vector<std::string>{"/p"}, {Source::UserFile, "/u/config.toml:1:1"});
  Layer listed[] = {l};
  auto trusted = decode_inherited(encode_inherited(Policy::resolve(listed)));
  ASSERT_TRUE(trusted);
  EXPECT_FALSE(trusted->layer.get(Key::Venv)->origin.named_by_file());
}

// PYCACHE_POLICY as a parent would write it: the tag, then key, value, origin per record.
std::string inherited_text(std::initializer_list<std::string_view> fields, std::string_view tag = "policy/2") {
  wire::Writer w(tag);
  for (auto f : fields) w.field(f);
  return w.take();
}

TEST(Inheritance, MalformedValuesAreRefused) {
  ASSERT_TRUE(decode_inherited(inherited_text({"optimize", "1", "x"})));
  EXPECT_FALSE(decode_inherited(""));
  EXPECT_FALSE(decode_inherited("garbage"));
  EXPECT_FALSE(decode_inherited(inherited_text({"optimize", "1", "x"}, "policy/1"))) << "another version";
  EXPECT_FALSE(decode_inherited(inherited_text({}))) << "no values";
  EXPECT_FALSE(decode_inherited(inherited_text({"optimize", "7", "x"})));
  EXPECT_FALSE(decode_inherited(inherited_text({"write-bytecode", "yes", "x"})));
  EXPECT_FALSE(decode_inherited(inherited_text({"optimize"}))) << "a record cut short";
  EXPECT_FALSE(decode_inherited(inherited_text({"optimize", "1"}))) << "a record cut short";
  const std::string good = inherited_text({"optimize", "1", "x"});
  EXPECT_FALSE(decode_inherited(good.substr(0, good.size() - 1))) << "truncated";
  EXPECT_FALSE(decode_inherited(good + "9:x")) << "an overlong length";
  auto future = decode_inherited(inherited_text({"future-key", "1", "x", "optimize", "1", "y"}));
  ASSERT_TRUE(future) << "unknown keys from a newer parent are skipped";
  EXPECT_EQ(std::get<std::int64_t>(future->layer.get(Key::Optimize)->value), 1);
}

}  // namespace
}  // namespace pycache

namespace pycache {
namespace {

TEST(LoadPolicyFile, OnlyRegularFilesAreReadAndNeverMoreThanAMebibyte) {
  TempDir t;
  fs::create_directories(t / "dir.toml");
  ASSERT_EQ(::mkfifo((t / "fifo.toml").c_str(), 0644), 0);
  fs::create_symlink("/dev/zero", t / "zero.toml");
  write_file(t / "huge.toml", "# " + std::string(kConfigFileLimit, 'x') + "\n");
  for (const char* name : {"dir.toml", "fifo.toml", "zero.toml", "huge.toml"}) {
    auto r = load_policy_file(t / name, Source::ProjectFile);  // a FIFO must not block here
    ASSERT_FALSE(r) << name;
    EXPECT_EQ(r.error().code, kExitUsage);
    const std::string want = std::string(name) == "huge.toml" ? ": larger than 1 MiB" : ": not a regular file";
    EXPECT_EQ(r.error().message, (t / name).native() + want) << name;
  }
  // A symlink to a regular file is fine: people link shared configs.
  write_file(t / "real.toml", "optimize = 1\n");
  fs::create_symlink(t / "real.toml", t / "link.toml");
  EXPECT_TRUE(load_policy_file(t / "link.toml", Source::ProjectFile));
}

TEST(Discovery, ANonRegularPolicyFileOnTheWayIsAnErrorNotAHangOrACrash) {
  TempDir t;
  fs::create_directories(t / "a/pyproject.toml");
  fs::create_directories(t / "a/b");
  ASSERT_EQ(::mkfifo((t / "a/b/pycache.toml").c_str(), 0644), 0);
  auto fifo = discover(t / "a/b");
  ASSERT_FALSE(fifo);
  EXPECT_EQ(fifo.error().message, (t / "a/b/pycache.toml").native() + ": not a regular file");
  fs::remove(t / "a/b/pycache.toml");
  auto dir = discover(t / "a/b");
  ASSERT_FALSE(dir);
  EXPECT_EQ(dir.error().message, (t / "a/pyproject.toml").native() + ": not a regular file");
}

TEST(ConfigFile, ReadsTheWholeFileAndItsOwner) {
  TempDir t;
  write_file(t / "f", "abc");
  ConfigFile f = read_config_file(t / "f");
  ASSERT_TRUE(f.ok());
  EXPECT_EQ(f.text, "abc");
  EXPECT_EQ(f.owner, ::geteuid());
  EXPECT_EQ(read_config_file(t / "absent").status, ConfigFile::Status::Absent);
  EXPECT_EQ(read_config_file(t / "f/below").status, ConfigFile::Status::Absent);
  write_file(t / "limit", std::string(kConfigFileLimit, 'y'));
  EXPECT_TRUE(read_config_file(t / "limit").ok()) << "exactly the limit is allowed";
}

TEST(Trust, SafeDirectoriesIsAUserOnlyKey) {
  TempDir t;
  auto project = error_of(t / "pycache.toml", "safe-directories = [\"/srv\"]\n");
  EXPECT_EQ(project, (t / "pycache.toml").native() +
                         ":1:1: 'safe-directories' is read only from the user or system file (a project may not "
                         "decide whom to trust)");
  write_file(t / "config.toml", "safe-directories = [\"/srv/shared\", \"*\", \"~/x\"]\n");
  auto user = load_policy_file(t / "config.toml", Source::UserFile);
  ASSERT_TRUE(user && *user) << (user ? "" : user.error().message);
  auto list = std::get<std::vector<std::string>>((*user)->get(Key::SafeDirectories)->value);
  ASSERT_EQ(list.size(), 3u);
  EXPECT_EQ(list[0], "/srv/shared");
  EXPECT_EQ(list[1], "*");
  EXPECT_EQ(list[2][0], '/');
  write_file(t / "bad.toml", "safe-directories = [1]\n");
  auto bad = load_policy_file(t / "bad.toml", Source::UserFile);
  ASSERT_FALSE(bad);
  EXPECT_NE(bad.error().message.find("'safe-directories' must be a list of directory paths"), std::string::npos)
      << bad.error().message;
}

TEST(Trust, APolicyFileOfAnotherUserIsRefusedAndTheWalkGoesOn) {
  TempDir t;
  write_file(t / "pyproject.toml", "[tool.pycache]\noptimize = 1\n");
  write_file(t / "shared/pycache.toml", "optimize = 2\n");
  write_file(t / "shared/pyproject.toml", "[tool.pycache\n");  // broken: must not stop anything either
  fs::create_directories(t / "shared/proj");
  if (!give_to_nobody(t / "shared/pycache.toml") || !give_to_nobody(t / "shared/pyproject.toml"))
    GTEST_SKIP() << "needs root to give a file to nobody";
  std::vector<Refusal> refused;
  auto r = discover(t / "shared/proj", &refused);
  ASSERT_TRUE(r && *r) << (r ? "none found" : r.error().message);
  EXPECT_EQ((*r)->file, t / "pyproject.toml");
  ASSERT_EQ(refused.size(), 2u);
  EXPECT_EQ(refused[0].file, t / "shared/pycache.toml");
  EXPECT_EQ(refused[0].why, "it is owned by nobody (uid 65534), not by you or root");

  // Listed in safe-directories: honoured, whoever owns it.
  refused.clear();
  std::vector<Refusal> none;
  auto trusted = discover_project_policy(t / "shared/proj", Trust{::geteuid(), {(t / "shared").native()}}, none);
  ASSERT_TRUE(trusted && *trusted);
  EXPECT_EQ((*trusted)->file, t / "shared/pycache.toml");
  EXPECT_TRUE(none.empty());
}

TEST(Trust, AFileInADirectoryOfAnotherUserIsRefused) {
  TempDir t;
  write_file(t / "d/pycache.toml", "optimize = 2\n");
  if (!give_to_nobody(t / "d")) GTEST_SKIP() << "needs root to give a directory to nobody";
  auto why = distrust_file(Trust::current(), t / "d/pycache.toml");
  ASSERT_TRUE(why);
  EXPECT_EQ(*why, "the directory holding it ('" + (t / "d").native() +
                      "') is owned by nobody (uid 65534), not by you or root");
  write_file(t / "pycache.toml", "optimize = 2\n");
  EXPECT_FALSE(distrust_file(Trust::current(), t / "pycache.toml")) << "our own files are trusted";
}

TEST(Trust, TheirPyprojectIsNoProjectAndNamedOnlyWhenItWouldHaveBeenOne) {
  TempDir t;
  write_file(t / "pyproject.toml", "[project]\nname = \"ours\"\n");
  write_file(t / "shared/pyproject.toml", "[project]\nname = \"theirs\"\n");
  fs::create_directories(t / "shared/proj");
  if (!give_to_nobody(t / "shared/pyproject.toml")) GTEST_SKIP() << "needs root to give a file to nobody";
  std::vector<Refusal> refused;
  fs::path project;
  auto r = discover_project_policy(t / "shared/proj", Trust::current(), refused, &project);
  ASSERT_TRUE(r && !*r);
  EXPECT_EQ(project, t.path()) << "the search went on to ours";
  ASSERT_EQ(refused.size(), 1u);
  EXPECT_EQ(refused[0].file, t / "shared/pyproject.toml");
  EXPECT_EQ(refused[0].what, "the project file");

  // A policy above makes its directory the project: theirs would not have been.
  write_file(t / "pycache.toml", "optimize = 1\n");
  refused.clear();
  project.clear();
  r = discover_project_policy(t / "shared/proj", Trust::current(), refused, &project);
  ASSERT_TRUE(r && *r);
  EXPECT_TRUE(refused.empty()) << refused[0].file;
  // Without asking for the project, nothing to say either.
  fs::remove(t / "pycache.toml");
  r = discover_project_policy(t / "shared/proj", Trust::current(), refused);
  EXPECT_TRUE(refused.empty());
}

TEST(ProjectPython, ReadsDotPythonVersionAndRequiresPythonThroughTheGuardedReader) {
  TempDir t;
  write_file(t / ".python-version", "3.12\n");
  write_file(t / "pyproject.toml", "[project]\nrequires-python = \">=3.11\"\n");
  std::vector<Refusal> refused;
  auto p = read_project_python(t.path(), Trust::current(), refused);
  ASSERT_TRUE(p) << p.error().message;
  EXPECT_EQ(p->version_file, t / ".python-version");
  EXPECT_EQ(p->version_text, "3.12\n");
  ASSERT_TRUE(p->requires_python);
  EXPECT_EQ(p->requires_python->specifier, ">=3.11");
  EXPECT_EQ(p->requires_python->where, (t / "pyproject.toml").native() + ":2:19");
  // toml++ recursed once per part of this header: 200,000 overflowed the stack.
  std::string deep = "[a";
  for (int i = 0; i < 200000; ++i) deep += ".a";
  write_file(t / "pyproject.toml", "[project]\nrequires-python = \">=3.11\"\n" + deep + "]\n");
  auto broken = read_project_python(t.path(), Trust::current(), refused);
  ASSERT_FALSE(broken);
  EXPECT_EQ(broken.error().message, (t / "pyproject.toml").native() +
                                        ":3:65: invalid TOML: a key of more than 32 dotted parts (pycache reads "
                                        "none deeper)");
  EXPECT_TRUE(refused.empty());
}

// requires-python is read as PEP 440 reads it; a value that is not a
// specifier set is one usage error at its FILE:LINE:COL, never a Python asked for.
TEST(ProjectPython, RequiresPythonIsAPep440SpecifierSetOrAnErrorAtItsPosition) {
  TempDir t;
  std::vector<Refusal> refused;
  for (const char* ok : {">=3.10.0a1", "~=3.12", "==3.12.*", "!=3.13.0", " >= 3.10 , < 4 ", ">=3.10, <4"}) {
    write_file(t / "pyproject.toml", std::string("[project]\nrequires-python = \"") + ok + "\"\n");
    auto p = read_project_python(t.path(), Trust::current(), refused);
    ASSERT_TRUE(p) << ok << ": " << p.error().message;
    ASSERT_TRUE(p->requires_python) << ok;
    EXPECT_EQ(p->requires_python->specifier, ok);
  }
  const std::string file = (t / "pyproject.toml").native();
  struct Bad {
    std::string value;  // as written in the TOML
    std::string message;
  };
  const Bad bad[] = {
      {"\"3.11\"", file + ":2:19: requires-python \"3.11\": '3.11' has no operator (as \">=3.11\" or \"==3.11.*\")"},
      {"\">=3.x\"", file + ":2:19: requires-python \">=3.x\": '>=3.x' is not a PEP 440 version specifier"},
      {"\"\"", file + ":2:19: requires-python \"\": empty (a specifier set, as \">=3.11\")"},
      {"3.11", file + ":2:19: requires-python: a float, not a string (as \">=3.11\")"},
      {"[\">=3.11\"]", file + ":2:19: requires-python: an array, not a string (as \">=3.11\")"},
  };
  for (const auto& b : bad) {
    write_file(t / "pyproject.toml", "[project]\nrequires-python = " + b.value + "\n");
    auto p = read_project_python(t.path(), Trust::current(), refused);
    ASSERT_FALSE(p) << b.value;
    EXPECT_EQ(p.error().code, kExitUsage) << b.value;
    EXPECT_EQ(p.error().message, b.message);
  }
  EXPECT_TRUE(refused.empty());
}

TEST(ProjectPython, TheirFilesAreRefusedAndSkipped) {
  TempDir t;
  write_file(t / ".python-version", "3.99\n");
  write_file(t / "pyproject.toml", "[project]\nrequires-python = \">=3.99\"\n");
  if (!give_to_nobody(t / ".python-version") || !give_to_nobody(t / "pyproject.toml"))
    GTEST_SKIP() << "needs root to give a file to nobody";
  std::vector<Refusal> refused;
  auto p = read_project_python(t.path(), Trust::current(), refused);
  ASSERT_TRUE(p) << p.error().message;
  EXPECT_TRUE(p->version_file.empty());
  EXPECT_FALSE(p->requires_python);
  ASSERT_EQ(refused.size(), 2u);
  EXPECT_EQ(refused[0].what, "the .python-version file");
  EXPECT_EQ(refused[1].what, "the project file");
  EXPECT_EQ(refused[1].why, "it is owned by nobody (uid 65534), not by you or root");
}

TEST(Trust, DirectoriesOnTheWayAreCheckedLinksIncluded) {
  TempDir t;
  const Trust me = Trust::current();
  fs::create_directories(t / "mine/venv");
  EXPECT_FALSE(distrust_directory(me, t / "mine/venv", Exclusive::No));
  EXPECT_FALSE(distrust_directory(me, t / "mine/not-yet/created", Exclusive::Yes)) << "nothing there to distrust";
  fs::create_directories(t / "open");
  ::chmod((t / "open").c_str(), 0777);
  auto open = distrust_directory(me, t / "open/x", Exclusive::No);
  ASSERT_TRUE(open);
  EXPECT_EQ(*open, "'" + (t / "open").native() + "' is writable by everyone");
  ::chmod((t / "open").c_str(), 01777);
  fs::create_directories(t / "open/x");
  EXPECT_FALSE(distrust_directory(me, t / "open/x", Exclusive::No)) << "sticky, as /tmp";
  auto prefix = distrust_directory(me, t / "open", Exclusive::Yes);
  ASSERT_TRUE(prefix) << "anyone may create mirror directories in a sticky prefix";
  EXPECT_NE(prefix->find("a cache prefix must not be"), std::string::npos);
  EXPECT_FALSE(distrust_directory(Trust{me.uid, {(t / "open").native()}}, t / "open", Exclusive::Yes)) << "listed";
  fs::remove(t / "open/x");
  auto later = distrust_directory(me, t / "open/x/venv", Exclusive::No);
  ASSERT_TRUE(later) << "not there yet, and anyone may make it first";
  EXPECT_EQ(*later, "'" + (t / "open/x/venv").native() + "' does not exist, and anyone can make it first: '" +
                        (t / "open").native() + "' is writable by everyone");

  if (!give_to_nobody(t / "mine")) GTEST_SKIP() << "needs root to give a directory to nobody";
  auto theirs = distrust_directory(me, t / "mine/venv", Exclusive::No);
  ASSERT_TRUE(theirs);
  EXPECT_EQ(*theirs, "'" + (t / "mine").native() + "' is owned by nobody (uid 65534), not by you or root");
  // A link of theirs to a directory of ours: they could point it elsewhere.
  fs::create_directories(t / "ours");
  fs::create_symlink(t / "ours", t / "link");
  ASSERT_TRUE(give_to_nobody(t / "link"));
  auto link = distrust_directory(me, t / "link", Exclusive::No);
  ASSERT_TRUE(link);
  EXPECT_EQ(link->rfind("the symbolic link '", 0), 0u) << *link;
  // A link of ours into their directory: followed, and their directory refused.
  fs::create_symlink(t / "mine/venv", t / "ours/to-theirs");
  EXPECT_TRUE(distrust_directory(me, t / "ours/to-theirs", Exclusive::No));
}

}  // namespace
}  // namespace pycache

namespace pycache {
namespace {

// A fuzz-style pass over the TOML reader: truncations at every byte, seeded
// byte flips, binary noise, deep nesting, huge values. Each input ends as a
// layer, nothing, or one "FILE:LINE:COL: ..." error; never a crash, a hang,
// or an exception.
TEST(PolicyFuzz, TruncatedBinaryHugeAndDeepInputsNeverCrash) {
  const fs::path file = "/p/pyproject.toml";
  const fs::path plain = "/p/pycache.toml";
  const std::vector<std::string> seeds = {
      "[project]\nname = \"x\"\n\n[tool.pycache]\nwrite-bytecode = false\ncache-prefix = \".pyc\"\noptimize = 2\n"
      "check-hash-based-pycs = \"always\"\nprefix-max-size = \"2G\"\n",
      "[tool.pycache]\nvenv = \"none\"  # comment\nread-only = \"skip\"\ninit = \"always\"\n",
      "tool.pycache.optimize = 1\ntool.pycache.propagate = 'none'\n",
  };
  std::size_t inputs = 0, errors = 0;
  auto feed = [&](const std::string& text) {
    for (const fs::path& f : {file, plain}) {
      ++inputs;
      auto r = parse_policy_text(f, text, Source::ProjectFile);
      if (!r) {
        ++errors;
        EXPECT_EQ(r.error().code, kExitUsage);
        EXPECT_EQ(r.error().message.rfind(f.native() + ":", 0), 0u) << r.error().message;
        EXPECT_EQ(r.error().message.find('\n'), std::string::npos) << "one line: " << r.error().message;
      }
    }
  };
  for (const auto& seed : seeds) {
    for (std::size_t n = 0; n <= seed.size(); ++n) feed(seed.substr(0, n));
    std::uint32_t x = 2463534242u;  // xorshift: the same inputs on every run
    for (int round = 0; round < 3000; ++round) {
      std::string m = seed;
      for (int k = 0; k < 1 + round % 4; ++k) {
        x ^= x << 13;
        x ^= x >> 17;
        x ^= x << 5;
        m[x % m.size()] = static_cast<char>(x >> 24);
      }
      feed(m);
    }
  }
  std::string noise;
  std::uint32_t y = 88172645u;
  for (int i = 0; i < 65536; ++i) {
    y ^= y << 13;
    y ^= y >> 17;
    y ^= y << 5;
    noise += static_cast<char>(y);
  }
  feed(noise);
  feed("[tool.pycache]\n" + noise);
  feed(std::string(1000, '\0'));
  feed("[tool.pycache]\noptimize = " + std::string(200000, '9') + "\n");
  feed("[tool.pycache]\ncache-prefix = \"" + std::string(kConfigFileLimit - 64, 'a') + "\"\n");
  feed("[tool.pycache]\ncache-prefix = \"a\\u0000b\"\n");
  feed("[tool.pycache]\ncache-prefix = \"\xff\xfe\"\n");
  feed("a = " + std::string(100000, '[') + "\n");
  feed("a = " + std::string(100000, '{') + "\n");
  std::string dotted = "[";
  for (int i = 0; i < 500000; ++i) dotted += "a.";
  feed(dotted + "pycache]\n");  // 1 MB: overflowed toml++'s stack from ~100000 parts
  // The deepest a policy file may nest (toml_text.hpp): a header of the most
  // parts, then inline tables as deep as allowed, each under a key of the most parts.
  std::string key = "a";
  for (std::size_t i = 1; i < kMaxKeyParts; ++i) key += ".a";
  std::string deepest = "[" + key + "]\n" + key + " = ";
  for (std::size_t i = 1; i < kMaxNesting; ++i) deepest += "{" + key + " = ";
  deepest += "{ pycache = 1 " + std::string(kMaxNesting, '}') + "\n";
  feed(deepest);
  auto read = parse_policy_text(file, deepest, Source::ProjectFile);
  EXPECT_TRUE(read) << "within the limits: read, " << (read ? "" : read.error().message);
  std::string many = "[tool.pycache]\n";
  for (int i = 0; i < 20000; ++i) many += "k" + std::to_string(i) + " = " + std::to_string(i) + "\n";
  feed(many);
  EXPECT_GT(inputs, 18000u);
  EXPECT_GT(errors, inputs / 4) << "the mutations should mostly be caught";
}

}  // namespace
}  // namespace pycache
