#pragma once
// The Pythons of this machine in the layouts pycache meets elsewhere: pyenv's
// versions, copied into uv's or the official python:3.X-slim image's shape.
#include <filesystem>
#include <optional>
#include <string>

namespace pycache::test {

namespace fs = std::filesystem;

// $PYENV_ROOT, else ~/.pyenv (of the user running the tests).
fs::path pyenv_root();
// pyenv's install of Python `minor` ("3.12": versions/3.12.1, the newest by
// name), or empty when there is none.
fs::path pyenv_version(const std::string& minor);
// The DT_RUNPATH of an ELF64 program set to `runpath` (written over the old
// string, so no longer than it), or taken out of the dynamic section (nullopt:
// the later entries moved up, as patchelf --remove-rpath does). False when
// the program has none or the new one is longer.
bool edit_runpath(const fs::path& program, const std::optional<std::string>& runpath);
// The install at `home` (pyenv's) copied to `local` (created) in the shape of
// python:3.X-slim's /usr/local: bin/python3.X with no RUNPATH (the image's
// ld.so.cache finds lib/libpython3.X.so.1.0), lib/python3.X/, and, as the
// image's Dockerfile leaves it, no .pyc and no test directories. False on failure.
bool copy_as_python_slim(const fs::path& home, const std::string& minor, const fs::path& local);

}  // namespace pycache::test
