#!/usr/bin/python3 -IB
"""The anchor of the `status` benchmark: what `pycache status` does, written
as a plain Python script would do it (importlib.util.cache_from_source and
source_from_cache, os.walk, lstat, the 16-byte headers).

    python3 -IB scripts/bench.d/_status_anchor.py ROOT

Walks ROOT (not entering .git/.hg/.svn or symlinks), stats every .py,
reads the header of every pyc in __pycache__ and of every legacy NAME.pyc,
and classifies each as fresh / stale / unverified (hash) / orphaned /
sourceless / invalid, per (location, tag, optimization level); then counts
the sources whose pyc for this interpreter is where importlib puts it.
Prints one line per (group, state) and a last line "states: fresh=N ...":
the same facts as `pycache status`'s table (no git, no policy files).
"""
import importlib.util
import os
import sys
from collections import Counter

MAGIC = importlib.util.MAGIC_NUMBER
TAG = sys.implementation.cache_tag
SKIP = {".git", ".hg", ".svn"}


def classify(pyc, source, sources, legacy):
    try:
        with open(pyc, "rb") as f:
            header = f.read(16)
    except OSError:
        return "invalid", None
    if len(header) < 16 or header[2:4] != b"\r\n":
        return "invalid", None
    flags = int.from_bytes(header[4:8], "little")
    if flags & ~0b11:
        return "invalid", None
    mode = "timestamp" if not flags & 1 else ("checked-hash" if flags & 2 else "unchecked-hash")
    if not legacy and header[:4] != MAGIC and pyc.endswith(f".{TAG}.pyc"):
        return "invalid", mode
    st = sources.get(source)
    if st is None:
        try:
            s = os.lstat(source)
            st = (int(s.st_mtime) & 0xFFFFFFFF, s.st_size & 0xFFFFFFFF)
        except OSError:
            return ("sourceless" if legacy else "orphaned"), mode
    if flags & 1:
        return "unverified", mode
    mtime = int.from_bytes(header[8:12], "little")
    size = int.from_bytes(header[12:16], "little")
    return ("fresh" if (mtime, size) == st else "stale"), mode


def main(root):
    sources = {}
    cached = []
    legacy = []
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames[:] = [d for d in dirnames if d not in SKIP]
        if os.path.basename(dirpath) == "__pycache__":
            cached += [os.path.join(dirpath, f) for f in filenames if f.endswith(".pyc")]
            continue
        for f in filenames:
            path = os.path.join(dirpath, f)
            if f.endswith(".py"):
                s = os.lstat(path)
                sources[path] = (int(s.st_mtime) & 0xFFFFFFFF, s.st_size & 0xFFFFFFFF)
            elif f.endswith(".pyc"):
                legacy.append(path)

    groups = Counter()
    states = {}
    for pyc in cached:
        name = os.path.basename(pyc)
        parts = name.split(".")
        tag = parts[-2] if len(parts) == 3 else parts[-3]
        opt = 0 if len(parts) == 3 else int(parts[-2][4:] or 0)
        try:
            source = importlib.util.source_from_cache(pyc)
        except ValueError:  # not NAME.TAG[.opt-N].pyc
            source = os.path.join(os.path.dirname(os.path.dirname(pyc)), parts[0] + ".py")
        state, mode = classify(pyc, source, sources, False)
        states[pyc] = state
        groups["__pycache__", tag, opt, state, mode] += 1
        groups["__pycache__", tag, opt, "bytes", None] += os.lstat(pyc).st_size
    for pyc in legacy:
        state, mode = classify(pyc, pyc[:-1], sources, True)
        groups["legacy", "", 0, state, mode] += 1
        groups["legacy", "", 0, "bytes", None] += os.lstat(pyc).st_size

    compiled = Counter()
    for source in sources:
        want = importlib.util.cache_from_source(source)
        if want in states:
            compiled[states[want]] += 1
    print(f"sources: {len(sources)} .py files; {TAG}: {sum(compiled.values())} compiled {dict(compiled)}")
    totals = Counter()
    for (where, tag, opt, state, mode), n in sorted(groups.items(), key=str):
        print(f"{where} {tag or '-'} opt {opt}: {n} {state}" + (f" ({mode})" if mode else ""))
        if state != "bytes":
            totals[state] += n
    print("states:", " ".join(f"{k}={v}" for k, v in sorted(totals.items())))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1] if len(sys.argv) > 1 else "."))
