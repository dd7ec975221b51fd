"""User formulas never seen by the registry go through every surface like built-in definitions."""

from __future__ import annotations

import contextlib
import io
import subprocess
import sys

import mpmath as mp
import numpy as np
import pytest
import sympy as sp

import symact
from symact.accuracy import measure, standard_grid
from symact.cli import main
from symact.symbolic.claims import check

XIELU = "Piecewise((ap*x^2 + bt*x, x > 0), (an*(expm1(min(x, eps)) - x) + bt*x, True))"
XIELU_PARAMS = {"ap": 0.8, "an": 0.8, "bt": 0.5, "eps": -1e-6}


def _mish_mp(t):
    return t * mp.tanh(mp.log1p(mp.exp(t)))


def _xielu_mp(t):  # Apertus' xIELU as written in the paper (α_p = α_n = 0.8, β = 0.5, ε = −1e-6)
    ap, an, bt, eps = mp.mpf("0.8"), mp.mpf("0.8"), mp.mpf("0.5"), mp.mpf("-1e-6")
    return ap * t * t + bt * t if t > 0 else an * (mp.expm1(min(t, eps)) - t) + bt * t


def _gate_mp(t):  # a clamped SiLU gate, DeepSeek-V4 style, L = 7
    m = min(t, 7)
    return m / (1 + mp.exp(-m))


USER = {
    "u_mish": ("x*tanh(softplus_fn(x))", None, _mish_mp),
    "u_xielu": (XIELU, XIELU_PARAMS, _xielu_mp),
    "u_gate": ("clamp(x, -oo, 7)*sigma(min(x, 7))", None, _gate_mp),
}


@pytest.fixture(scope="module")
def defined():
    made = [symact.define(name, formula, params) for name, (formula, params, _) in USER.items()]
    yield {a.name: a for a in made}
    for a in made:
        symact.undefine(a.name)


@pytest.mark.parametrize("name", list(USER))
def test_values_match_the_independent_formula(defined, name):
    f = symact.lambdify(name)
    ref = USER[name][2]
    with mp.workdps(40):
        for v in (-20.0, -2.5, -1e-3, -1e-7, 0.0, 0.3, 3.0, 9.5):
            want = float(ref(mp.mpf(v)))
            # xIELU's terms are ~|x| where it crosses zero (x ≈ −2.45): rounding of the terms is the floor there
            assert float(f(v)) == pytest.approx(want, rel=4e-16, abs=1e-15 * abs(v)), (name, v)


@pytest.mark.parametrize("name", list(USER))
def test_derivative_equals_sympys_diff_of_the_expanded_form(defined, name):
    act = symact.get(name)
    ours = symact.derivative(act)
    theirs = sp.diff(symact.to_elementary(act.expr), symact.x)
    for v in ("-3.25", "-0.5", "0.75", "2.5"):
        point = {symact.x: sp.Rational(v), **{p.symbol: p.default for p in act.parameters}}
        assert abs(sp.N(symact.to_elementary(ours).subs(point) - theirs.subs(point), 30)) < 1e-25, (name, v)


@pytest.mark.parametrize("name", list(USER))
def test_lambdify_meets_the_accuracy_target(defined, name):
    """≤ 2 ulp on the standard grid, or — near a root of the function, where any rounding is many ulp of a tiny
    value (xIELU crosses zero near x = −2.45) — within twice what cancellation forces."""
    r = measure(name, grid=standard_grid(dense_step=0.05))
    assert not r.special_failures, r.special_failures
    assert r.max_ulp <= 2 or r.cancellation_excess <= 2, (r.max_ulp, r.worst_x, r.cancellation_excess)
    if name != "u_xielu":
        assert r.max_ulp <= 2, (r.max_ulp, r.worst_x)


@pytest.mark.parametrize("name", list(USER))
def test_every_surface_takes_a_user_definition(defined, name, tmp_path):
    from symact.catalog import activation_sections
    from symact.plot import plot
    from symact.render import render
    from symact.summary import summary

    info = summary(symact.get(name))  # limits, asymptotes, series: each a value or a note, never a crash
    assert all(item.result.value is not None or item.result.note for item in info.limits)
    assert symact.latex(name).startswith(r"\operatorname{" + name.replace("_", r"\_"))
    title, sections = activation_sections(name)
    maths = [t for _, items in sections for k, t in items if k == "math"]
    assert symact.latex(name) in maths and symact.latex(name, 1) in maths
    assert all(m.startswith("<math") for m in render(maths, engine="latex2mathml"))
    assert plot([name], tmp_path / "p.png", derivative=True).read_bytes()[:4] == b"\x89PNG"
    namespace: dict = {}
    exec(symact.export(name), namespace)  # our generated module
    assert namespace[name](0.3) == symact.lambdify(name)(0.3)
    assert check(f"{name}(x) == {name}(x)").verdict == "PROVED"
    assert check(f"diff({name}(x), x) == 0").verdict == "DISPROVED"


