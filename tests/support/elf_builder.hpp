#pragma once
// Crafted ELF64 files for the tests of the ELF reader and of interpreter
// discovery: a header, a PT_LOAD mapping the whole file at address 0, a
// PT_DYNAMIC, the dynamic string table, and section headers naming .rodata.
#include <elf.h>

#include <cstring>
#include <string>
#include <vector>

namespace pycache::test {

struct ElfSpec {
  std::vector<std::string> needed;
  std::string runpath;  // DT_RUNPATH when not empty
  std::string rpath;    // DT_RPATH when not empty
  std::string soname;   // DT_SONAME when not empty
  std::string rodata;   // the .rodata section's bytes
  bool dynamic = true;  // false: no PT_DYNAMIC (a static executable)
};

// Offsets of the parts of a crafted file, for tests that corrupt them.
struct ElfLayout {
  std::size_t phoff = 0, dynstr = 0, dynamic = 0, rodata = 0, shstrtab = 0, shoff = 0;
};

template <class T>
void put(std::string& out, std::size_t at, const T& value) {
  if (out.size() < at + sizeof value) out.resize(at + sizeof value);
  std::memcpy(out.data() + at, &value, sizeof value);
}

inline std::string make_elf(const ElfSpec& spec, ElfLayout* layout_out = nullptr) {
  ElfLayout l;
  std::string strings(1, '\0');
  auto add_string = [&](const std::string& s) {
    const std::size_t at = strings.size();
    strings += s;
    strings += '\0';
    return at;
  };
  std::vector<Elf64_Dyn> dyn;
  for (const auto& n : spec.needed) dyn.push_back({DT_NEEDED, {add_string(n)}});
  if (!spec.runpath.empty()) dyn.push_back({DT_RUNPATH, {add_string(spec.runpath)}});
  if (!spec.rpath.empty()) dyn.push_back({DT_RPATH, {add_string(spec.rpath)}});
  if (!spec.soname.empty()) dyn.push_back({DT_SONAME, {add_string(spec.soname)}});
  l.phoff = sizeof(Elf64_Ehdr);
  l.dynstr = l.phoff + 2 * sizeof(Elf64_Phdr);
  l.dynamic = (l.dynstr + strings.size() + 7) / 8 * 8;
  dyn.push_back({DT_STRTAB, {l.dynstr}});
  dyn.push_back({DT_STRSZ, {strings.size()}});
  dyn.push_back({DT_NULL, {0}});
  l.rodata = l.dynamic + dyn.size() * sizeof(Elf64_Dyn);
  const std::string shstrtab = std::string("\0.rodata\0.shstrtab\0", 19);
  l.shstrtab = l.rodata + spec.rodata.size();
  l.shoff = (l.shstrtab + shstrtab.size() + 7) / 8 * 8;
  std::string out(l.shoff + 3 * sizeof(Elf64_Shdr), '\0');
  Elf64_Ehdr e{};
  std::memcpy(e.e_ident, ELFMAG, SELFMAG);
  e.e_ident[EI_CLASS] = ELFCLASS64;
  e.e_ident[EI_DATA] = ELFDATA2LSB;
  e.e_ident[EI_VERSION] = EV_CURRENT;
  e.e_type = ET_DYN;
  e.e_machine = EM_X86_64;
  e.e_version = EV_CURRENT;
  e.e_phoff = l.phoff;
  e.e_shoff = l.shoff;
  e.e_ehsize = sizeof(Elf64_Ehdr);
  e.e_phentsize = sizeof(Elf64_Phdr);
  e.e_phnum = 2;
  e.e_shentsize = sizeof(Elf64_Shdr);
  e.e_shnum = 3;
  e.e_shstrndx = 2;
  put(out, 0, e);
  Elf64_Phdr load{PT_LOAD, PF_R, 0, 0, 0, out.size(), out.size(), 0x1000};
  Elf64_Phdr dynamic{Elf64_Word{spec.dynamic ? Elf64_Word{PT_DYNAMIC} : Elf64_Word{PT_NOTE}},
                     PF_R,
                     l.dynamic,
                     l.dynamic,
                     l.dynamic,
                     dyn.size() * sizeof(Elf64_Dyn),
                     dyn.size() * sizeof(Elf64_Dyn),
                     8};
  put(out, l.phoff, load);
  put(out, l.phoff + sizeof(Elf64_Phdr), dynamic);
  std::memcpy(out.data() + l.dynstr, strings.data(), strings.size());
  for (std::size_t i = 0; i < dyn.size(); ++i) put(out, l.dynamic + i * sizeof(Elf64_Dyn), dyn[i]);
  std::memcpy(out.data() + l.rodata, spec.rodata.data(), spec.rodata.size());
  std::memcpy(out.data() + l.shstrtab, shstrtab.data(), shstrtab.size());
  Elf64_Shdr rodata{1, SHT_PROGBITS, SHF_ALLOC, l.rodata, l.rodata, spec.rodata.size(), 0, 0, 1, 0};
  Elf64_Shdr names{9, SHT_STRTAB, 0, 0, l.shstrtab, shstrtab.size(), 0, 0, 1, 0};
  put(out, l.shoff + sizeof(Elf64_Shdr), rodata);
  put(out, l.shoff + 2 * sizeof(Elf64_Shdr), names);
  if (layout_out) *layout_out = l;
  return out;
}

}  // namespace pycache::test
