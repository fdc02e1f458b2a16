// examples/container/Dockerfile, outside Docker (no engine runs here): its own
// steps, read from the file, with the image's paths mapped into a temp dir.
// The install (`cmake --install /build --prefix /opt/pycache --strip`, this
// build), the copies, every RUN of the image (the compile lines), then its
// ENTRYPOINT as USER, read-only, as PID 1. A step broken in the Dockerfile
// fails here.
#include <gtest/gtest.h>
#include <unistd.h>

#include <regex>

#include "process.hpp"
#include "temp_dir.hpp"

namespace pycache::test {
namespace {

struct Step {
  std::string stage;  // "build" or "image"
  std::string instruction;
  std::string args;
};

// The Dockerfile's instructions, continuation lines joined, comments dropped.
std::vector<Step> read_dockerfile(const fs::path& file) {
  std::vector<Step> steps;
  std::string text = read_file(file), logical, stage;
  std::size_t at = 0;
  while (at <= text.size()) {
    auto nl = text.find('\n', at);
    std::string line = text.substr(at, nl == std::string::npos ? std::string::npos : nl - at);
    at = nl == std::string::npos ? text.size() + 1 : nl + 1;
    if (line.starts_with("#")) continue;
    if (!line.empty() && line.back() == '\\') {
      logical += line.substr(0, line.size() - 1) + " ";
      continue;
    }
    logical += line;
    std::smatch m;
    if (std::regex_match(logical, m, std::regex(R"(\s*([A-Z]+)\s+(.*\S)\s*)"))) {
      if (m[1] == "FROM") stage = m[2].str().find(" AS build") != std::string::npos ? "build" : "image";
      else steps.push_back(Step{stage, m[1], std::regex_replace(m[2].str(), std::regex(R"(\s+)"), " ")});
    }
    logical.clear();
  }
  return steps;
}

// The image's absolute paths, as they are here.
std::string map_paths(std::string s, const std::vector<std::pair<std::string, std::string>>& map) {
  for (const auto& [from, to] : map)
    s = std::regex_replace(s, std::regex("(^|[\\s=:\"])" + from + "(?=$|[\\s/\":])"), "$1" + to);
  return s;
}

TEST(Container, TheDockerfilesStepsInstallCompileAndRunAsPid1ReadOnly) {
  if (!pycache_runs_as_nobody())
    GTEST_SKIP() << "pycache-python cannot run as nobody here (needs root, setpriv, and a libpython nobody can read)";
  TempDir t;
  Env env = isolated_env(t.path());
  auto probe = run({{"/usr/bin/unshare", "--pid", "--fork", "--mount-proc", "/bin/true"}, std::nullopt, env, t.path()});
  if (probe.exit_code != 0) GTEST_SKIP() << "unshare --pid is not available here: " << probe.err;

  // The stdlib compile line writes the image's stdlib: here a copy of a part.
  const fs::path stdlib = t / "stdlib";
  fs::create_directories(stdlib);
  for (const char* m : {"json", "email"})
    fs::copy("/usr/lib/python3.11/" + std::string(m), stdlib / m, fs::copy_options::recursive);
  const std::vector<std::pair<std::string, std::string>> map = {{"/build", PYCACHE_TEST_BINARY_DIR},
                                                                {"/opt/pycache", (t / "opt/pycache").native()},
                                                                {"/srv/app", (t / "srv/app").native()},
                                                                {"/usr/lib/python3.11", stdlib.native()},
                                                                {"/src", PYCACHE_TEST_SOURCE_DIR}};

  const auto steps = read_dockerfile(fs::path(PYCACHE_TEST_SOURCE_DIR) / "examples/container/Dockerfile");
  fs::path workdir = t.path();
  std::string user;
  std::vector<std::string> entrypoint;
  int installs = 0, runs = 0;
  for (const auto& s : steps) {
    const std::string args = map_paths(s.args, map);
    if (s.instruction == "RUN" && s.stage == "build" && args.starts_with("cmake --install ")) {
      ++installs;
      auto o = run({{"/bin/sh", "-c", args}, std::nullopt, env, t.path()});
      ASSERT_EQ(o.exit_code, 0) << args << "\n" << o.out << o.err;
    } else if (s.stage != "image") {
      continue;  // the build itself is this build
    } else if (s.instruction == "ENV") {
      auto eq = args.find('=');
      std::string value = args.substr(eq + 1);
      value = std::regex_replace(value, std::regex(R"(\$PATH)"), env["PATH"]);
      env[args.substr(0, eq)] = value;
    } else if (s.instruction == "COPY" && args.starts_with("--from=build ")) {
      // /opt/pycache to /opt/pycache: the same place here.
    } else if (s.instruction == "COPY") {
      auto space = args.find(' ');
      fs::path from = fs::path(PYCACHE_TEST_SOURCE_DIR) / args.substr(0, space), to = args.substr(space + 1);
      fs::create_directories(to.parent_path());
      fs::copy(from, to, fs::copy_options::recursive);
    } else if (s.instruction == "WORKDIR") {
      workdir = args;
    } else if (s.instruction == "RUN" && args.find("apt-get") == std::string::npos) {
      ++runs;
      auto o = run({{"/bin/sh", "-c", args}, std::nullopt, env, workdir});
      ASSERT_EQ(o.exit_code, 0) << "RUN " << args << "\n" << o.out << o.err;
    } else if (s.instruction == "USER") {
      user = args;
    } else if (s.instruction == "ENTRYPOINT") {
      std::regex item(R"xx("([^"]*)")xx");
      for (auto it = std::sregex_iterator(args.begin(), args.end(), item); it != std::sregex_iterator(); ++it)
        entrypoint.push_back((*it)[1]);
    }
  }
  ASSERT_EQ(installs, 1) << "the Dockerfile installs pycache with cmake --install";
  ASSERT_EQ(runs, 1) << "the image's RUN (its compile lines)";
  ASSERT_EQ(user, "nobody");
  ASSERT_FALSE(entrypoint.empty());
  // What the install put where the image's PATH finds it: stripped, every runtime.
  EXPECT_TRUE(fs::is_symlink(t / "opt/pycache/bin/pycache"));
  const fs::path app = t / "srv/app";
  const fs::path pyc = app / "app/__pycache__" / ("work." + python_cache_tag() + ".opt-1.pyc");
  ASSERT_TRUE(fs::exists(pyc)) << "RUN pycache compile /srv/app";
  EXPECT_FALSE(find_files(stdlib / "json", ".opt-1.pyc").empty()) << "RUN pycache compile --optimize 1 <stdlib>";
  const auto compiled = find_files(app, ".pyc").size();

  // USER nobody on a read-only root: nobody can write neither the tree nor $HOME.
  for (fs::path p = t.path();; p = p.parent_path()) {
    fs::permissions(p, fs::perms::others_exec, fs::perm_options::add);
    if (p == p.root_path()) break;
  }
  for (auto& p : fs::recursive_directory_iterator(t / "srv"))
    if (p.is_directory())
      fs::permissions(p.path(), fs::perms::others_read | fs::perms::others_exec, fs::perm_options::add);
  fs::permissions(t / "srv", fs::perms::others_read | fs::perms::others_exec, fs::perm_options::add);
  for (auto& p : fs::recursive_directory_iterator(t / "opt"))
    fs::permissions(p.path(), fs::perms::others_read | (p.is_directory() ? fs::perms::others_exec : fs::perms::none),
                    fs::perm_options::add);
  fs::permissions(t / "opt", fs::perms::others_read | fs::perms::others_exec, fs::perm_options::add);
  const fs::path cache = t / "tmpfs";
  fs::create_directories(cache);
  ASSERT_EQ(chown(cache.c_str(), 65534, 65534), 0);
  env["HOME"] = "/nonexistent";
  env["XDG_CACHE_HOME"] = cache.native();

  // ENTRYPOINT, as PID 1 of a PID namespace, as USER; once more with -v to see what was read.
  auto as_pid1 = [&](std::vector<std::string> command) {
    std::vector<std::string> argv = {"/usr/bin/unshare", "--pid",         "--fork",        "--mount-proc",
                                     "/usr/bin/setpriv", "--reuid=65534", "--regid=65534", "--clear-groups"};
    argv.insert(argv.end(), command.begin(), command.end());
    return run({argv, std::nullopt, env, app});
  };
  std::vector<std::string> command = entrypoint;
  command[0] = (t / "opt/pycache/bin" / command[0]).native();  // as the image's PATH finds it
  auto o = as_pid1(command);
  ASSERT_EQ(o.exit_code, 0) << o.out << o.err;
  EXPECT_NE(o.out.find("\"ready\": true, \"result\": 285, \"optimize\": 1"), std::string::npos) << o.out;
  command.insert(command.begin() + 1, "-v");
  auto verbose = as_pid1(command);
  ASSERT_EQ(verbose.exit_code, 0) << verbose.err;
  // The precompiled pyc was read, nothing was compiled into the tree, and no
  // write was even tried there.
  EXPECT_NE(verbose.err.find(pyc.native() + " matches"), std::string::npos) << verbose.err;
  EXPECT_EQ(find_files(app, ".pyc").size(), compiled);
  EXPECT_EQ(verbose.err.find("could not create"), std::string::npos) << verbose.err;
}

}  // namespace
}  // namespace pycache::test
