"""The code base stays ruff-clean (ruff comes with the [test] extra)."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def test_ruff_clean():
    ruff = shutil.which("ruff")
    if ruff is None:
        pytest.fail("ruff is missing: install the test extra, pip install -e '.[test]'")
    out = subprocess.run([ruff, "check", "symact", "tests", "benchmarks", "derivations"], cwd=ROOT,
                         capture_output=True, text=True)
    assert out.returncode == 0, out.stdout + out.stderr
