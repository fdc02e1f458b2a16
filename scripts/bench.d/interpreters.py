"""Interpreters found at run time: start-up in venvs of pyenv's 3.10, 3.12 and 3.13, Debian's 3.11 static and shared, and the cost of discovery.

Three groups, each measured side by side in one hyperfine run (instructions by
callgrind across pycache's exec of another program, when it makes one):

venv-3.X: `pycache run -c pass` in a project whose venv was made by pyenv's
3.X, against that venv's own `python -c pass`. pycache-embedded loads 3.X's
libpython through its embedding module. Target: ≤ +2% instructions.

debian-3.11: Debian's /usr/bin/python3.11 (its core linked statically),
pycache-python3.11 (this build's static runtime of it, when the build's
default runtime is Debian's), and pycache-embedded on Debian's shared
libpython3.11 (a copy of bin/pycache-embedded and lib/pycache without the
static runtime, as the Debian package installs it). No target: the figures
say what the shared library costs.

discovery: `pycache run -c pass` in a project with no venv and a
`.python-version` of 3.12, with pyenv's Pythons and a uv-style install dir
present, against `pycache run --python PATH -c pass` naming that same 3.12.
Target: ≤ +1% instructions.
"""
import glob
import os
import shutil
from pathlib import Path

from benchlib import BenchError, Command, commands_list, percent, ratio, table

VENV_TARGET = 1.02
DISCOVERY_TARGET = 1.01


def verdict(label, result, baseline, target):
    wall, instr = ratio(result, baseline)
    text = f"- {label}: wall {percent(wall)}; instructions {percent(instr)}"
    if instr is not None:
        text += f", target ≤ {percent(target)}: **{'met' if instr <= target else 'missed'}**"
    return text


def pyenv_root():
    return Path(os.environ.get("PYENV_ROOT", Path.home() / ".pyenv"))


def pyenv_python(minor):
    """The newest pyenv CPython 3.<minor>.N with a shared libpython, or None."""
    found = []
    for d in glob.glob(str(pyenv_root() / "versions" / f"3.{minor}.*")):
        name = Path(d).name
        parts = name.split(".")
        if len(parts) == 3 and all(p.isdigit() for p in parts) and (Path(d) / "bin" / f"python3.{minor}").exists():
            found.append((tuple(int(p) for p in parts), Path(d) / "bin" / f"python3.{minor}"))
    return max(found)[1] if found else None


def env_with_pythons(b, uv_dir):
    env = dict(b.env)
    env["PYENV_ROOT"] = str(pyenv_root())
    env["UV_PYTHON_INSTALL_DIR"] = str(uv_dir)
    return env


def venv_group(b, minor, python):
    project = b.work / f"venv-3{minor}"
    project.mkdir()
    (project / "pyproject.toml").write_text('[project]\nname = "app"\nversion = "1"\n\n[tool.pycache]\n')
    b.check([python, "-m", "venv", "--without-pip", project / ".venv"])
    venv_python = project / ".venv" / "bin" / "python"
    version = b.check([b.pycache, "run", "-c", "import sys; print(sys.version.split()[0])"], cwd=project).strip()
    own = b.check([venv_python, "-c", "import sys; print(sys.version.split()[0])"], cwd=project).strip()
    if version != own:
        raise BenchError(f"pycache runs Python {version} in a venv of {own}")
    cmds = [Command(f".venv/bin/python -c pass (3.{minor})", [venv_python, "-c", "pass"]),
            Command(f"pycache run -c pass (3.{minor} venv)", [b.pycache, "run", "-c", "pass"])]
    r = b.measure(f"venv-3{minor}", cmds, cwd=project, follow_exec=True)
    n = list(r)
    b.emit(f"### Start-up in a venv of pyenv's Python {own}\n")
    b.emit(table(r, [("vs venv python", {n[0]: n[0], n[1]: n[0]})]))
    b.emit(commands_list(r))
    b.emit(verdict(f"{n[1]} vs {n[0]}", r[n[1]], r[n[0]], VENV_TARGET))
    b.emit("")


