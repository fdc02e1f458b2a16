"""Shared machinery of scripts/bench and its sections (scripts/bench.d/*.py).

A section gets a `Bench` and uses:
  bench.work          its scratch directory (tmpfs when /dev/shm is there)
  bench.results       its results directory (raw hyperfine JSON, summary.json)
  bench.python / .pycache / .pycache_python   the binaries compared
  bench.measure(group, commands, cwd)   hyperfine + callgrind, all commands in one run
  bench.minimal_embed()                 the reference embedding program, compiled once
  bench.gen_tree(dest, *args)           scripts/gen_tree
  bench.check(argv, cwd)                runs a command in the controlled environment
  bench.emit(markdown)                  stdout and report.md
and the free functions `table`, `ratio`, `ratio_interval`, `percent`.

Every command runs in the same controlled environment, `env -i PATH=... HOME=...`:
no PYTHON* variable (the machine exports PYTHONDONTWRITEBYTECODE=1), no user policy.
"""
import json
import os
import random
import re
import shlex
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

SCRIPTS = Path(__file__).resolve().parent
REPO = SCRIPTS.parent
SECTIONS_DIR = SCRIPTS / "bench.d"
PATH = "/usr/local/bin:/usr/bin:/bin"

# The reference embedding program (see Bench.minimal_embed).
EMBED_C = "#include <Python.h>\nint main(int c, char **v) { return Py_BytesMain(c, v); }\n"


class BenchError(Exception):
    """A benchmark could not be run or measured; the message says why."""


def log(message):
    print(f"bench: {message}", file=sys.stderr, flush=True)


@dataclass
class Command:
    name: str                          # the row label
    argv: list                         # run without a shell (hyperfine -N)
    prepare: list | None = None        # run, untimed, before each run (e.g. remove caches)

    def line(self):
        return shlex.join(str(a) for a in self.argv)


@dataclass
class Result:
    command: Command
    times: list                        # seconds, every timed run of every round
    user: float                        # mean seconds
    system: float
    instructions: int | None = None    # median over the callgrind runs
    instruction_runs: list = field(default_factory=list)

    @property
    def median(self):
        return statistics.median(self.times)

    def as_json(self):
        return {
            "name": self.command.name, "command": self.command.line(),
            "prepare": shlex.join(self.command.prepare) if self.command.prepare else None,
            "median_s": self.median, "min_s": min(self.times), "max_s": max(self.times),
            "mean_s": statistics.fmean(self.times),
            "stddev_s": statistics.stdev(self.times) if len(self.times) > 1 else 0.0,
            "user_s": self.user, "system_s": self.system, "runs": len(self.times), "times_s": self.times,
            "instructions": self.instructions, "instruction_runs": self.instruction_runs,
        }


def spread(total, bins):
    base, extra = divmod(total, bins)
    return [base + (1 if i < extra else 0) for i in range(bins)]


def ratio(result, baseline):
    """(wall, instructions) of `result` over `baseline`, from medians; instructions may be None."""
    wall = result.median / baseline.median
    instr = None
    if result.instructions and baseline.instructions:
        instr = result.instructions / baseline.instructions
    return wall, instr


def ratio_interval(result, baseline, resamples=2000, level=0.95):
    """A bootstrap interval for the ratio of median wall times: how well the run resolves it."""
    rng = random.Random(0)
    a, b = result.times, baseline.times
    values = sorted(
        statistics.median(rng.choices(a, k=len(a))) / statistics.median(rng.choices(b, k=len(b)))
        for _ in range(resamples))
    cut = int(resamples * (1 - level) / 2)
    return values[cut], values[-cut - 1]


def percent(r):
    return "n/a" if r is None else f"{(r - 1) * 100:+.1f}%"


def table(results, columns=()):
    """A markdown table of `results` (name -> Result, in order). Each of `columns`
    is (header, {row name: baseline row name}): a ratio column, wall / instructions."""
    head = ["command", "median ms", "min–max ms", "user+sys ms", "instructions"]
    head += [f"{h} (wall / instr)" for h, _ in columns]
    lines = ["| " + " | ".join(head) + " |", "|" + "|".join(["---"] + ["---:"] * (len(head) - 1)) + "|"]
    for name, r in results.items():
        cells = [name, f"{r.median * 1e3:.2f}", f"{min(r.times) * 1e3:.2f}–{max(r.times) * 1e3:.2f}",
                 f"{(r.user + r.system) * 1e3:.1f}",
                 f"{r.instructions / 1e6:.2f} M" if r.instructions else "–"]
        for _, mapping in columns:
            base = mapping.get(name)
            if base is None:
                cells.append("")
            elif base == name:
                cells.append("baseline")
            else:
                wall, instr = ratio(r, results[base])
                cells.append(f"{wall:.3f} / {instr:.3f}" if instr else f"{wall:.3f} / –")
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines) + "\n"


