"""How fast perfrules starts: `import perfrules` and the command line's help.

    python benchmarks/startup.py [--rounds 20]

Each case is a fresh Python process, timed from start to exit; the cases run
round robin and each keeps its best time, so that a shared, noisy machine
slows them alike; bytecode is cached (after one round not counted), as for
an installed package. Times are read against `python -c pass` measured in the
same run (issue 17's targets: `import perfrules` ≤ 3×, `perfrules --help`
≤ 4×), by wall time (the targets' measure) and by CPU time (steadier when
other work shares the cores). The command line is started as the `perfrules` console script starts
it (`perfrules.__main__:run`). For each case the modules it loaded are
counted, with the heavy ones named; `python -X importtime -c "import
perfrules"` shows where the time of one goes.
"""

from __future__ import annotations

import argparse
import os
import resource
import subprocess
import sys
import tempfile
import time

# The console script: `perfrules = "perfrules.__main__:run"` (pyproject.toml).
_CLI = "import sys; sys.argv[0] = 'perfrules'; from perfrules.__main__ import run; run()"

CASES: dict[str, list[str]] = {
    "python -c pass": ["-c", "pass"],
    "import perfrules": ["-c", "import perfrules"],
    "perfrules --help": ["-c", _CLI, "--help"],
    "perfrules --version": ["-c", _CLI, "--version"],
    "perfrules score --help": ["-c", _CLI, "score", "--help"],
    "perfrules demo --help": ["-c", _CLI, "demo", "--help"],
}

TARGETS = {"import perfrules": 3.0, "perfrules --help": 4.0}

# Modules that mean work a start-up does not need: the scheme model (attrs
# classes), hypothesis, pandas and the like, typing, Decimal arithmetic.
HEAVY = ("attr", "hypothesis", "pandas", "numpy", "openpyxl", "tqdm", "typing", "decimal", "tomllib")


def best_times(rounds: int) -> dict[str, float]:
    """The best wall time of each case over ``rounds`` rounds, run round robin."""
    return {name: wall for name, (wall, _) in best_wall_and_cpu(rounds).items()}


def best_wall_and_cpu(rounds: int) -> dict[str, tuple[float, float]]:
    """Each case's best wall time and best CPU time (user + system of the process) over ``rounds`` rounds.

    CPU time does not count the time a process waits for a core, so on a busy
    machine it is the steadier of the two.
    """
    wall = {name: float("inf") for name in CASES}
    cpu = dict(wall)
    with tempfile.TemporaryDirectory() as cache:
        env = _cached_bytecode(cache)
        for counted in range(rounds + 1):  # the first round fills the bytecode cache and is not counted
            for name, args in CASES.items():
                before = resource.getrusage(resource.RUSAGE_CHILDREN)
                start = time.perf_counter()
                subprocess.run([sys.executable, *args], check=True, stdout=subprocess.DEVNULL, env=env)
                seconds = time.perf_counter() - start
                after = resource.getrusage(resource.RUSAGE_CHILDREN)
                if counted:
                    wall[name] = min(wall[name], seconds)
                    used = after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime
                    cpu[name] = min(cpu[name], used)
    return {name: (wall[name], cpu[name]) for name in CASES}


def _cached_bytecode(cache: str) -> dict[str, str]:
    """The environment for the cases: bytecode cached (in ``cache``, not the source tree), as when installed.

    Without it (PYTHONDONTWRITEBYTECODE, or a source tree newer than its
    __pycache__) every run would compile the changed modules again and time that.
    """
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    env["PYTHONPYCACHEPREFIX"] = cache
    return env


def loaded(args: list[str]) -> tuple[int, list[str]]:
    """How many modules a case ends with, and which of them are heavy or perfrules' own."""
    probe = "import atexit, sys; atexit.register(lambda: print(*sorted(sys.modules), file=sys.stderr))\n"
    if args[0] == "-c":
        args = ["-c", probe + args[1], *args[2:]]
    done = subprocess.run([sys.executable, *args], capture_output=True, text=True, check=True)
    names = done.stderr.split()
    ours = [n for n in names if n.startswith("perfrules") or n.split(".")[0] in HEAVY]
    return len(names), ours


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--rounds", type=int, default=20, help="rounds of every case (default: 20)")
    args = parser.parse_args()
    best = best_wall_and_cpu(args.rounds)
    bare_wall, bare_cpu = best["python -c pass"]
    print(
        f"best of {args.rounds}, round robin; baseline python -c pass: "
        f"wall {bare_wall * 1000:.1f} ms, CPU {bare_cpu * 1000:.1f} ms"
    )
    print(f"{'':24} {'wall':>8} {'ratio':>6} {'CPU':>8} {'ratio':>6}")
    for name, (wall, cpu) in best.items():
        ratio = wall / bare_wall
        target = TARGETS.get(name)
        verdict = (
            "" if target is None else f"  target ≤ {target:g}×: {'met' if ratio <= target else 'MISSED'}"
        )
        count, ours = loaded(CASES[name])
        print(
            f"{name:24} {wall * 1000:5.1f} ms {ratio:5.2f}× {cpu * 1000:5.1f} ms {cpu / bare_cpu:5.2f}×"
            f"  {count:3} modules{verdict}"
        )
        print(f"{'':24} {' '.join(ours) or '-'}")


if __name__ == "__main__":
    main()
