"""pycache compile against python -m compileall on the 40,000-module tree: full compile, no-op, checked-hash no-op.

Three groups, each measured in one hyperfine run, on tmpfs copies of the tree
scripts/gen_tree writes by default (20 top-level packages, 5,000 package
directories, 40,000 files of ~2.2 KB), with the interpreter pycache embeds
(`pycache --version` names it) running compileall, the anchor (docs/benchmarks.md):

full      every __pycache__ removed (untimed --prepare) before each run:
          `compileall -q -j0` vs `pycache compile -q` (each in its own copy).
          Target: pycache 1.5x faster.
no-op     one copy compiled once by compileall, then timed without changes:
          `compileall -q -j0`, serial `compileall -q` and `pycache compile -q`
          on that same copy (pycache takes compileall's pycs as up to date).
          Targets: pycache 10x faster than -j0, 2x faster than serial.
hash      one copy compiled once in checked-hash mode, then timed without
          changes: `compileall -q -j0 --invalidation-mode checked-hash`
          (which recompiles everything) vs `pycache compile -q
          --invalidation-mode checked-hash`. Target: pycache 50x faster.

The full and hash groups take ~20-30 s per compileall run: they use at most 5
runs and 1 warm-up whatever --runs says; the no-op group at most 10 runs.
No callgrind: the work is spread over processes (callgrind would count only
the first) and user/sys CPU, which hyperfine takes from the children too,
tells more. After the runs, pycache's own trees are checked: one pyc per
source, and a further `pycache compile --json` writes nothing.
"""
import json
import shutil

from benchlib import BenchError, Command, commands_list, table

FULL_RUNS, NOOP_RUNS = 5, 10
QUICK_TREE = ["--top", "4", "--packages", "100", "--modules", "2000"]
TARGETS = {  # (row, baseline row): speed-up wanted
    ("pycache compile (full)", "compileall -j0 (full)"): 1.5,
    ("pycache compile (no-op)", "compileall -j0 (no-op)"): 10,
    ("pycache compile (no-op)", "compileall serial (no-op)"): 2,
    ("pycache compile (checked-hash no-op)", "compileall -j0 (checked-hash no-op)"): 50,
}


def remove_caches(tree):
    return ["find", str(tree), "-name", "__pycache__", "-type", "d", "-prune", "-exec", "rm", "-rf", "{}", "+"]


def measure(b, group, commands, runs, warmup):
    """b.measure with this section's run counts (restored afterwards)."""
    saved = b.runs, b.warmup
    b.runs, b.warmup = max(2, min(b.runs, runs)), min(b.warmup, warmup)
    try:
        return b.measure(group, commands, cwd=b.work, callgrind=False)
    finally:
        b.runs, b.warmup = saved


def cpu_table(results):
    lines = ["| command | median s | min–max s | user s | sys s |", "|---|---:|---:|---:|---:|"]
    for name, r in results.items():
        lines.append(f"| {name} | {r.median:.3f} | {min(r.times):.3f}–{max(r.times):.3f} | {r.user:.2f} | "
                     f"{r.system:.2f} |")
    return "\n".join(lines) + "\n"


def verdicts(b, results):
    for (row, base), wanted in TARGETS.items():
        if row in results and base in results:
            speedup = results[base].median / results[row].median
            cpu = (results[base].user + results[base].system) / max(1e-9, results[row].user + results[row].system)
            b.emit(f"- {row} vs {base}: **{speedup:.1f}x** faster (medians {results[row].median:.3f} s vs "
                   f"{results[base].median:.3f} s; {cpu:.1f}x less CPU), target {wanted}x: "
                   f"**{'met' if speedup >= wanted else 'missed'}**")


def check_pycache_tree(b, tree, sources, mode):
    pycs = len(list(tree.rglob("*.pyc")))
    if pycs != sources:
        raise BenchError(f"{tree}: {pycs} pycs for {sources} sources")
    report = json.loads(b.check([b.pycache, "compile", "--json", "--invalidation-mode", mode, tree]))
    if report["written"] != 0 or report["up_to_date"] != sources:
        raise BenchError(f"{tree}: a further pycache compile was not a no-op: {report}")


def run(b):
    tree = b.work / "tree"
    b.gen_tree(tree, *(QUICK_TREE if b.quick else []))
    sources = len(list(tree.rglob("*.py")))
    if sources < 1000:
        raise BenchError(f"gen_tree wrote only {sources} sources")
    py = b.python
    copies = {}
    for name in ("full-compileall", "full-pycache", "noop", "hash"):
        copies[name] = b.work / name
        shutil.copytree(tree, copies[name])
    shutil.rmtree(tree)
    compileall = [py, "-m", "compileall", "-q"]
    results = {}

    # Full compile.
    full = [
        Command("compileall -j0 (full)", [*compileall, "-j0", copies["full-compileall"]],
                remove_caches(copies["full-compileall"])),
        Command("pycache compile (full)", [b.pycache, "compile", "-q", copies["full-pycache"]],
                remove_caches(copies["full-pycache"])),
    ]
    results.update(measure(b, "full", full, FULL_RUNS, 1))
    check_pycache_tree(b, copies["full-pycache"], sources, "timestamp")

    # No-op, all three on one tree compiled (untimed) by compileall.
    b.check([*compileall, "-j0", copies["noop"]])
    noop = [
        Command("compileall -j0 (no-op)", [*compileall, "-j0", copies["noop"]]),
        Command("compileall serial (no-op)", [*compileall, copies["noop"]]),
        Command("pycache compile (no-op)", [b.pycache, "compile", "-q", copies["noop"]]),
    ]
    results.update(measure(b, "noop", noop, NOOP_RUNS, 2))
    check_pycache_tree(b, copies["noop"], sources, "timestamp")

    # Checked-hash no-op: compileall recompiles everything, pycache hashes.
    hashed = ["--invalidation-mode", "checked-hash"]
    b.check([*compileall, "-j0", *hashed, copies["hash"]])
    hash_cmds = [
        Command("compileall -j0 (checked-hash no-op)", [*compileall, "-j0", *hashed, copies["hash"]]),
        Command("pycache compile (checked-hash no-op)", [b.pycache, "compile", "-q", *hashed, copies["hash"]]),
    ]
    results.update(measure(b, "hash", hash_cmds, FULL_RUNS, 1))
    check_pycache_tree(b, copies["hash"], sources, "checked-hash")

    b.emit(f"### Compile: {sources} sources\n")
    b.emit(cpu_table(results))
    b.emit(table(results, [("vs compileall -j0", {
        "compileall -j0 (full)": "compileall -j0 (full)",
        "pycache compile (full)": "compileall -j0 (full)",
        "compileall -j0 (no-op)": "compileall -j0 (no-op)",
        "compileall serial (no-op)": "compileall -j0 (no-op)",
        "pycache compile (no-op)": "compileall -j0 (no-op)",
        "compileall -j0 (checked-hash no-op)": "compileall -j0 (checked-hash no-op)",
        "pycache compile (checked-hash no-op)": "compileall -j0 (checked-hash no-op)",
    })]))
    b.emit(commands_list(results))
    b.emit("Against the targets (speed-up = baseline median / pycache median):\n")
    verdicts(b, results)
    b.emit(f"\nTree check passed: pycache's trees hold one pyc per source ({sources}), and a further "
           f"`pycache compile` writes nothing.\n")
