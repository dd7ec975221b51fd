"""Rendering LaTeX with a real engine: KaTeX under Node, in strict mode, to MathML.

MathML needs no fonts or style sheets, so pre-rendered pages work offline in any current browser.
KaTeX is found through ``SYMACT_NODE_PATH`` or ``NODE_PATH``, else in ``./node_modules`` or the
``.ci-node/node_modules`` folder that ``.ci/run`` installs it into (``npm install katex``).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from collections.abc import Sequence
from pathlib import Path

from .errors import SymactError

SCRIPT = Path(__file__).with_name("katex_render.js")
_ROOT = Path(__file__).resolve().parents[1]


class KatexUnavailable(SymactError, RuntimeError):
    """Node or the katex package is missing (the message says how to install them)."""


class LatexRenderError(SymactError, ValueError):
    """KaTeX rejected a formula."""


def _node_path() -> str | None:
    candidates = [os.environ.get("SYMACT_NODE_PATH"), *os.environ.get("NODE_PATH", "").split(os.pathsep),
                  str(Path.cwd() / "node_modules"), str(_ROOT / ".ci-node" / "node_modules"),
                  str(_ROOT / "node_modules")]
    for c in candidates:
        if c and (Path(c) / "katex" / "package.json").exists():
            return c
    return None


def katex_status() -> str | None:
    """None when KaTeX can run here, else the reason it cannot (naming the fix)."""
    if shutil.which("node") is None:
        return "Node.js is not installed (apt-get install nodejs)"
    if _node_path() is None:
        return "the katex npm package is not found: run `npm install katex` here or set SYMACT_NODE_PATH"
    return None


def render(texs: Sequence[str], *, display: bool = True) -> list[str]:
    """MathML for each LaTeX string; raises :class:`LatexRenderError` listing every rejected formula."""
    problem = katex_status()
    if problem:
        raise KatexUnavailable(problem)
    payload = json.dumps([{"tex": t, "display": display} for t in texs])
    env = {**os.environ, "NODE_PATH": _node_path() or ""}
    done = subprocess.run(["node", str(SCRIPT)], input=payload, capture_output=True, text=True, env=env,
                          timeout=300, check=False)
    if done.returncode != 0:
        raise KatexUnavailable(f"node failed: {done.stderr.strip()[:500]}")
    results = json.loads(done.stdout)
    bad = [(t, r["error"]) for t, r in zip(texs, results, strict=True) if not r["ok"]]
    if bad:
        raise LatexRenderError("KaTeX rejected: " + "; ".join(f"{t!r}: {e}" for t, e in bad[:5])
                               + (f" (and {len(bad) - 5} more)" if len(bad) > 5 else ""))
    return [r["html"] for r in results]


__all__ = ["KatexUnavailable", "LatexRenderError", "katex_status", "render"]
