"""The property sheet against facts the test derives itself: the papers' formulas in mpmath (tests/helpers.py) at
40 digits, closed forms (Lambert W, SELU's constants), and smoothness classes worked out by hand."""

from __future__ import annotations

import json

import mpmath as mp
import pytest
import sympy as sp
from helpers import SELU_ALPHA_PAPER, SELU_LAMBDA_PAPER, reference

import symact
from symact.cli import main
from symact.symbolic.properties import CERTIFIED, NUMERIC, SYMBOLIC, Number, properties

# Sheets that take under ~2 s run in the fast suite; the others (tanh/σ forms of GELU, Mish, SELU, …) in the slow set.
CHEAP = {"identity", "relu", "relu6", "relu_squared", "sigmoid", "tanh", "gelu", "silu", "softplus", "elu", "celu",
         "hard_swish", "hard_sigmoid", "hardtanh", "hardshrink", "softshrink", "sparse_plus", "sparse_sigmoid",
         "leaky_relu", "prelu", "rrelu", "threshold", "softsign", "xielu", "log_sigmoid", "swish", "gelu_10"}
ENTRIES = [pytest.param(n, id=n, marks=() if n in CHEAP else pytest.mark.slow) for n in symact.names()]

# Smoothness worked out by hand from the definitions (shared/REFERENCE.md): the lowest derivative order that jumps
# at a breakpoint, minus one (-1: f itself jumps); None: C^∞.
SMOOTHNESS = {
    "relu": 0, "relu6": 0, "leaky_relu": 0, "prelu": 0, "rrelu": 0, "hardtanh": 0, "hard_sigmoid": 0,
    "hard_swish": 0,  # x(x+3)/6 has slope −1/2 at −3 (0 on the left) and 3/2 at 3 (1 on the right)
    "sparse_plus": 1,  # (x+1)²/4: value and slope meet 0 at −1 and x at 1; the second derivative 1/2 does not
    "sparse_sigmoid": 0, "relu_squared": 1, "elu": 1, "celu": 1, "selu": 0, "softshrink": 0, "threshold": 0,
    "softsign": 1,  # x/(1+x) and x/(1−x): slope 1 at 0 from both sides, second derivatives −2 and 2
    "hardshrink": -1,  # jumps from 0 to ±1/2
    "gelu_10": -1,  # 10·Φ(10) ≠ 10: a jump of 7.6e-23 at x = 10
    "xielu": -1,  # alpha_n·(e^eps − 1) ≠ 0 at 0⁻: a jump of 8e-7 (the definition's expm1(min(x, eps)))
}


def _points(seg_lo: Number, seg_hi: Number) -> list[mp.mpf]:
    lo, hi = seg_lo.value, seg_hi.value
    if lo == -mp.inf and hi == mp.inf:
        return [mp.mpf(v) for v in (-20, -1.3, 0.7, 20)]
    if lo == -mp.inf:
        return [mp.mpf(hi) - d for d in (0.5, 3, 20)]
    if hi == mp.inf:
        return [mp.mpf(lo) + d for d in (0.5, 3, 20)]
    return [mp.mpf(lo) + (mp.mpf(hi) - lo) * mp.mpf(t) for t in ("0.1", "0.5", "0.9")]


def _sign(v: mp.mpf, tiny: str = "1e-300") -> int:
    """0 below ``tiny`` (GELU' at −20 is −2.5e-93, a sign; mp.diff of a linear branch leaves ~1e-38)."""
    return 0 if abs(v) <= mp.mpf(tiny) else (1 if v > 0 else -1)


