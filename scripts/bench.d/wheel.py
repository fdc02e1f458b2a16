"""The wheel: start-up of a pycache installed from the wheel against a source install.

One group, side by side in one hyperfine run: `pycache run -c pass` in a
project whose venv pyenv's 3.12 made, run by
- a source install: `cmake --install BUILD --prefix DIR --strip` of the build
  benchmarked (pycache-embedded, its links and modules);
- the wheel (scripts/package's, PYCACHE_BENCH_WHEEL or the newest
  build-package/dist/pycache-*.whl), `pip install --no-index` into a venv of
  its own, as pipx and uv tool install it, run through that venv's
  bin/pycache.
Target: the wheel within 1% of the source install in instructions.
"""
import os
import sys
from pathlib import Path

from benchlib import REPO, BenchError, Command, commands_list, table

sys.path.insert(0, str(Path(__file__).resolve().parent))
from interpreters import pyenv_python, verdict  # noqa: E402

WHEEL_TARGET = 1.01


def find_wheel():
    given = os.environ.get("PYCACHE_BENCH_WHEEL")
    if given:
        return Path(given)
    found = sorted((REPO / "build-package" / "dist").glob("pycache-*.whl"), key=lambda p: p.stat().st_mtime)
    if not found:
        raise BenchError("no wheel: run scripts/package, or set PYCACHE_BENCH_WHEEL")
    return found[-1]


def run(b):
    python = pyenv_python(12)
    if python is None:
        b.emit("### The wheel against a source install\n\nskipped: no pyenv 3.12\n")
        return
    wheel = find_wheel()
    source = b.work / "source-install"
    b.check(["cmake", "--install", b.build, "--prefix", source, "--strip", "--component", "embed_modules"])
    tool = b.work / "wheel-install"
    b.check([python, "-m", "venv", tool])
    b.check([tool / "bin" / "python", "-m", "pip", "install", "-q", "--no-index", "--disable-pip-version-check", wheel])
    project = b.work / "wheel-project"
    project.mkdir()
    (project / "pyproject.toml").write_text('[project]\nname = "app"\nversion = "1"\n\n[tool.pycache]\n')
    b.check([python, "-m", "venv", "--without-pip", project / ".venv"])
    probe = ["run", "-c", "import sys; print(sys.version.split()[0])"]
    versions = {b.check([p / "bin" / "pycache", *probe], cwd=project).strip() for p in (source, tool)}
    if len(versions) != 1 or not versions.pop().startswith("3.12."):
        raise BenchError(f"the two installs run different Pythons in a 3.12 venv: {versions}")
    cmds = [Command("source install: pycache run -c pass", [source / "bin" / "pycache", "run", "-c", "pass"]),
            Command("wheel install: pycache run -c pass", [tool / "bin" / "pycache", "run", "-c", "pass"])]
    r = b.measure("wheel", cmds, cwd=project, follow_exec=True)
    n = list(r)
    size = wheel.stat().st_size
    b.emit(f"### The wheel ({wheel.name}, {size / 2**20:.1f} MiB) against a source install\n")
    b.emit(table(r, [("vs source install", {n[0]: n[0], n[1]: n[0]})]))
    b.emit(commands_list(r))
    b.emit(verdict(f"{n[1]} vs {n[0]}", r[n[1]], r[n[0]], WHEEL_TARGET))
    b.emit("")