def commands_list(results):
    out = []
    for name, r in results.items():
        line = f"- {name}: `{r.command.line()}`"
        if r.command.prepare:
            line += f" (before each run: `{shlex.join(r.command.prepare)}`)"
        out.append(line)
    return "\n".join(out) + "\n"


class Bench:
    def __init__(self, build, runs, warmup, rounds, callgrind_runs, results_root, work_root, quick, max_load=None,
                 runtime=None):
        self.max_load = max_load
        self.build = Path(build).resolve()
        self.runs, self.warmup, self.rounds = runs, warmup, rounds
        self.callgrind_runs, self.quick = callgrind_runs, quick
        self.results_root, self.work_root = Path(results_root), Path(work_root)
        self.pycache = self.build / "bin" / "pycache"
        if not os.access(self.pycache, os.X_OK):
            raise BenchError(f"no '{self.pycache}': build it first (cmake --build {self.build})")
        self.home = self.work_root / "home"
        self.home.mkdir(parents=True, exist_ok=True)
        self.env = {"PATH": PATH, "HOME": str(self.home)}
        self.hyperfine = self._tool("hyperfine")
        self.valgrind = self._tool("valgrind") if callgrind_runs > 0 else None
        # One line per runtime: "  pycache-python3.12  CPython 3.12.1 of /x/python3.12, shared libpython /x/lib..."
        self.version_line = self.check([self.pycache, "--version"]).strip()
        self.runtime = None
        for line in self.version_line.splitlines():
            m = re.match(r"\s+pycache-python(\S+) +CPython (\S+) of (\S+), (static|shared) libpython", line)
            # The default runtime: the program's own, else (pycache-embedded) the first listed.
            if m and (m.group(1) == runtime or (runtime is None and (", this program" in line or not self.runtime))):
                self.runtime, self.python_version, self.python = m.group(1), m.group(2), Path(m.group(3))
                self.link = m.group(4).upper()
        if not self.runtime:
            raise BenchError(f"no runtime {runtime or '(the default)'} in '{self.version_line}'")
        # The runtime's own program (pycache-python is pycache-embedded, which hands its runs to it).
        self.pycache_python = self.build / "bin" / f"pycache-python{self.runtime}"
        if not os.access(self.pycache_python, os.X_OK):
            raise BenchError(f"no '{self.pycache_python}' in this build (-DPYCACHE_PYTHONS)")
        self._embed = None
        self.embed_command = None
        self.section = None
        self.work = self.results = None

    @staticmethod
    def _tool(name):
        path = shutil.which(name)
        if not path:
            raise BenchError(f"'{name}' is not installed (Debian package '{name}')")
        return path

    def begin_section(self, name):
        self.section = name
        self.work = self.work_root / name
        self.results = self.results_root / name
        self.work.mkdir(parents=True, exist_ok=True)
        self.results.mkdir(parents=True, exist_ok=True)
        self._summary = {}

    def end_section(self):
        (self.results / "summary.json").write_text(json.dumps(self._summary, indent=1) + "\n")

    def emit(self, text=""):
        print(text, flush=True)
        with open(self.results_root / "report.md", "a") as f:
            f.write(text + "\n")

    def check(self, argv, cwd=None, env=None):
        """Runs `argv` in the controlled environment; its stdout, or BenchError."""
        p = subprocess.run([str(a) for a in argv], cwd=cwd, env=env or self.env, text=True,
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        if p.returncode != 0:
            raise BenchError(f"'{shlex.join(str(a) for a in argv)}' exited {p.returncode}: {p.stderr.strip()}")
        return p.stdout

    def gen_tree(self, dest, *args):
        self.check([sys.executable, "-I", "-B", SCRIPTS / "gen_tree", dest, "--quiet", *args])

    def minimal_embed(self):
        """A program whose main() is only Py_BytesMain, linked to libpython the way
        pycache is (cmake/Python.cmake): the floor any embedding launcher starts from."""
        if self._embed:
            return self._embed
        facts = dict(line.split("=", 1) for line in
                     self.check([self.python, "-I", "-S", REPO / "cmake" / "python_facts.py"]).splitlines())
        include, libdir = self.check([self.python, "-I", "-S", "-c",
                                      "import sysconfig as s; print(s.get_path('include')); "
                                      "print(s.get_config_var('LIBDIR') or '')"]).splitlines()
        cc = "cc"
        cache = self.build / "CMakeCache.txt"
        if cache.exists():
            m = re.search(r"^CMAKE_C_COMPILER:\w+=(.+)$", cache.read_text(), re.M)
            if m and m.group(1).strip():
                cc = m.group(1).strip()
        if self.link == "STATIC":
            libs = [f"{facts['LIBPL']}/{facts['LIBRARY']}", "-no-pie", "-Wl,--export-dynamic",
                    *facts["SYSLIBS"].split()]
        else:
            libs = [f"-L{libdir}", f"-lpython{facts['MAJOR_MINOR']}{facts['ABIFLAGS']}", f"-Wl,-rpath,{libdir}",
                    "-Wl,--export-dynamic"]
        d = Path(tempfile.mkdtemp(prefix="embed.", dir=self.work_root))
        (d / "embed.c").write_text(EMBED_C)
        argv = [cc, "-O2", f"-I{include}", str(d / "embed.c"), "-o", str(d / "minimal-embed"), *libs]
        self.check(argv)
        self.embed_command = shlex.join(argv)
        self._embed = d / "minimal-embed"
        return self._embed

    def measure(self, group, commands, cwd, callgrind=True, follow_exec=False):
        """Times every command with hyperfine, all in the same run (in `rounds`
        invocations, every other one in reverse order, pooled), then counts each
        one's instructions under callgrind. Returns {name: Result} in order."""
        rounds = max(1, min(self.rounds, self.runs // 2))
        pooled = {c.name: [] for c in commands}
        cpu = {c.name: [0.0, 0.0, 0] for c in commands}
        any_prepare = any(c.prepare for c in commands)
        for index, runs in enumerate(spread(self.runs, rounds)):
            order = commands if index % 2 == 0 else commands[::-1]
            out = self.results / f"{group}.round{index + 1}.json"
            argv = [self.hyperfine, "-N", "--style", "basic", "--warmup", str(self.warmup), "--runs", str(runs),
                    "--export-json", str(out)]
            if any_prepare:
                for c in order:
                    argv += ["--prepare", shlex.join(str(a) for a in (c.prepare or ["true"]))]
            for c in order:
                argv += ["--command-name", c.name, c.line()]
            self._wait_for_quiet()
            log(f"{self.section}/{group}: hyperfine round {index + 1}/{rounds}, {len(commands)} commands x {runs} runs")
            p = subprocess.run(argv, cwd=cwd, env=self.env, stdout=sys.stderr)
            if p.returncode != 0:
                raise BenchError(f"hyperfine failed (exit {p.returncode}) on {group}")
            data = json.loads(out.read_text())["results"]
            for c, r in zip(order, data):
                pooled[c.name] += r["times"]
                acc = cpu[c.name]
                acc[0] += r["user"] * len(r["times"])
                acc[1] += r["system"] * len(r["times"])
                acc[2] += len(r["times"])
        results = {c.name: Result(c, pooled[c.name], cpu[c.name][0] / cpu[c.name][2], cpu[c.name][1] / cpu[c.name][2])
                   for c in commands}
        if callgrind and self.valgrind:
            for c in commands:
                log(f"{self.section}/{group}: callgrind x{self.callgrind_runs}: {c.name}")
                counts = [self._instructions(c, cwd, follow_exec) for _ in range(self.callgrind_runs)]
                results[c.name].instruction_runs = counts
                results[c.name].instructions = int(statistics.median(counts))
        self._summary[group] = [r.as_json() for r in results.values()]
        return results

    def _wait_for_quiet(self, patience=900):
        """On a shared machine: waits (at most `patience` seconds) for the 1-minute
        load average to drop to max_load, so that rounds run when it is quiet."""
        if self.max_load is None:
            return
        deadline = time.monotonic() + patience
        while os.getloadavg()[0] > self.max_load and time.monotonic() < deadline:
            log(f"load average {os.getloadavg()[0]:.2f} > {self.max_load}: waiting")
            time.sleep(20)

    def _instructions(self, command, cwd, follow_exec=False):
        if command.prepare:
            self.check(command.prepare, cwd=cwd)
        out = Path(tempfile.mktemp(prefix="callgrind.", dir=self.work_root))
        # follow_exec: across an exec (pycache run handing off to another
        # runtime), the part before it is dumped on its own (OUT.1), the exec'd
        # program's in OUT; both count.
        follow = ["--trace-children=yes", "--dump-before=execv"] if follow_exec else []
        try:
            self.check([self.valgrind, "--tool=callgrind", *follow, f"--callgrind-out-file={out}",
                        "--log-file=/dev/null", *command.argv], cwd=cwd)
            total = 0
            for dump in [out, *sorted(out.parent.glob(out.name + ".*"))]:
                m = re.search(r"^summary:\s*(\d+)", dump.read_text(), re.M)
                if not m:
                    raise BenchError(f"no summary line in callgrind's output for '{command.line()}'")
                total += int(m.group(1))
            return total
        finally:
            for dump in [out, *out.parent.glob(out.name + ".*")]:
                dump.unlink(missing_ok=True)
