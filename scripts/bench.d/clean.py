"""pycache clean against find one-liners, py3clean and pyclean on 5,000 packages / 40,000 pycs; --dry-run against find | wc -l.

The tree: scripts/gen_tree's default (20 top-level packages, 5,000 package
directories, 40,000 modules of ~2.2 KB), compiled once with
`python -m compileall -q -j0` by the interpreter pycache embeds: 40,000 pycs in
5,000 __pycache__ directories. It lives on tmpfs (the bench scratch is
/dev/shm) to keep disk noise out.

clean: every tool runs in the same directory, refilled before each run
(untimed hyperfine --prepare: the previous copy removed, then `cp -a` of the
compiled tree), all side by side in one hyperfine run:
  pycache clean                 (default: one walking thread per core)
  pycache clean -j1             (one thread: what the parallel walk buys)
  find -prune                   find . -name __pycache__ -type d -prune -exec rm -rf {} +
  find -delete + empty dirs     find . -name '*.pyc' -delete && find . -name __pycache__ -type d -empty -delete
  py3clean .                    Debian's /usr/bin/py3clean (python3-minimal)
  pyclean .                     bittner/pyclean from a source checkout, when PYCLEAN_SRC names one
                                (the directory holding the pyclean package; run as python3 -m pyclean
                                with PYTHONPATH, under `env`)
dry-run: on the compiled tree, nothing removed:
  pycache clean --dry-run       lists all 45,000 paths (stdout to /dev/null)
  pycache clean --dry-run -q    counts only
  find -name '*.pyc', wc -l      sh -c "find . -name '*.pyc' | wc -l"

Targets (docs/benchmarks.md): pycache clean no slower than the find -prune one-liner
(ratio <= 1.0, same run), i.e. >= 2.5x faster than pyclean and >= 3.5x faster
than py3clean; --dry-run no slower than find | wc -l. Afterwards each tool is
run once more on a fresh copy and the leftovers are counted: every tool must
remove all 40,000 pycs and 5,000 __pycache__ directories, and no .py.
"""
import os
import shlex
import shutil
from pathlib import Path

from benchlib import BenchError, Command, commands_list, log, ratio, ratio_interval, table

PYCS, DIRS, SOURCES = 40_000, 5_000, 40_000


def count(root):
    """(pycs, __pycache__ dirs, .py files) under root, no symlink followed."""
    pycs = dirs = sources = 0
    for dirpath, dirnames, filenames in os.walk(root):
        dirs += sum(1 for d in dirnames if d == "__pycache__")
        pycs += sum(1 for f in filenames if f.endswith(".pyc"))
        sources += sum(1 for f in filenames if f.endswith(".py"))
    return pycs, dirs, sources


def verdict(label, result, baseline, target, faster=False):
    """`faster`: the target is a speed-up of baseline over result (x times)."""
    wall, _ = ratio(result, baseline)
    low, high = ratio_interval(result, baseline)
    if faster:
        speedup, lo, hi = 1 / wall, 1 / high, 1 / low
        ok = speedup >= target
        return (f"- {label}: {speedup:.2f}x faster (95% bootstrap interval {lo:.2f}x … {hi:.2f}x), "
                f"target ≥ {target}x: **{'met' if ok else 'missed'}**")
    ok = wall <= target
    return (f"- {label}: ratio {wall:.3f} (95% bootstrap interval {low:.3f} … {high:.3f}; fastest runs "
            f"{min(result.times) / min(baseline.times):.3f}), target ≤ {target}: **{'met' if ok else 'missed'}**")


