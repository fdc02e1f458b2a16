"""`pycache status` on the 40,000-module tree against an equivalent Python script (the anchor).

The tree is scripts/gen_tree's default (20 top-level packages, 5,000 package
directories, 40,000 files of ~2.2 KB), compiled by the embedded interpreter's
own `python -m compileall -q` (timestamp pycs in __pycache__). Then, so that
every classification is exercised: every 100th source is edited (stale), every
250th deleted (orphaned pyc), every 500th package gets a legacy sourceless
NAME.pyc (importable) and a few checked-hash pycs are written.

Measured in one hyperfine run (tmpfs, no git repository, no policy file):
  anchor            scripts/bench.d/_status_anchor.py: os.walk, lstat, the
                    16-byte headers, importlib.util.cache_from_source /
                    source_from_cache, the same classification
  pycache status    the human report (default threads: one per core, max 8)
  pycache status --json
  pycache status -j 1   one thread: the per-file cost without parallelism
Before timing, the anchor's counts and pycache's are compared: they must agree.
Target (docs/benchmarks.md): `pycache status` at least 10x faster than the anchor.
"""
import json
import os
import sys

from benchlib import SECTIONS_DIR, BenchError, Command, commands_list, ratio, ratio_interval, table

TARGET = 10.0
ANCHOR = SECTIONS_DIR / "_status_anchor.py"


def prepare_tree(b, tree):
    b.gen_tree(tree)
    sources = sorted(tree.rglob("*.py"))
    if len(sources) < 40000:
        raise BenchError(f"gen_tree wrote {len(sources)} sources, expected 40,000")
    b.check([b.python, "-m", "compileall", "-q", "-j", "0", tree])
    for i, src in enumerate(sources):
        if i % 250 == 249:
            src.unlink()
        elif i % 100 == 99:
            with open(src, "a") as f:
                f.write("# edited after compiling\n")
    for i, pkg in enumerate(sorted(p for p in tree.rglob("__init__.py"))):
        if i % 500 == 0:
            (pkg.parent / "removed_module.pyc").write_bytes(
                next((pkg.parent / "__pycache__").glob("*.pyc")).read_bytes())
    hashed = [s for s in sources[:200] if s.exists()]
    b.check([b.python, "-c", "import py_compile, sys\n"
             "for s in sys.argv[1:]: py_compile.compile(s, doraise=True, optimize=1, "
             "invalidation_mode=py_compile.PycInvalidationMode.CHECKED_HASH)", *hashed])


def counts_from_pycache(b, tree):
    d = json.loads(b.check([b.pycache, "status", "--json", "--no-git", tree]))
    states = {}
    for g in d["roots"][0]["groups"]:
        for k, v in g["states"].items():
            states[k] = states.get(k, 0) + v
    return {k: v for k, v in states.items() if v}, d["roots"][0]["sources"]


def counts_from_anchor(b, tree):
    out = b.check([b.python, "-I", "-B", ANCHOR, tree])
    states, sources = {}, None
    for line in out.splitlines():
        if line.startswith("sources: "):
            sources = int(line.split()[1])
        elif line.startswith("states: "):
            states = {k: int(v) for k, v in (item.split("=") for item in line.split()[1:])}
    return states, sources


def run(b):
    tree = b.work / "tree"
    prepare_tree(b, tree)
    ours, anchor = counts_from_pycache(b, tree), counts_from_anchor(b, tree)
    if ours != anchor:
        raise BenchError(f"pycache status and the anchor disagree: {ours} vs {anchor}")
    pycs = sum(ours[0].values())
    cmds = [
        Command("anchor (python script)", [b.python, "-I", "-B", ANCHOR, tree]),
        Command("pycache status", [b.pycache, "status", tree]),
        Command("pycache status --json", [b.pycache, "status", "--json", tree]),
        Command("pycache status -j 1", [b.pycache, "status", "-j", "1", tree]),
    ]
    # Instructions: callgrind runs the anchor ~50x slower and serialises threads; wall and CPU say enough.
    r = b.measure("status", cmds, cwd=b.work, callgrind=False)
    n = list(r)
    b.emit(f"### status on {ours[1]} sources and {pycs} pycs\n")
    b.emit(f"Classification (both agree): {', '.join(f'{v} {k}' for k, v in sorted(ours[0].items()))}.\n")
    b.emit(table(r, [("vs anchor", {name: n[0] for name in n})]))
    b.emit(commands_list(r))
    b.emit(f"Against the target (anchor ÷ pycache ≥ {TARGET:g}x, medians; {os.cpu_count()} CPUs):\n")
    for name in n[1:]:
        wall, _ = ratio(r[name], r[n[0]])
        low, high = ratio_interval(r[name], r[n[0]])
        cpu = (r[name].user + r[name].system) / (r[n[0]].user + r[n[0]].system)
        b.emit(f"- {name}: {1 / wall:.1f}x faster (95% bootstrap interval {1 / high:.1f}x … {1 / low:.1f}x), "
               f"{1 / cpu:.1f}x less CPU: **{'met' if 1 / wall >= TARGET else 'missed'}**")
    b.emit("")


if __name__ == "__main__":
    sys.exit("run through scripts/bench status")
