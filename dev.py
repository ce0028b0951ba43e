#!/usr/bin/env python3
"""Set-up in one command on a fresh machine with nothing but Python 3.11+.

    python3 dev.py chat [gendan chat options]   # install into .venv, then talk to the bot (SQLite)
    python3 dev.py test [pytest options]        # install into .venv with test extras, run the tests
    python3 dev.py gendan <any gendan command>  # install, then run any gendan command

The virtualenv is (re)installed only when pyproject.toml changed since the last install.
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
PYTHON = BIN / ("python.exe" if os.name == "nt" else "python")


def ensure_installed(extras: str) -> None:
    if sys.version_info < (3, 11):
        sys.exit("gendan needs Python 3.11 or newer")
    if not PYTHON.exists():
        print("creating .venv …", flush=True)
        venv.EnvBuilder(with_pip=True).create(VENV)
    digest = hashlib.sha256((ROOT / "pyproject.toml").read_bytes() + extras.encode()).hexdigest()
    stamp = VENV / f".installed-{extras or 'base'}"
    if stamp.exists() and stamp.read_text() == digest:
        return
    print(f"installing gendan{f'[{extras}]' if extras else ''} into .venv …", flush=True)
    quiet = ["-q"] if os.environ.get("CI") else []
    subprocess.run([str(PYTHON), "-m", "pip", "install", *quiet, "--upgrade", "pip", "setuptools>=82"], check=True)
    target = f".[{extras}]" if extras else "."
    subprocess.run([str(PYTHON), "-m", "pip", "install", *quiet, "-e", target], cwd=ROOT, check=True)
    stamp.write_text(digest)


def main(argv: list[str]) -> int:
    if not argv or argv[0] not in {"chat", "test", "gendan"}:
        print(__doc__)
        return 2
    command, rest = argv[0], argv[1:]
    if command == "test":
        ensure_installed("test")
        return subprocess.call([str(PYTHON), "-m", "pytest", *rest], cwd=ROOT)
    ensure_installed("")
    args = ["chat", *rest] if command == "chat" else rest
    return subprocess.call([str(PYTHON), "-m", "bot", *args])


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