def run(b):
    template = b.work / "tree"
    log("clean: generating the tree (scripts/gen_tree) and compiling it (compileall -q -j0)")
    b.gen_tree(template)
    b.check([b.python, "-m", "compileall", "-q", "-j0", template])
    before = count(template)
    if before != (PYCS, DIRS, SOURCES):
        raise BenchError(f"the compiled tree holds {before} (pycs, __pycache__, .py), expected "
                         f"{(PYCS, DIRS, SOURCES)}")

    # The run directory keeps its inode (it is emptied and refilled, never
    # replaced), so every command can run in it as `.` without a shell.
    live = b.work / "live"
    live.mkdir()
    refill = ["sh", "-c", f"rm -rf {shlex.quote(str(live))}/* && cp -a {shlex.quote(str(template))}/. "
                          f"{shlex.quote(str(live))}/"]

    pyclean_src = os.environ.get("PYCLEAN_SRC")
    pyclean = None
    if pyclean_src and (Path(pyclean_src) / "pyclean" / "__init__.py").is_file():
        version = b.check(["env", f"PYTHONPATH={pyclean_src}", b.python, "-m", "pyclean", "--version"]).strip()
        pyclean = (["env", f"PYTHONPATH={pyclean_src}", str(b.python), "-m", "pyclean", "."], version)
    py3clean = shutil.which("py3clean", path="/usr/bin:/bin")

    cmds = [
        Command("pycache clean", [b.pycache, "clean"], refill),
        Command("pycache clean -j1", [b.pycache, "clean", "-j1"], refill),
        Command("find -prune", ["find", ".", "-name", "__pycache__", "-type", "d", "-prune", "-exec", "rm", "-rf",
                                "{}", "+"], refill),
        Command("find -delete + empty dirs",
                ["sh", "-c", "find . -name '*.pyc' -delete && find . -name __pycache__ -type d -empty -delete"],
                refill),
    ]
    if py3clean:
        cmds.append(Command("py3clean .", [py3clean, "."], refill))
    if pyclean:
        cmds.append(Command(f"pyclean . ({pyclean[1]})", pyclean[0], refill))

    # Correctness first: each tool once on a fresh copy, leftovers counted.
    leftovers = {}
    for c in cmds:
        b.check(refill)
        b.check(c.argv, cwd=live)
        leftovers[c.name] = count(live)

    r = b.measure("clean", cmds, cwd=live, callgrind=False)
    names = list(r)
    base = "find -prune"
    b.emit("### Cleaning the tree\n")
    b.emit(f"Tree: {PYCS:,} pycs in {DIRS:,} __pycache__ directories beside {SOURCES:,} sources, on tmpfs; every "
           f"command from a fresh copy (untimed prepare). Ratios are of medians, against `find -prune`.\n")
    b.emit(table(r, [("vs find -prune", {n: base for n in names})]))
    b.emit(commands_list(r))
    b.emit("Left behind (pycs, __pycache__ dirs, .py files) after one run of each on a fresh copy:\n")
    for name, left in leftovers.items():
        ok = left == (0, 0, SOURCES)
        b.emit(f"- {name}: {left}{'' if ok else ' **incomplete or touched sources**'}")
    if not pyclean:
        b.emit("- pyclean: not measured (set PYCLEAN_SRC to a pyclean source checkout to include it)")
    b.emit("\nAgainst the targets:\n")
    b.emit(verdict("pycache clean vs find -prune", r["pycache clean"], r[base], 1.0))
    b.emit(verdict("pycache clean -j1 vs find -prune (for reference)", r["pycache clean -j1"], r[base], 1.0))
    if pyclean:
        name = f"pyclean . ({pyclean[1]})"
        b.emit(verdict("pycache clean vs pyclean", r["pycache clean"], r[name], 2.5, faster=True))
    if py3clean:
        b.emit(verdict("pycache clean vs py3clean", r["pycache clean"], r["py3clean ."], 3.5, faster=True))
    b.emit("")

    dry = [
        Command("pycache clean --dry-run", [b.pycache, "clean", "--dry-run"]),
        Command("pycache clean --dry-run -q", [b.pycache, "clean", "--dry-run", "-q"]),
        Command("find -name '*.pyc', wc -l", ["sh", "-c", "find . -name '*.pyc' | wc -l"]),
    ]
    d = b.measure("dry-run", dry, cwd=template, callgrind=False)
    if count(template) != before:
        raise BenchError("a dry run changed the tree")
    b.emit("### Dry run (nothing removed)\n")
    dn = list(d)
    b.emit(table(d, [("vs find, wc -l", {n: dn[2] for n in dn})]))
    b.emit(commands_list(d))
    b.emit("Against the target:\n")
    b.emit(verdict("pycache clean --dry-run vs find . -name '*.pyc' \\| wc -l", d[dn[0]], d[dn[2]], 1.0))
    b.emit(verdict("pycache clean --dry-run -q vs find . -name '*.pyc' \\| wc -l", d[dn[1]], d[dn[2]], 1.0))
    b.emit("")