@pytest.mark.parametrize("name", ENTRIES)
def test_sheet_agrees_with_the_papers_formula(name):
    sheet = properties(name)
    f = reference(name)
    assert abs(sheet.f0.value - f(0)) < 1e-30 if sheet.f0.exact is None else abs(mp.mpf(sp.N(sheet.f0.exact, 40))
                                                                                  - f(0)) < mp.mpf(10) ** -35
    want = {"increasing": 1, "decreasing": -1, "constant": 0}
    for seg in sheet.monotonicity:
        for t in _points(seg.lo, seg.hi):
            # strict kinds: any nonzero value is a sign (Laplace' at −20 is 1e-1170), and beyond |x| = 5 a 0 is
            # allowed (at 20 Laplace is 1 − e^-2300: mp.diff's difference quotient is 0); constant: mp.diff's noise
            got = _sign(mp.diff(f, t), "1e-30" if seg.kind == "constant" else "0")
            assert got == want[seg.kind] or (got == 0 and abs(t) > 5), (name, str(seg), t)
    # convex allows linear stretches (ReLU; mp.diff leaves ~1e-54 there): never the other sign
    bend = {"convex": {1, 0}, "concave": {-1, 0}, "linear": {0}}
    for seg in sheet.convexity:
        for t in _points(seg.lo, seg.hi):
            assert _sign(mp.diff(f, t, 2), "1e-25" if seg.kind == "linear" else "1e-40") in bend[seg.kind], \
                (name, str(seg), t)
    # a coarse grid, plus the extrema and the inflection points (where |f'| peaks)
    grid = [mp.mpf(k) / 8 for k in range(-320, 321, 3)] + [e.at.value for e in sheet.extrema] + \
        [s.lo.value for s in sheet.convexity if not s.lo.infinite]
    values = [f(t) for t in grid]
    far = [f(-mp.mpf(10) ** 9), f(mp.mpf(10) ** 9)]  # limits approached like 1/x (softsign) are within 1e-8 there
    inf, sup = sheet.range[0].lo, sheet.range[-1].hi
    if inf.infinite:
        assert min(f(-mp.mpf(10) ** 6), f(mp.mpf(10) ** 6)) < -100
    else:
        lo, hi = inf.bounds()
        assert min(values) >= lo - mp.mpf(10) ** -30 and min(values + far) - hi < 1e-6
    if sup.infinite:
        assert max(f(-mp.mpf(10) ** 6), f(mp.mpf(10) ** 6)) > 100
    else:
        lo, hi = sup.bounds()
        assert max(values) <= hi + mp.mpf(10) ** -30 and lo - max(values + far) < 1e-6
    for e in sheet.extrema:
        at = e.at.value
        if e.at.exact is not None and e.at.exact in symact.breakpoints(sheet.expr):
            kinks = sorted(float(b) for b in symact.breakpoints(sheet.expr))
            d = min([1e-3] + [(q - p) / 4 for p, q in zip(kinks, kinks[1:], strict=False)])  # xIELU's 1e-6 apart
            side = [f(mp.mpf(at) - mp.mpf(d)), f(mp.mpf(at) + mp.mpf(d))]
            assert all((s > f(at)) if e.kind == "minimum" else (s < f(at)) for s in side)
        else:  # f' changes sign across the enclosure of the root (widened by 1e-20): an independent bracket
            lo, hi = (e.at.bounds() if e.at.how != NUMERIC else (mp.mpf(at), mp.mpf(at)))
            left, right = mp.diff(f, lo - mp.mpf("1e-20")), mp.diff(f, hi + mp.mpf("1e-20"))
            assert (left < 0 < right) if e.kind == "minimum" else (left > 0 > right), (name, str(e))
            if e.at.how != NUMERIC:
                assert e.at.width < 1e-25 and e.value.width < 1e-25
        lo, hi = e.value.bounds()
        assert lo - mp.mpf(10) ** -25 <= f(mp.mpf(e.at.ball.mid().str(45, radius=False))) <= hi + mp.mpf(10) ** -25
    kinks = [float(b) for b in symact.breakpoints(sheet.expr)]
    near = [mp.mpf(b) + d for b in kinks for d in (-1e-7, 1e-7)]  # one-sided slopes (hard-swish's 3/2 at 3⁻)
    slopes = [abs(mp.diff(f, t)) for t in grid + near if all(abs(t - b) > 1e-8 for b in kinks)]
    if sheet.lipschitz.infinite:
        assert sheet.smoothness == -1 or max(abs(mp.diff(f, mp.mpf(10) ** 3)), abs(mp.diff(f, -mp.mpf(10) ** 3))) > 100
    else:
        lo, hi = sheet.lipschitz.bounds()
        assert max(slopes) <= hi + mp.mpf(10) ** -25
        assert lo - max(slopes + [abs(mp.diff(f, mp.mpf(60))), abs(mp.diff(f, mp.mpf(-60)))]) < 1e-3
    assert sheet.smoothness == SMOOTHNESS.get(name), (name, sheet.smoothness_text)
    assert sheet.odd == all(abs(f(t) + f(-t)) < 1e-30 for t in (mp.mpf("0.3"), mp.mpf("1.7"), mp.mpf(5)))
    assert set(sheet.how.values()) <= {SYMBOLIC, CERTIFIED, NUMERIC}


@pytest.mark.parametrize("beta", ["1/2", "1", pytest.param("2", marks=pytest.mark.slow),
                                  pytest.param("3", marks=pytest.mark.slow)])
def test_swish_minimum_is_lambert_w(beta):
    b = mp.mpf(sp.Rational(beta).p) / sp.Rational(beta).q
    at = -(1 + mp.lambertw(1 / mp.e)) / b
    value = at / (1 + mp.exp(-b * at))
    (minimum,) = properties("swish", beta=sp.Rational(beta)).extrema
    assert minimum.kind == "minimum" and minimum.is_global
    for number, want in ((minimum.at, at), (minimum.value, value)):
        lo, hi = number.bounds()
        assert lo - mp.mpf(10) ** -32 <= want <= hi + mp.mpf(10) ** -32 and number.width < 1e-25
    assert minimum.at.exact is not None and minimum.at.exact.has(sp.LambertW)  # the closed form, not only a ball


@pytest.mark.parametrize("name", [pytest.param("gelu", id="gelu"),
                                  pytest.param("mish", id="mish", marks=pytest.mark.slow)])
