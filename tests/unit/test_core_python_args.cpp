#include "pycache/python_args.hpp"

#include <gtest/gtest.h>

#include <vector>

namespace pycache {
namespace {

PythonArgs scan(std::vector<std::string> v) { return scan_python_args(v); }

TEST(ScanPythonArgs, Targets) {
  EXPECT_EQ(scan({}).target, PythonTarget::Interactive);
  EXPECT_EQ(scan({"-i"}).target, PythonTarget::Interactive);
  auto s = scan({"-u", "app.py", "-O", "-m", "x"});
  EXPECT_EQ(s.target, PythonTarget::Script);
  EXPECT_EQ(s.target_value, "app.py");
  EXPECT_EQ(s.optimize, 0) << "options after the script belong to the script";
  auto m = scan({"-m", "pkg.mod", "-B"});
  EXPECT_EQ(m.target, PythonTarget::Module);
  EXPECT_EQ(m.target_value, "pkg.mod");
  EXPECT_FALSE(m.dont_write_bytecode);
  EXPECT_EQ(scan({"-mpkg"}).target_value, "pkg");
  EXPECT_EQ(scan({"-c", "print(1)", "-B"}).target, PythonTarget::Command);
  EXPECT_FALSE(scan({"-c", "print(1)", "-B"}).dont_write_bytecode);
  EXPECT_EQ(scan({"-Bc", "pass"}).target, PythonTarget::Command);
  EXPECT_TRUE(scan({"-Bc", "pass"}).dont_write_bytecode);
  EXPECT_EQ(scan({"-"}).target, PythonTarget::Stdin);
  auto dd = scan({"--", "-weird.py"});
  EXPECT_EQ(dd.target, PythonTarget::Script);
  EXPECT_EQ(dd.target_value, "-weird.py");
}

TEST(ScanPythonArgs, InfoOnly) {
  for (auto a : {"-h", "-?", "-V", "--version", "--help", "--help-env", "-VV"})
    EXPECT_EQ(scan({a}).target, PythonTarget::InfoOnly) << a;
  EXPECT_EQ(scan({"-c", "pass", "-V"}).target, PythonTarget::Command);
}

TEST(ScanPythonArgs, BytecodeOptions) {
  auto s = scan({"-BOO", "-E", "-X", "pycache_prefix=/p", "--check-hash-based-pycs", "never", "x.py"});
  EXPECT_TRUE(s.dont_write_bytecode);
  EXPECT_EQ(s.optimize, 2);
  EXPECT_TRUE(s.ignore_environment);
  EXPECT_FALSE(s.isolated);
  EXPECT_EQ(s.pycache_prefix, "/p");
  EXPECT_EQ(s.check_hash_pycs, "never");
  EXPECT_EQ(s.target_value, "x.py");
  auto i = scan({"-I", "-Xpycache_prefix=", "-Wdefault", "-Xdev", "y.py"});
  EXPECT_TRUE(i.isolated);
  EXPECT_TRUE(i.ignore_environment);
  EXPECT_EQ(i.pycache_prefix, "");
  EXPECT_EQ(i.target_value, "y.py");
  // -W and -X take the next argument, which is not an option cluster.
  auto w = scan({"-W", "-B", "z.py"});
  EXPECT_FALSE(w.dont_write_bytecode);
  EXPECT_EQ(w.target_value, "z.py");
}

TEST(PythonOptionsLayer, MapsOptionsToKeysWithOrigins) {
  auto l = python_options_layer(scan({"-B", "-OOO", "-X", "pycache_prefix=rel", "--check-hash-based-pycs", "always"}),
                                "/cwd");
  EXPECT_EQ(std::get<bool>(l.get(Key::WriteBytecode)->value), false);
  EXPECT_EQ(l.get(Key::WriteBytecode)->origin.describe(), "command line -B");
  EXPECT_EQ(std::get<std::int64_t>(l.get(Key::Optimize)->value), 2);
  EXPECT_EQ(std::get<std::string>(l.get(Key::CachePrefix)->value), "/cwd/rel");
  EXPECT_EQ(std::get<std::string>(l.get(Key::CheckHashBasedPycs)->value), "always");
  auto bad = python_options_layer(scan({"--check-hash-based-pycs", "bogus"}), "/");
  EXPECT_FALSE(bad.get(Key::CheckHashBasedPycs)) << "left for CPython to report";
  EXPECT_TRUE(python_options_layer(scan({"x.py"}), "/").empty());
}

}  // namespace
}  // namespace pycache
