"""Start-up overhead of pycache run / pycache-python against python, and 300 imports cold and warm, with and without a prefix.

Two groups, each measured in one hyperfine run:

startup: `python -c pass` (the interpreter pycache embeds, as `pycache --version`
names it), the minimal embedding program (main() = Py_BytesMain, linked as
pycache links libpython), `pycache run -c pass` and `pycache-python -c pass`,
from a directory without any policy file; then an empty script in a project
whose pyproject.toml has a [tool.pycache] table, which pycache must find and
parse. Targets (docs/benchmarks.md): at most +2% wall-clock (median) and +1% instructions
against python.

imports: a script importing the 300 modules of a generated tree (scripts/gen_tree,
5 top-level packages, 30 packages, 300 files of ~2.2 KB), for python, the
minimal embed and pycache-python, each in its own copy of the tree:
  warm in-tree    pycs in __pycache__ beside the sources
  warm prefix     pycs under a cache prefix (pycache: pycache.toml; the others: -X pycache_prefix)
  cold in-tree / cold prefix: the caches removed (untimed) before every run
  no bytecode     pycache: write-bytecode = false in pyproject.toml; the others: -B
Target: warm runs with a prefix as fast as warm runs with in-tree caches.
After the runs, every tree is checked for the caches its policy asks for.
"""
import json
import shutil

from benchlib import BenchError, Command, commands_list, percent, ratio, ratio_interval, table

WALL_TARGET = 1.02   # +2% wall-clock, medians
INSTR_TARGET = 1.01  # +1% instructions
TREE = ["--top", "5", "--packages", "30", "--modules", "300", "--import-script", "main.py"]
MODULES = 300

PYPROJECT = """\
[build-system]
requires = ["setuptools>=61"]
build-backend = "setuptools.build_meta"

[project]
name = "bench-app"
version = "1.0.0"
description = "A project as pycache finds them: policy in pyproject.toml"
requires-python = ">=3.8"
dependencies = ["requests>=2.28", "click>=8"]

[project.scripts]
bench-app = "bench_app.cli:main"

[tool.pytest.ini_options]
addopts = "-ra -q"
testpaths = ["tests"]

[tool.ruff]
line-length = 100

[tool.pycache]
{policy}
"""


def verdict(label, result, baseline, wall_target, instr_target=None):
    wall, instr = ratio(result, baseline)
    low, high = ratio_interval(result, baseline)
    fastest = min(result.times) / min(baseline.times)
    text = (f"- {label}: wall {percent(wall)} (95% bootstrap interval {percent(low)} … {percent(high)}; "
            f"fastest runs {percent(fastest)})")
    if wall_target:
        text += f", target ≤ {percent(wall_target)}: **{'met' if wall <= wall_target else 'missed'}**"
    text += f"; instructions {percent(instr)}"
    if instr_target and instr is not None:
        text += f", target ≤ {percent(instr_target)}: **{'met' if instr <= instr_target else 'missed'}**"
    return text


def startup(b):
    cwd = b.work / "no-project"
    cwd.mkdir()
    project = b.work / "project"
    project.mkdir()
    (project / "pyproject.toml").write_text(PYPROJECT.format(policy="write-bytecode = true"))
    (project / "app.py").write_text('"""An empty program."""\n')
    policy = json.loads(b.check([b.pycache, "policy", "--json"], cwd=project))
    if policy.get("policy_file") != str(project / "pyproject.toml"):
        raise BenchError(f"pycache does not see {project}/pyproject.toml: {policy}")
    embed = b.minimal_embed()
    py, app = b.python, project / "app.py"
    name = py.name
    cmds = [
        Command(f"{name} -c pass", [py, "-c", "pass"]),
        Command("minimal embed -c pass", [embed, "-c", "pass"]),
        # --python: the runtime measured, which need not be pycache's default.
        Command(f"pycache run --python {b.runtime} -c pass", [b.pycache, "run", "--python", b.runtime, "-c", "pass"]),
        Command("pycache-python -c pass", [b.pycache_python, "-c", "pass"]),
        Command(f"{name} app.py (pyproject.toml)", [py, app]),
        Command("minimal embed app.py (pyproject.toml)", [embed, app]),
        Command("pycache-python app.py (pyproject.toml)", [b.pycache_python, app]),
    ]
    # follow_exec: `pycache run --python X.Y` hands off to that runtime with an exec.
    r = b.measure("startup", cmds, cwd=cwd, follow_exec=True)
    n = list(r)
    vs_python = {n[0]: n[0], n[1]: n[0], n[2]: n[0], n[3]: n[0], n[4]: n[4], n[5]: n[4], n[6]: n[4]}
    vs_embed = {n[1]: n[1], n[2]: n[1], n[3]: n[1], n[5]: n[5], n[6]: n[5]}
    b.emit("### Start-up\n")
    b.emit(table(r, [("vs python", vs_python), ("vs minimal embed", vs_embed)]))
    b.emit(commands_list(r))
    b.emit(f"Minimal embed built with: `{b.embed_command}`\n")
    b.emit("Against the targets (pycache vs python: ≤ +2% wall, ≤ +1% instructions):\n")
    for row, base in ((n[2], n[0]), (n[3], n[0]), (n[6], n[4])):
        b.emit(verdict(f"{row} vs {base}", r[row], r[base], WALL_TARGET, INSTR_TARGET))
    b.emit("\npycache's own overhead (vs the minimal embed, same libpython, same link):\n")
    for row, base in ((n[2], n[1]), (n[3], n[1]), (n[6], n[5])):
        b.emit(verdict(f"{row} vs {base}", r[row], r[base], None))
    b.emit("")