def debian_group(b):
    python = Path("/usr/bin/python3.11")
    if not python.exists():
        b.emit("### Debian's Python 3.11\n\nskipped: no /usr/bin/python3.11\n")
        return
    # pycache-embedded as the Debian package installs it: no static runtime beside it.
    shared = b.work / "shared-install"
    (shared / "bin").mkdir(parents=True)
    shutil.copy2(b.build / "bin" / "pycache-embedded", shared / "bin" / "pycache-embedded")
    (shared / "bin" / "pycache-python").symlink_to("pycache-embedded")
    shutil.copytree(b.build / "lib" / "pycache", shared / "lib" / "pycache")
    cwd = b.work / "debian"
    cwd.mkdir()
    cmds = [Command("/usr/bin/python3.11 -c pass", [python, "-c", "pass"])]
    static = b.build / "bin" / "pycache-python3.11"
    if b.python.resolve() == python.resolve() and static.exists():
        cmds.append(Command("pycache-python3.11 -c pass (static core)", [static, "-c", "pass"]))
        cmds.append(Command("pycache-python -c pass (static core, through pycache-embedded)",
                            [b.build / "bin" / "pycache-python", "-c", "pass"]))
    cmds.append(Command("pycache-python -c pass (Debian's shared libpython3.11)",
                        [shared / "bin" / "pycache-python", "-c", "pass"]))
    version = b.check([cmds[-1].argv[0], "-c", "import sys; print(sys.version.split()[0])"], cwd=cwd).strip()
    if not version.startswith("3.11."):
        raise BenchError(f"the shared install runs Python {version}, not Debian's 3.11")
    r = b.measure("debian-3.11", cmds, cwd=cwd, follow_exec=True)
    n = list(r)
    b.emit("### Debian's Python 3.11: static and shared core\n")
    b.emit(table(r, [("vs /usr/bin/python3.11", {k: n[0] for k in n})]))
    b.emit(commands_list(r))
    b.emit("")


def discovery_group(b, python312):
    uv_dir = b.work / "uv-pythons"
    uv_dir.mkdir()
    # A uv-style install present beside pyenv's (a copy's name, pyenv's files).
    (uv_dir / "cpython-3.12.99-linux-x86_64-gnu").symlink_to(python312.parent.parent)
    env = env_with_pythons(b, uv_dir)
    cwd = b.work / "discovery"
    cwd.mkdir()
    (cwd / "pyproject.toml").write_text('[project]\nname = "app"\nversion = "1"\n')
    (cwd / ".python-version").write_text("3.12\n")
    saved = b.env
    b.env = env
    try:
        chosen = b.check([b.pycache, "run", "-c", "import sys; print(sys.version.split()[0])"], cwd=cwd).strip()
        if not chosen.startswith("3.12."):
            raise BenchError(f"discovery picks Python {chosen} for .python-version 3.12")
        cmds = [Command("pycache run --python PATH -c pass", [b.pycache, "run", "--python", python312, "-c", "pass"]),
                Command("pycache run -c pass (.python-version 3.12, discovered)", [b.pycache, "run", "-c", "pass"])]
        r = b.measure("discovery", cmds, cwd=cwd, follow_exec=True)
    finally:
        b.env = saved
    n = list(r)
    b.emit("### Discovery: a .python-version against --python PATH\n")
    b.emit(table(r, [("vs --python PATH", {n[0]: n[0], n[1]: n[0]})]))
    b.emit(commands_list(r))
    b.emit(verdict(f"{n[1]} vs {n[0]}", r[n[1]], r[n[0]], DISCOVERY_TARGET))
    b.emit("")


def run(b):
    if not (b.build / "bin" / "pycache-embedded").exists():
        raise BenchError("no bin/pycache-embedded in this build")
    for minor in (10, 12, 13):
        python = pyenv_python(minor)
        if python is None:
            b.emit(f"### Start-up in a venv of pyenv's Python 3.{minor}\n\nskipped: no pyenv 3.{minor}\n")
            continue
        venv_group(b, minor, python)
    debian_group(b)
    python312 = pyenv_python(12)
    if python312:
        discovery_group(b, python312)
