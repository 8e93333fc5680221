#!/usr/bin/env python3
"""One entry point for set-up and the project's jobs; needs nothing but Python.

    python3 dev.py run      set up, then run the main job on a bundled dataset
    python3 dev.py test     set up, then lint, run the test suite and build the docs
    python3 dev.py bench    set up, then run the benchmarks in benchmarks/
    python3 dev.py docs     set up, then build the docs (warnings are errors)
    python3 dev.py setup    only set up

Set-up creates ``.venv`` beside this file and installs sklstm in editable mode
with every extra, under ``constraints.txt``. The constraints pin
``torch==2.13.0`` so pip takes the CPU wheel instead of pulling several GB of
CUDA packages; the package's own requirement on torch stays loose.
Set-up is skipped when nothing it depends on changed since the last one.
Arguments after the job name are passed on (``python3 dev.py run --horizon 6``).
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
BIN = VENV / ("Scripts" if os.name == "nt" else "bin")
PY = BIN / ("python.exe" if os.name == "nt" else "python")
STAMP = VENV / ".sklstm-setup"
EXTRAS = "dev,docs,plot,dask,bench"
SETUP_INPUTS = ("setup.cfg", "pyproject.toml", "constraints.txt", "dev.py")


def _sh(*cmd: object, **kw) -> None:
    print("+", " ".join(str(c) for c in cmd), flush=True)
    subprocess.run([str(c) for c in cmd], check=True, cwd=ROOT, **kw)


def _fingerprint() -> str:
    h = hashlib.sha256()
    for name in SETUP_INPUTS:
        h.update((ROOT / name).read_bytes())
    return h.hexdigest()


def setup() -> None:
    """Create the virtual environment and install sklstm with its extras."""
    if STAMP.exists() and STAMP.read_text() == _fingerprint():
        return
    if not PY.exists():
        print(f"creating {VENV}", flush=True)
        venv.EnvBuilder(with_pip=True).create(VENV)
    pip = [PY, "-m", "pip", "--disable-pip-version-check"]
    _sh(*pip, "install", "-q", "-c", "constraints.txt", "-e", f".[{EXTRAS}]")
    STAMP.write_text(_fingerprint())


def run(args: list[str]) -> None:
    _sh(PY, "-m", "sklstm", *args)


def docs(args: list[str]) -> None:
    _sh(PY, "-m", "sphinx", "-W", "--keep-going", "-q", "-b", "html",
        "docs", "docs/_build/html", *args)


def test(args: list[str]) -> None:
    _sh(PY, "-m", "ruff", "check", ".")
    _sh(PY, "-m", "pytest", *args)
    if (ROOT / "docs" / "conf.py").exists():
        docs([])


def bench(args: list[str]) -> None:
    scripts = sorted((ROOT / "benchmarks").glob("bench_*.py"))
    for script in scripts:
        _sh(PY, script, *args)


JOBS = {"run": run, "test": test, "bench": bench, "docs": docs,
        "setup": lambda args: None}


def main(argv: list[str]) -> int:
    if not argv or argv[0] not in JOBS:
        print(__doc__)
        return 2
    setup()
    # OpenMP threads that spin-wait starve each other when several torch
    # processes share few cores (GridSearchCV(n_jobs=k)); passive waiting avoids it.
    os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
    try:
        JOBS[argv[0]](argv[1:])
    except subprocess.CalledProcessError as exc:
        return exc.returncode or 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
