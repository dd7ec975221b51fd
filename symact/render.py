"""Rendering LaTeX to MathML: latex2mathml (pure Python, always installed) or KaTeX under Node (strict mode).

MathML needs no fonts or scripts, so pre-rendered pages work offline in any current browser. ``engine="auto"``
uses KaTeX where Node and the katex package are found (its MathML is the more complete), else latex2mathml.
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


ENGINES = ("auto", "katex", "latex2mathml")


def choose_engine(engine: str = "auto") -> str:
    """The engine ``engine`` names ("auto": KaTeX when it can run here, else latex2mathml)."""
    if engine not in ENGINES:
        raise SymactError(f"unknown LaTeX engine {engine!r}: choose {', '.join(ENGINES)}")
    if engine == "auto":
        return "katex" if katex_status() is None else "latex2mathml"
    return engine


def render(texs: Sequence[str], *, display: bool = True, engine: str = "katex") -> list[str]:
    """MathML for each LaTeX string; raises :class:`LatexRenderError` listing every rejected formula."""
    engine = choose_engine(engine)
    if engine == "latex2mathml":
        return _render_latex2mathml(texs, display)
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


def _render_latex2mathml(texs: Sequence[str], display: bool) -> list[str]:
    from latex2mathml.converter import convert

    out, bad = [], []
    for t in texs:
        try:
            out.append(convert(t, display="block" if display else "inline"))
        except Exception as exc:  # noqa: BLE001  the converter raises many kinds; each is a rejection
            bad.append((t, f"{type(exc).__name__}: {exc}"))
    out = [_limits_under(m) for m in out]
    if bad:
        raise LatexRenderError("latex2mathml rejected: " + "; ".join(f"{t!r}: {e}" for t, e in bad[:5])
                               + (f" (and {len(bad) - 5} more)" if len(bad) > 5 else ""))
    return out


def _limits_under(mathml: str) -> str:
    """latex2mathml writes lim_{x→∞} as a subscript (msub); a display limit has it underneath (munder)."""
    opening = "<msub><mo>lim</mo>"
    while opening in mathml:
        start = mathml.index(opening)
        depth, i = 0, start
        while True:  # the matching </msub>, nested msub counted
            nxt_open, nxt_close = mathml.find("<msub>", i + 1), mathml.find("</msub>", i + 1)
            if nxt_close < 0:
                return mathml
            if 0 <= nxt_open < nxt_close:
                depth, i = depth + 1, nxt_open
                continue
            if depth == 0:
                end = nxt_close
                break
            depth, i = depth - 1, nxt_close
        inner = mathml[start + len(opening):end]
        mathml = (mathml[:start] + '<munder><mo movablelimits="false">lim</mo>' + inner + "</munder>"
                  + mathml[end + len("</msub>"):])
    return mathml


__all__ = ["ENGINES", "KatexUnavailable", "choose_engine", "LatexRenderError", "katex_status", "render"]
