"""Committed documents must be exactly what the code generates."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from symact import derivations

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.parametrize("name", list(derivations.DOCUMENTS))
def test_committed_document_is_up_to_date(name):
    path = ROOT / "derivations" / f"{name}.md"
    assert path.exists(), f"missing {path}: run python -m symact.derivations"
    assert path.read_text(encoding="utf-8") == derivations.render(name), (
        f"{path} is stale: run python -m symact.derivations {name}")


def test_readme_links_every_document():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    for name in derivations.DOCUMENTS:
        assert f"derivations/{name}.md" in readme


def test_check_mode_detects_stale(tmp_path):
    (tmp_path / "identities.md").write_text("old\n", encoding="utf-8")
    out = subprocess.run([sys.executable, "-m", "symact.derivations", "identities", "--check", "--out",
                          str(tmp_path)], capture_output=True, text=True)
    assert out.returncode == 1 and "stale" in out.stderr


def test_every_identity_is_proved():
    text = derivations.render("identities")
    assert "**no**" not in text and text.count("| yes |") == 7