def test_gelu_and_mish_minima(name):
    f = reference(name)
    at = mp.findroot(lambda t: mp.diff(f, t), mp.mpf("-0.9"))
    (minimum,) = properties(name).extrema
    for number, want in ((minimum.at, at), (minimum.value, f(at))):
        lo, hi = number.bounds()
        assert lo - mp.mpf(10) ** -32 <= want <= hi + mp.mpf(10) ** -32 and number.width < 1e-25
        assert number.how == CERTIFIED
    assert minimum.is_global
    assert properties(name).how["extrema"] == CERTIFIED  # the tails too: no "numeric" anywhere for these two


@pytest.mark.slow
def test_selu_range_is_minus_lambda_alpha_to_infinity():
    (span,) = properties("selu").range
    lam_alpha = mp.mpf(SELU_LAMBDA_PAPER) * mp.mpf(SELU_ALPHA_PAPER)
    assert not span.lo_closed and span.hi.infinite == 1
    lo, hi = span.lo.bounds()
    assert lo - mp.mpf(10) ** -30 <= -lam_alpha <= hi + mp.mpf(10) ** -30 and span.lo.exact is not None


@pytest.mark.parametrize(("name", "lo", "hi"), [("softplus", 0, sp.oo), ("sigmoid", 0, 1), ("tanh", -1, 1)])
def test_open_ranges(name, lo, hi):
    (span,) = properties(name).range
    assert (span.lo.exact, span.hi.exact, span.lo_closed, span.hi_closed) == (lo, hi, False, False)


def test_lipschitz_constants_and_smoothness_classes():
    assert properties("sigmoid").lipschitz.exact == sp.Rational(1, 4)  # σ'(0) = 1/4, its maximum
    assert properties("tanh").lipschitz.exact == 1
    assert properties("relu").smoothness == 0 and properties("relu").smoothness_text.startswith("C^0")
    assert properties("gelu").smoothness is None
    assert properties("tanh").identity_near_zero and properties("tanh").odd and properties("tanh").zero_centred
    assert not properties("sigmoid").zero_centred and not properties("gelu").identity_near_zero


def test_elu_is_c1_exactly_when_alpha_is_1():
    one, two = properties("elu"), properties("elu", alpha=2)
    assert one.smoothness == 1 and two.smoothness == 0
    assert any("alpha = 1 (holds here)" in c for c in one.conditions)
    assert any("alpha = 1 (not at these parameters)" in c for c in two.conditions)
    assert properties("celu", alpha=2).smoothness == 1  # CELU's slope is 1 at 0⁻ for every alpha
    assert not any("f' is continuous" in c for c in properties("celu", alpha=2).conditions)


def test_a_users_formula_gets_a_sheet_with_numeric_marks():
    t = symact.x
    sheet = properties(t * sp.erf(sp.erf(t)))  # nested saturating functions: no proved tail rule
    assert NUMERIC in sheet.how.values() and sheet.notes
    (minimum,) = sheet.extrema
    assert minimum.at.exact == 0 and minimum.value.exact == 0
    assert "[numeric]" in sheet.report()
    f = lambda v: v * mp.erf(mp.erf(v))  # noqa: E731
    assert sheet.range[0].lo.exact == 0 and all(f(mp.mpf(v)) >= 0 for v in (-3, -0.5, 0.5, 3))


def test_properties_rejects_loose_parameters():
    with pytest.raises(symact.MissingParameterError):
        properties(symact.x * symact.sigma(sp.Symbol("k") * symact.x))


def test_cli_properties(capsys):
    assert main(["properties", "sigmoid"]) == 0
    out = capsys.readouterr().out
    assert "Lipschitz constant  1/4" in out and "range               (0, 1)" in out
    assert main(["properties", "elu", "--param", "alpha=2", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["smoothness"] == 0 and data["range"][0]["lo"]["exact"] == "-2"
    assert main(["properties", "swiglu"]) == 2
    assert "is a block" in capsys.readouterr().err
    assert main(["properties", "gelux"]) == 2
    assert main(["show", "relu", "--properties"]) == 0
    assert "Properties of relu" in capsys.readouterr().out


def test_a_defined_activation_gets_a_sheet_at_its_parameters():
    act = symact.define("test_props_swish", "x*sigma(a*x)", params={"a": 2})
    try:
        (minimum,) = properties("test_props_swish").extrema
        at = -(1 + mp.lambertw(1 / mp.e)) / 2  # Swish_β's argmin at β = 2
        lo, hi = minimum.at.bounds()
        assert lo - mp.mpf(10) ** -30 <= at <= hi + mp.mpf(10) ** -30
        # a parameter given at the call moves it: β = 1/2 puts the argmin four times farther out
        (other,) = properties(act, a=sp.Rational(1, 2)).extrema
        assert abs(other.at.value - 4 * minimum.at.value) < 1e-12
    finally:
        symact.undefine("test_props_swish")