VENV_INSTR_TARGET = 1.03  # a venv project on its runtime, picked per run: +3% instructions


def venv_startup(b):
    """`pycache run -c pass` in a project whose venv was made by the runtime's
    interpreter: the default pycache picks the runtime and (for another one
    than itself) hands off to its program."""
    project = b.work / "venv-project"
    project.mkdir()
    (project / "pyproject.toml").write_text(PYPROJECT.format(policy="write-bytecode = true"))
    b.check([b.python, "-m", "venv", "--without-pip", project / ".venv"])
    chosen = json.loads(b.check([b.pycache, "policy", "--json"], cwd=project))["settings"]["python"]["value"]
    if chosen != b.runtime:
        raise BenchError(f"pycache picks Python {chosen} for a venv of {b.runtime}")
    # The minimal embed run from the venv's bin/, so that it is in the venv too.
    embed = project / ".venv" / "bin" / "minimal-embed"
    embed.symlink_to(b.minimal_embed())
    venv_python = project / ".venv" / "bin" / "python"
    cmds = [
        Command(".venv/bin/python -c pass", [venv_python, "-c", "pass"]),
        Command(".venv/bin/minimal-embed -c pass", [embed, "-c", "pass"]),
        Command("pycache run -c pass (picks the venv's runtime)", [b.pycache, "run", "-c", "pass"]),
    ]
    r = b.measure("venv-startup", cmds, cwd=project, follow_exec=True)
    n = list(r)
    b.emit(f"### Start-up in a venv of Python {b.python_version}\n")
    b.emit(table(r, [("vs venv python", {n[0]: n[0], n[1]: n[0], n[2]: n[0]}),
                     ("vs minimal embed", {n[1]: n[1], n[2]: n[1]})]))
    b.emit(commands_list(r))
    b.emit(f"Against the target (≤ +3% instructions against the minimal embed of the same libpython):\n")
    b.emit(verdict(f"{n[2]} vs {n[1]}", r[n[2]], r[n[1]], None, VENV_INSTR_TARGET))
    b.emit(verdict(f"{n[2]} vs {n[0]}", r[n[2]], r[n[0]], None))
    b.emit("")


MODES = (("in-tree", "warm"), ("prefix", "warm"), ("in-tree", "cold"), ("prefix", "cold"), ("none", "-"))
PROGRAMS = ("python", "embed", "pycache-python")


def label(b, program, where, state):
    name = {"python": b.python.name, "embed": "minimal embed"}.get(program, program)
    return f"{name} no bytecode" if where == "none" else f"{name} {where} {state}"


