"""Container starts: a read-only tree (CPython vs pycache's fallback, cold and warm), and a first start with an empty prefix (CPython's prefix vs pycache's read-through).

The app: 300 generated modules (scripts/gen_tree) plus stdlib imports (json,
email, http.client, ...), started as `python main.py`.

read-only: the tree holds no pycs and cannot be written by the user running
the app (nobody, through setpriv: what a read-only root looks like to CPython,
without needing a mount). CPython tries to write a pyc at every import, fails,
and compiles every module at every start; pycache's read-only = "fallback"
writes them once to a per-user cache (XDG_CACHE_HOME) and reads them after.
cold = the fallback cache removed before each run. Target: warm read-only start
at least 2x faster than CPython's.

first start, empty prefix: the tree was precompiled (compileall, in-tree
__pycache__, as an image build does) and a cache prefix is in force, emptied
before each run. CPython ignores every __pycache__ under a prefix and compiles
the app and the stdlib modules it imports into the prefix; pycache's
read-through uses the valid __pycache__ pycs and writes only misses. Target:
at least 1.5x faster than CPython's.
"""
import os
import shutil

from benchlib import BenchError, Command, commands_list, percent, ratio, table

TREE = ["--top", "5", "--packages", "30", "--modules", "300", "--import-script", "main.py"]
STDLIB = "import json, email.message, email.parser, http.client, urllib.parse, decimal, argparse, logging\n"
NOBODY = ["/usr/bin/setpriv", "--reuid=65534", "--regid=65534", "--clear-groups"]


def make_app(b, dest):
    b.gen_tree(dest, *TREE)
    main = dest / "main.py"
    main.write_text(STDLIB + main.read_text())


def open_for_nobody(path):
    """Readable and traversable by others, writable by nobody but root."""
    for root, dirs, files in os.walk(path):
        os.chmod(root, 0o755)
        for f in files:
            os.chmod(os.path.join(root, f), 0o644)


def read_only(b):
    if os.getuid() != 0 or not os.access(NOBODY[0], os.X_OK):
        raise BenchError("the read-only group needs root and setpriv (to run the app as nobody)")
    base = b.work / "ro"
    app_py, app_pc = base / "python" / "app", base / "pycache" / "app"
    for app in (app_py, app_pc):
        make_app(b, app)
    (app_pc / "pyproject.toml").write_text("[tool.pycache]\nwrite-bytecode = true\n# read-only = \"fallback\" (default)\n")
    cache = base / "nobody-cache"
    cache.mkdir(parents=True)
    os.chown(cache, 65534, 65534)
    for p in (b.work_root, b.work, base, base / "python", base / "pycache"):
        os.chmod(p, 0o755)
    open_for_nobody(app_py)
    open_for_nobody(app_pc)
    env = ["/usr/bin/env", f"XDG_CACHE_HOME={cache}"]
    py = [*NOBODY, *env, b.python, app_py / "main.py"]
    pc = [*NOBODY, *env, b.pycache_python, app_pc / "main.py"]
    wipe = ["find", str(cache), "-mindepth", "1", "-delete"]
    name = b.python.name
    cmds = [
        Command(f"{name} read-only (every start)", py),
        Command("pycache-python read-only cold", pc, wipe),
        Command("pycache-python read-only warm", pc),
    ]
    # No callgrind here: it would count setpriv, not the program it execs.
    r = b.measure("read-only", cmds, cwd=app_pc, callgrind=False)
    pycs = list(cache.rglob("*.pyc"))
    if len(pycs) < 300:
        raise BenchError(f"the fallback cache holds {len(pycs)} pycs after the runs, expected 300+")
    for p in (app_py, app_pc):
        if list(p.rglob("*.pyc")):
            raise BenchError(f"{p} was written to: the read-only simulation does not hold")
    n = list(r)
    b.emit("### Read-only tree (run as nobody on a tree it cannot write)\n")
    b.emit(table(r, [("vs CPython", {n[0]: n[0], n[1]: n[0], n[2]: n[0]})]))
    b.emit(commands_list(r))
    wall, _ = ratio(r[n[0]], r[n[2]])
    b.emit(f"- warm read-only start: pycache is {wall:.2f}x faster than CPython; "
           f"target ≥ 2x: **{'met' if wall >= 2 else 'missed'}**")
    wall, _ = ratio(r[n[0]], r[n[1]])
    b.emit(f"- cold read-only start (first start, fallback cache empty): {wall:.2f}x\n")


def first_start(b):
    base = b.work / "first"
    app_py, app_pc = base / "python" / "app", base / "pycache" / "app"
    pfx_py, pfx_pc = base / "python.prefix", base / "pycache.prefix"
    for app in (app_py, app_pc):
        make_app(b, app)
        b.check([b.python, "-m", "compileall", "-q", app])  # the image build
    (app_pc / "pyproject.toml").write_text(f"[tool.pycache]\nwrite-bytecode = true\ncache-prefix = \"{pfx_pc}\"\n")
    name = b.python.name
    cmds = [
        Command(f"{name} -X pycache_prefix, empty prefix", [b.python, "-X", f"pycache_prefix={pfx_py}", app_py / "main.py"],
                ["rm", "-rf", str(pfx_py)]),
        Command("pycache-python read-through, empty prefix", [b.pycache_python, app_pc / "main.py"],
                ["rm", "-rf", str(pfx_pc)]),
    ]
    r = b.measure("first-start", cmds, cwd=app_pc)
    written_py = len(list(pfx_py.rglob("*.pyc"))) if pfx_py.exists() else 0
    written_pc = len(list(pfx_pc.rglob("*.pyc"))) if pfx_pc.exists() else 0
    n = list(r)
    b.emit("### First start with an empty prefix on a precompiled tree\n")
    b.emit(table(r, [("vs CPython", {n[0]: n[0], n[1]: n[0]})]))
    b.emit(commands_list(r))
    wall, instr = ratio(r[n[0]], r[n[1]])
    b.emit(f"- pycs written to the prefix by the last run: CPython {written_py}, pycache {written_pc} "
           "(only what site imports before the read-through hook, and misses)")
    b.emit(f"- first start: pycache is {wall:.2f}x faster than CPython (instructions {instr:.2f}x); "
           f"target ≥ 1.5x: **{'met' if wall >= 1.5 else 'missed'}**\n")


def run(b):
    read_only(b)
    first_start(b)
