#include "python_layouts.hpp"

#include <elf.h>

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <system_error>
#include <vector>

#include "process.hpp"
#include "temp_dir.hpp"

namespace pycache::test {

fs::path pyenv_root() {
  const char* root = std::getenv("PYENV_ROOT");
  const char* home = std::getenv("HOME");
  return root && *root ? fs::path(root) : fs::path(home && *home ? home : "/") / ".pyenv";
}

fs::path pyenv_version(const std::string& minor) {
  std::vector<fs::path> found;
  std::error_code ec;
  for (const auto& e : fs::directory_iterator(pyenv_root() / "versions", ec))
    if (e.path().filename().native().starts_with(minor + ".") && fs::exists(e.path() / "bin" / ("python" + minor)))
      found.push_back(e.path());
  std::sort(found.begin(), found.end());
  return found.empty() ? fs::path() : found.back();
}

namespace {

// The file offset of a virtual address, through the PT_LOAD segments.
std::size_t offset_of(const std::vector<Elf64_Phdr>& ph, Elf64_Addr addr) {
  for (const auto& p : ph)
    if (p.p_type == PT_LOAD && addr >= p.p_vaddr && addr < p.p_vaddr + p.p_filesz) return addr - p.p_vaddr + p.p_offset;
  return 0;
}

}  // namespace

bool edit_runpath(const fs::path& program, const std::optional<std::string>& runpath) {
  std::string bytes = read_file(program);
  Elf64_Ehdr eh{};
  if (bytes.size() < sizeof eh) return false;
  std::memcpy(&eh, bytes.data(), sizeof eh);
  if (eh.e_phoff + eh.e_phnum * sizeof(Elf64_Phdr) > bytes.size()) return false;
  std::vector<Elf64_Phdr> ph(eh.e_phnum);
  std::memcpy(ph.data(), bytes.data() + eh.e_phoff, ph.size() * sizeof(Elf64_Phdr));
  auto dynamic = std::find_if(ph.begin(), ph.end(), [](const Elf64_Phdr& p) { return p.p_type == PT_DYNAMIC; });
  if (dynamic == ph.end()) return false;
  std::vector<Elf64_Dyn> d(dynamic->p_filesz / sizeof(Elf64_Dyn));
  std::memcpy(d.data(), bytes.data() + dynamic->p_offset, d.size() * sizeof(Elf64_Dyn));
  std::size_t strtab = 0, at = d.size();
  for (std::size_t i = 0; i < d.size(); ++i) {
    if (d[i].d_tag == DT_STRTAB) strtab = offset_of(ph, d[i].d_un.d_ptr);
    if (d[i].d_tag == DT_RUNPATH) at = i;
  }
  if (strtab == 0 || at == d.size()) return false;
  if (runpath) {
    char* old = bytes.data() + strtab + d[at].d_un.d_val;
    const std::size_t size = std::strlen(old);
    if (runpath->size() > size) return false;
    std::memset(old, 0, size);
    std::copy(runpath->begin(), runpath->end(), old);
  } else {
    d.erase(d.begin() + static_cast<std::ptrdiff_t>(at));
    d.push_back(Elf64_Dyn{DT_NULL, {0}});
    std::memcpy(bytes.data() + dynamic->p_offset, d.data(), d.size() * sizeof(Elf64_Dyn));
  }
  std::ofstream(program, std::ios::binary | std::ios::trunc) << bytes;
  return true;
}

bool copy_as_python_slim(const fs::path& home, const std::string& minor, const fs::path& local) {
  fs::create_directories(local.parent_path());
  auto cp = run({{"/bin/cp", "-a", home.native(), local.native()}, std::nullopt, clean_env("/"), "/"});
  if (cp.exit_code != 0) return false;
  if (!edit_runpath(local / "bin" / ("python" + minor), std::nullopt)) return false;
  std::vector<fs::path> drop;
  std::error_code ec;
  for (auto it = fs::recursive_directory_iterator(local / "lib", ec); !ec && it != fs::recursive_directory_iterator();
       it.increment(ec)) {
    const std::string name = it->path().filename().native();
    if (it->is_directory() && (name == "__pycache__" || name == "test" || name == "tests" || name == "idle_test")) {
      drop.push_back(it->path());
      it.disable_recursion_pending();
    }
  }
  for (const auto& p : drop) fs::remove_all(p);
  return fs::exists(local / "lib" / ("libpython" + minor + ".so.1.0")) &&
         fs::exists(local / "lib" / ("python" + minor));
}

}  // namespace pycache::test