def import_variants(b, tree):
    """(label, Command, tree copy, prefix or None, where) for every program and mode."""
    root = b.work / "imports"
    exe = {"python": b.python, "embed": b.minimal_embed(), "pycache-python": b.pycache_python}
    variants = []
    for where, state in MODES:
        for program in PROGRAMS:
            slug = f"{program}-{where}-{state}".rstrip("-")
            dest = root / slug
            shutil.copytree(tree, dest)
            prefix = root / f"{slug}.prefix" if where == "prefix" else None
            main = dest / "main.py"
            if program != "pycache-python":  # plain python's own options: like for like
                opts = ["-B"] if where == "none" else ["-X", f"pycache_prefix={prefix}"] if prefix else []
                argv = [exe[program], *opts, main]
            else:  # the policy file does it
                argv = [exe[program], main]
                if where == "none":
                    (dest / "pyproject.toml").write_text(PYPROJECT.format(policy="write-bytecode = false"))
                else:
                    value = json.dumps(str(prefix) if prefix else "")  # a TOML basic string
                    (dest / "pycache.toml").write_text(
                        f"# scripts/bench run: {where}\nwrite-bytecode = true\ncache-prefix = {value}\n")
            prepare = None
            if state == "cold":
                prepare = ["rm", "-rf", str(prefix)] if prefix else \
                          ["find", str(dest), "-name", "__pycache__", "-type", "d", "-prune",
                           "-exec", "rm", "-rf", "{}", "+"]
            name = label(b, program, where, state)
            variants.append((name, Command(name, argv, prepare), dest, prefix, where))
    return variants


def pycs(path):
    return sorted(path.rglob("*.pyc")) if path.exists() else []


def check_caches(variants):
    """Each tree holds the caches its policy asks for, and only those. (A prefix
    also holds the few stdlib modules site imports that are not frozen.)"""
    problems = []
    for name, _, dest, prefix, where in variants:
        in_tree = len(pycs(dest))
        in_prefix = len(pycs(prefix / str(dest).lstrip("/"))) if prefix else 0
        want_tree = MODULES if where == "in-tree" else 0
        want_prefix = MODULES if where == "prefix" else 0
        if (in_tree, in_prefix) != (want_tree, want_prefix):
            problems.append(f"{name}: {in_tree} pycs in the tree (expected {want_tree}), "
                            f"{in_prefix} under the prefix (expected {want_prefix})")
    return problems


def imports(b):
    tree = b.work / "tree"
    b.gen_tree(tree, *TREE)
    if len(list(tree.rglob("*.py"))) != MODULES + 1:
        raise BenchError(f"gen_tree did not write {MODULES} modules and main.py")
    variants = import_variants(b, tree)
    # --quick leaves callgrind to the start-up group: the import runs take minutes under it.
    r = b.measure("imports", [v[1] for v in variants], cwd=b.work / "no-project", callgrind=not b.quick)
    problems = check_caches(variants)
    vs_python, vs_embed, prefix_vs_tree = {}, {}, {}
    for where, state in MODES:
        py, embed, pcp = (label(b, p, where, state) for p in PROGRAMS)
        vs_python.update({py: py, embed: py, pcp: py})
        vs_embed.update({embed: embed, pcp: embed})
        for p in PROGRAMS:
            if where != "none":
                prefix_vs_tree[label(b, p, where, state)] = label(b, p, "in-tree", state)
    b.emit(f"### Import-heavy script: {MODULES} modules\n")
    b.emit(table(r, [("vs python", vs_python), ("vs minimal embed", vs_embed),
                     ("prefix vs in-tree", prefix_vs_tree)]))
    b.emit(commands_list(r))
    b.emit("Against the target (warm runs with a prefix as fast as warm runs with in-tree caches):\n")
    for p in PROGRAMS:
        b.emit(verdict(f"{label(b, p, 'prefix', 'warm')} vs {label(b, p, 'in-tree', 'warm')}",
                       r[label(b, p, "prefix", "warm")], r[label(b, p, "in-tree", "warm")], WALL_TARGET, INSTR_TARGET))
    b.emit("\npycache-python against python and against the minimal embed, mode by mode:\n")
    for where, state in MODES:
        py, embed, pcp = (label(b, p, where, state) for p in PROGRAMS)
        b.emit(verdict(f"{pcp} vs {py}", r[pcp], r[py], None))
        b.emit(verdict(f"{pcp} vs {embed}", r[pcp], r[embed], None))
    if problems:
        b.emit("\n**Cache check failed** (the figures above do not measure what they claim):\n")
        b.emit("\n".join(f"- {p}" for p in problems))
        raise BenchError("caches do not match the policies: " + "; ".join(problems))
    b.emit(f"\nCache check passed: each in-tree copy holds its {MODULES} pycs in __pycache__, each prefix copy "
           f"holds them under its prefix and none in the tree, the no-bytecode copies hold none.\n")


def run(b):
    startup(b)
    venv_startup(b)
    imports(b)
