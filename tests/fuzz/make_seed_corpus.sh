#!/bin/sh
# Writes the named seeds of corpus/pyc_header: real pyc headers from every
# Python found (pyenv's ~/.pyenv/versions/*, /usr/bin/python3) in each
# invalidation mode it has, and broken headers. Files named valid-VERSION-MODE
# must parse (as that version); invalid-* must be refused; the unnamed files
# are what libFuzzer kept (see CONTRIBUTING.md, "Fuzzing"). Run from anywhere; needs only sh.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
out="$here/corpus/pyc_header"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p "$out"
printf 'def f(x):\n    return x + 1\n' > "$work/m.py"

for py in "$HOME"/.pyenv/versions/*/bin/python /usr/bin/python3; do
  [ -x "$py" ] || continue
  v=$("$py" -c 'import sys; print("%d.%d" % sys.version_info[:2])')
  for mode in TIMESTAMP CHECKED_HASH UNCHECKED_HASH; do
    name=$(echo "$mode" | tr 'A-Z_' 'a-z-')
    "$py" - "$work/m.py" "$work/out.pyc" "$mode" <<'PY' || continue
import py_compile, sys
src, dst, mode = sys.argv[1:]
kw = {}
if hasattr(py_compile, "PycInvalidationMode"):
    kw["invalidation_mode"] = getattr(py_compile.PycInvalidationMode, mode)
elif mode != "TIMESTAMP":
    sys.exit(1)
py_compile.compile(src, cfile=dst, doraise=True, **kw)
PY
    head -c 16 "$work/out.pyc" > "$out/valid-$v-$name"
  done
done

t="$out/valid-3.11-timestamp"
printf '' > "$out/invalid-empty"
head -c 3 "$t" > "$out/invalid-truncated-magic"
head -c 8 "$t" > "$out/invalid-truncated-header"
printf 'import os\nprint(os.getcwd())\n' > "$out/invalid-python-source"
printf '\177ELF\002\001\001\000\000\000\000\000\000\000\000\000' > "$out/invalid-elf"
{ head -c 4 "$t"; printf '\004\000\000\000'; tail -c 8 "$t"; } > "$out/invalid-flags"
{ head -c 2 "$t"; printf '\n\r'; tail -c 12 "$t"; } > "$out/invalid-no-crlf"
echo "seeds in $out: $(ls "$out" | wc -l) files"
