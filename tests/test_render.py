"""Every LaTeX string symact emits is rendered by KaTeX (strict mode): an invalid formula fails here."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from helpers import skip_or_fail

import symact
from symact import blocks as B
from symact.reference import REFERENCE, reference_latex
from symact.render import LatexRenderError, katex_status, render
from symact.symbolic.claims import check

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def katex():
    problem = katex_status()
    if problem:
        skip_or_fail("SYMACT_REQUIRE_KATEX", f"KaTeX unavailable: {problem}")
    return render


def _markdown_math(text: str) -> list[str]:
    display = re.findall(r"\$\$(.+?)\$\$", text, flags=re.S)
    rest = re.sub(r"\$\$(.+?)\$\$", "", text, flags=re.S)
    return [d.strip() for d in display] + re.findall(r"\$([^$\n]+)\$", rest)


def test_api_latex(katex):
    texs = [symact.latex(n, k) for n in symact.names() for k in range(4)]
    texs += [symact.get(n)._repr_latex_().strip("$") for n in symact.names()]
    assert len(katex(texs)) == len(texs)


def test_block_latex(katex):
    texs = []
    for name in B.block_names():
        for output in (False, True):
            for bias in (False, True):
                texs.append(B.latex(name, output=output, bias=bias))
                texs += list(B.gradient_latex(name, output=output, bias=bias).values())
    texs += [B.latex(B.gated("mish")), B.latex(B.ffn("elu"), output=True)]
    katex(texs)


def test_reference_implementations_latexify(katex):
    katex([reference_latex(n) for n in REFERENCE])


def test_claim_verdicts(katex):
    texs = [check(c)._repr_latex_().strip("$") for c in ("silu(x) == swish(x, 1)", "gelu_tanh(x) ~ gelu(x)")]
    katex(texs)


def test_catalog_formulas(katex):
    from symact.catalog import all_formulas

    katex(all_formulas())


def test_derivations(katex):
    texs = []
    for path in sorted((ROOT / "derivations").glob("*.md")):
        texs += _markdown_math(path.read_text(encoding="utf-8"))
    assert len(texs) > 50
    katex(texs)


def test_cli_latex_output(katex):
    exe = shutil.which("symact")
    cmd = [exe] if exe else [sys.executable, "-m", "symact"]
    texs = []
    for name in ("gelu", "swish", "relu", "selu", "gelu_tanh"):
        out = subprocess.run([*cmd, "show", name, "--latex"], capture_output=True, text=True, check=True).stdout
        for line in out.splitlines():
            label, _, formula = line.partition("  ")
            formula = formula.strip()
            if label.startswith(("definition", "1st", "2nd", "limit", "asymptote", "series")) and \
                    not formula.startswith(("undecided", "n/a")):
                texs.append(formula)
    assert len(texs) >= 25
    katex(texs)


def test_invalid_latex_is_rejected(katex):
    with pytest.raises(LatexRenderError, match="KaTeX rejected"):
        katex([r"\frac{1}{", r"\operatorname{GELU}(x)"])
    with pytest.raises(LatexRenderError):
        katex([r"\text{limit → 0}"])  # strict mode: unknown unicode in text is an error


def test_every_catalog_formula_renders_with_latex2mathml():
    """The Node-free engine takes every LaTeX string the catalog emits (KaTeX's strict check is above)."""
    from symact.catalog import all_formulas

    texs = all_formulas()
    out = render(texs, engine="latex2mathml")
    assert len(out) == len(texs) and all(m.startswith("<math") for m in out)
    with pytest.raises(LatexRenderError):
        render([r"\frac{1}{"], engine="latex2mathml")