def test_a_claim_about_each(defined):
    assert check("u_mish(x) == mish(x)").verdict == "PROVED"
    assert check("u_gate(x) == silu(x)").verdict == "DISPROVED"  # they part above x = 7
    assert check("u_xielu(x, ap=1, an=1, bt=0) == Piecewise((x^2, x > 0), (expm1(min(x, eps)) - x, True))"
                 .replace("eps", "-1e-6")).verdict in ("PROVED", "HOLDS NUMERICALLY")


def test_bad_definitions_are_clear_errors():
    with pytest.raises(symact.InvalidArgumentError, match="built-in"):
        symact.define("gelu", "x")
    with pytest.raises(symact.InvalidArgumentError, match="params=\\{'a': 1.0\\}"):
        symact.define("needs_a", "x*sigma(a*x)")
    with pytest.raises(symact.InvalidArgumentError, match="cannot parse"):
        symact.define("broken", "x*(")
    with pytest.raises(symact.InvalidArgumentError, match="unknown function 'frobnicate'"):
        symact.define("unknown_fn", "frobnicate(x)")
    with pytest.raises(symact.InvalidArgumentError, match="does not use x"):
        symact.define("constant", "2")
    with pytest.raises(symact.InvalidArgumentError, match="snake_case"):
        symact.define("Bad Name", "x")
    assert "needs_a" not in symact.names()


def _cli(*argv):
    out = io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(out):
        code = main(list(argv))
    return code, out.getvalue()


def test_definitions_file_on_the_command_line(tmp_path, monkeypatch):
    defs = tmp_path / "defs.toml"
    defs.write_text('[[activation]]\nname = "toml_swish"\nformula = "x*sigma(a*x)"\nparams = {a = 1.5}\n'
                    'latex = \'\\operatorname{TSwish}\'\nreferences = ["mine"]\n', encoding="utf-8")
    try:
        code, out = _cli("show", "toml_swish", "--defs", str(defs))
        assert code == 0 and "x*sigma(a*x)" in out and "a = 1.5" in out
        code, out = _cli("latex", "toml_swish", "--defs", str(defs))
        assert code == 0 and out.startswith(r"\operatorname{TSwish}")
    finally:
        symact.undefine("toml_swish")
    with monkeypatch.context() as env:
        env.setenv("SYMACT_DEFS", str(defs))
        try:
            assert _cli("check", "toml_swish(x, 1) == silu(x)")[0] == 0
        finally:
            symact.undefine("toml_swish")
    bad = tmp_path / "bad.toml"
    bad.write_text('[[activation]]\nname = "x1"\nformula = "x\n', encoding="utf-8")
    code, out = _cli("list", "--defs", str(bad))
    assert code == 2 and "line 3" in out and "Traceback" not in out
    code, out = _cli("list", "--defs", str(tmp_path / "missing.toml"))
    assert code == 2 and "cannot read definitions file" in out


def test_inline_formulas_and_latex_command():
    code, out = _cli("show", "x*sigma(1.5*x)")
    assert code == 0 and "f(x) = x*sigma(3*x/2)" in out
    code, out = _cli("latex", "x*sigma(1.5*x)", "--order", "2")
    assert code == 0 and len(out.strip().splitlines()) == 3
    code, out = _cli("show", "x*sigma(a*x)")
    assert code == 2 and "a parameter needs a value" in out


@pytest.mark.parametrize("name", symact.blocks.block_names())
def test_show_and_latex_cover_every_block(name):
    code, out = _cli("show", name)
    assert code == 0 and "gradient W" in out and "gradient x" in out
    code, out = _cli("latex", name)
    assert code == 0 and r"\frac{\partial L}{\partial W}" in out


def test_accuracy_command():
    code, out = _cli("accuracy", "mish", "--step", "0.5")
    assert code == 0 and "float64" in out and "float32" in out and "textbook formula cancels" in out
    code, out = _cli("accuracy", "x^2", "--step", "0.5")
    assert code == 0 and "max 0 ulp" in out


def test_softplus_lambdify_names_both_fixes():
    with pytest.raises(symact.MissingParameterError, match=r"beta=1\.0.*lambdify\('softplus', derivative=1\)"):
        symact.lambdify(symact.derivative("softplus"))


def test_definitions_module_runs_in_a_fresh_process(tmp_path):
    """A definitions file works for a new interpreter through SYMACT_DEFS alone."""
    defs = tmp_path / "d.toml"
    defs.write_text('[[activation]]\nname = "fresh_act"\nformula = "x*Phi(x)^2"\n', encoding="utf-8")
    done = subprocess.run([sys.executable, "-m", "symact", "show", "fresh_act"], capture_output=True, text=True,
                          env={**__import__("os").environ, "SYMACT_DEFS": str(defs)}, timeout=120)
    assert done.returncode == 0 and "x*Phi(x)**2" in done.stdout
    assert np.isfinite(0.0)


def test_user_latex_renders_in_katex(defined):
    from helpers import skip_or_fail

    from symact.render import katex_status, render

    if katex_status():
        skip_or_fail("SYMACT_REQUIRE_KATEX", f"KaTeX unavailable: {katex_status()}")
    texs = [symact.latex(name, k) for name in USER for k in (0, 1, 2)]
    assert all("<math" in m for m in render(texs, engine="katex"))
