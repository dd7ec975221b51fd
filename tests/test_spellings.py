"""Framework spellings (symact.spellings): every Hugging Face ACT2CLS key, the pointwise activations of
torch.nn.functional and jax.nn, checked against the frameworks' formulas written here in mpmath with the
frameworks' constants (never from symact's output), and the bad-input errors."""

from __future__ import annotations

import math

import mpmath as mp
import numpy as np
import pytest

import symact
from symact import spellings
from symact.errors import SymactError, UnknownActivationError
from symact.spellings import FRAMEWORKS, HF, JAX, TORCH

mpf = mp.mpf
D = lambda v: mpf(float(v))  # noqa: E731  (a stored double, exactly)
GRID = np.concatenate([np.linspace(-12, 12, 193), -np.geomspace(1e-8, 30, 40), np.geomspace(1e-8, 30, 40)])


def _sp(t):
    return mp.log1p(mp.exp(t)) if t < 30 else t + mp.log1p(mp.exp(-t))


def _tanh_form(c, k):
    return lambda t: t / 2 * (1 + mp.tanh(D(c) * (t + D(k) * t**3)))


def _hf_xielu():
    """HF's XIELUActivation at initialisation, its parameters read from the module."""
    import torch
    from transformers.activations import ACT2FN

    m = ACT2FN["xielu"]
    ap = D(torch.nn.functional.softplus(m.alpha_p).item())
    an = D((m.beta + torch.nn.functional.softplus(m.alpha_n)).item())
    b, e = D(m.beta.item()), D(m.eps.item())
    def terms(t):
        return ap * t * t + b * t if t > 0 else an * abs(mp.expm1(min(t, e)) - t) + b * abs(t)

    return (lambda t: ap * t * t + b * t if t > 0 else an * (mp.expm1(min(t, e)) - t) + b * t), terms


# Hugging Face 5.24's activations.py, written independently: its constants as Python floats
HF_FORMULAS = {
    "gelu": lambda t: t * mp.ncdf(t),
    "gelu_python": lambda t: t / 2 * (1 + mp.erf(t / D(math.sqrt(2.0)))),
    "gelu_new": _tanh_form(math.sqrt(2.0 / math.pi), 0.044715),
    "gelu_accurate": _tanh_form(math.sqrt(2 / math.pi), 0.044715),
    "gelu_python_tanh": _tanh_form(math.sqrt(2.0 / math.pi), 0.044715),
    "gelu_pytorch_tanh": _tanh_form(math.sqrt(2.0 / math.pi), 0.044715),
    "gelu_fast": lambda t: t / 2 * (1 + mp.tanh(t * D(0.7978845608) * (1 + D(0.044715) * t * t))),
    "gelu_10": lambda t: min(max(t * mp.ncdf(t), -10), 10),
    "quick_gelu": lambda t: t / (1 + mp.exp(-D(1.702) * t)),
    # HF: 0.5·(1 + erf((x − mu)/(sigma·√2))), written with erfc(−w) = 1 + erf(w) (no cancellation in mpmath)
    "laplace": lambda t: mp.erfc(-(t - D(0.707107)) / D(0.282095 * math.sqrt(2.0))) / 2,
    "leaky_relu": lambda t: t if t > 0 else D(0.01) * t,
    "linear": lambda t: t,
    "mish": lambda t: t * mp.tanh(_sp(t)),
    "prelu": lambda t: t if t > 0 else t / 4,
    "relu": lambda t: max(t, 0),
    "relu2": lambda t: max(t, 0) ** 2,
    "relu6": lambda t: min(max(t, 0), 6),
    "sigmoid": lambda t: 1 / (1 + mp.exp(-t)),
    "silu": lambda t: t / (1 + mp.exp(-t)),
    "swish": lambda t: t / (1 + mp.exp(-t)),
    "tanh": mp.tanh,
    "hardswish": lambda t: t * min(max(t + 3, 0), 6) / 6,
    "sqrtsoftplus": lambda t: mp.sqrt(t if t > 20 else _sp(t)),  # F.softplus's threshold 20
    "xielu": None,  # read from the module (bfloat16 parameters)
}


def _ulps(got: np.ndarray, want: list) -> np.ndarray:
    want64 = np.array([float(w) for w in want])
    err = np.array([abs(mpf(float(g)) - w) for g, w in zip(got, want, strict=True)], dtype=object)
    scale = np.maximum(np.spacing(np.abs(want64)), np.spacing(1e-300))
    return np.array([float(e) for e in err]) / scale


def _check(qualified: str, formula, terms=None) -> float:
    """Max ulp error of symact's spelling against ``formula``; with ``terms`` (Σ|terms| of a sum that cancels
    at a root of the function itself, as xIELU's negative branch does) the ulp is that of Σ|terms|, the
    accuracy criterion of tests/test_accuracy.py for cancelling sums."""
    f = symact.lambdify(qualified)
    got = f(GRID)
    want = _exact(formula)
    if terms is None:
        return float(np.max(_ulps(got, want)))
    scale = np.array([max(abs(float(w)), float(terms(mpf(float(t))))) for t, w in zip(GRID, want, strict=True)])
    err = np.array([float(abs(mpf(float(g)) - w)) for g, w in zip(got, want, strict=True)])
    return float(np.max(err / np.spacing(scale)))


def _exact(formula) -> list:
    # precision raised until stable: 1 + tanh(z) cancels to 1e-289 at x = -20.7
    return [symact.oracle.exact_value(formula, mpf(float(t))) for t in GRID]


def test_act2cls_is_covered_by_the_table():
    """Every key of the pinned transformers' ACT2CLS is spelled, and the test's own formulas cover it."""
    transformers = pytest.importorskip("transformers")
    from transformers.activations import ACT2CLS

    assert transformers.__version__ == HF.version
    assert set(ACT2CLS) == {s.name for s in HF.spellings} == set(HF_FORMULAS)


@pytest.mark.parametrize("key", sorted(HF_FORMULAS))
def test_hf_spelling_matches_hf_formula(key):
    formula, terms = HF_FORMULAS[key], None
    if formula is None:
        pytest.importorskip("transformers")
        formula, terms = _hf_xielu()
    assert _check(f"hf:{key}", formula, terms) <= 4.0


def test_gelu_fast_with_the_exact_constant_fails_the_tolerance():
    """The negative control: HF's truncated √(2/π) is visible at 4 ulp (it is 1.4e-11 relative)."""
    exact = symact.get("hf:gelu_fast").expr.xreplace({spellings.TRUNCATED_SQRT_2_OVER_PI: spellings.SQRT_2_OVER_PI})
    wrong = symact.lambdify(exact)
    want = _exact(HF_FORMULAS["gelu_fast"])
    assert np.max(_ulps(wrong(GRID), want)) > 4.0


# torch.nn.functional and jax.nn, as documented (constants as the frameworks store them)
TORCH_FORMULAS = {
    "gelu": lambda t: t * mp.ncdf(t),
    "gelu(approximate='tanh')": _tanh_form(math.sqrt(2) * (2 / math.sqrt(math.pi)) * 0.5, 0.044715),
    "softplus": lambda t: t if t > 20 else _sp(t),
    "softplus(beta=2)": lambda t: t if 2 * t > 20 else _sp(2 * t) / 2,
    "leaky_relu": lambda t: t if t > 0 else D(0.01) * t,
    "hardtanh": lambda t: min(max(t, -1), 1),
    "softsign": lambda t: t / (1 + abs(t)),
    "tanhshrink": lambda t: t - mp.tanh(t),
    "softshrink": lambda t: t - mpf("0.5") if t > 0.5 else (t + mpf("0.5") if t < -0.5 else 0),
    "hardshrink": lambda t: t if abs(t) > 0.5 else 0,
    "rrelu": lambda t: t if t >= 0 else D((0.125 + 1 / 3) / 2) * t,
    "selu": lambda t: D(1.0507009873554804934193349852946) * (
        t if t > 0 else D(1.6732632423543772848170429916717) * mp.expm1(t)),
    "celu": lambda t: max(t, 0) + min(0, mp.expm1(t)),
    "logsigmoid": lambda t: -_sp(-t),
}
JAX_FORMULAS = {
    "gelu": _tanh_form(float(np.sqrt(2 / np.pi)), 0.044715),
    "gelu(approximate=False)": lambda t: t * mp.ncdf(t),
    "squareplus": lambda t: (t + mp.sqrt(t * t + 4)) / 2,
    "sparse_plus": lambda t: 0 if t <= -1 else (t if t >= 1 else (t + 1) ** 2 / 4),
    "sparse_sigmoid": lambda t: 0 if t <= -1 else (1 if t >= 1 else (t + 1) / 2),
    "soft_sign": lambda t: t / (1 + abs(t)),
    "hard_silu": lambda t: t * min(max(t + 3, 0), 6) / 6,
    "softplus": _sp,
}


@pytest.mark.parametrize(("fw", "key"), [("torch", k) for k in TORCH_FORMULAS] + [("jax", k) for k in JAX_FORMULAS],
                         ids=lambda v: str(v))
def test_framework_spelling_matches_documented_formula(fw, key):
    formula = (TORCH_FORMULAS if fw == "torch" else JAX_FORMULAS)[key]
    assert _check(f"{fw}:{key}", formula) <= 4.0


def test_every_pointwise_activation_of_the_pinned_frameworks_is_classified():
    """A new torch/jax release with a new activation fails here until the table says what it is."""
    torch = pytest.importorskip("torch")
    jax = pytest.importorskip("jax")
    import torch.nn.modules.activation as acts

    assert torch.__version__.split("+")[0] == TORCH.version
    assert jax.__version__ == JAX.version
    spelled_torch = {s.name for s in TORCH.spellings}
    for cls in acts.__all__:
        functional = {"LogSigmoid": "logsigmoid", "ReLU6": "relu6", "SiLU": "silu", "RReLU": "rrelu",
                      "PReLU": "prelu", "LeakyReLU": "leaky_relu"}.get(cls, cls.lower())
        assert functional in spelled_torch or cls in TORCH.not_pointwise, cls
    public = {n for n in dir(jax.nn) if not n.startswith("_")}
    spelled_jax = {s.name for s in JAX.spellings}
    unclassified = public - spelled_jax - set(JAX.not_pointwise)
    assert not unclassified, unclassified


def test_which_gelu_shows_that_torch_and_hf_mean_erf_and_jax_tanh():
    w = symact.which("gelu")
    meaning = {q: means for q, means, _, _ in w.meanings}
    assert meaning["torch:gelu"] == "gelu" and meaning["hf:gelu"] == "gelu" and meaning["keras:gelu"] == "gelu"
    assert meaning["jax:gelu"] == "gelu_tanh" and meaning["jax:gelu(approximate=False)"] == "gelu"
    assert w.ambiguous
    assert {"torch:gelu", "hf:gelu_python", "jax:gelu(approximate=False)"} <= {s[0] for s in w.spellings}


def test_jax_gelu_is_the_tanh_form_with_stored_doubles():
    act = symact.get("jax:gelu")
    assert act.expr.has(sp_rational(0.044715) * sp_rational(float(np.sqrt(2 / np.pi))))
    assert "approximate=True is the default" in act.notes


def sp_rational(v: float):
    import sympy

    return sympy.Rational(v)


def test_blocks_keep_the_framework_layout():
    assert symact.blocks.get_block("vllm:mul_and_silu").layout.gate_first is False
    assert symact.blocks.get_block("vllm:silu_and_mul").layout.gate_first is True
    assert symact.blocks.get_block("torch:glu").layout.fused == "halves"


def test_claims_read_qualified_names():
    from symact.symbolic.claims import check

    assert check("torch:gelu(approximate='tanh')(x) == jax:gelu(x)").verdict == "PROVED"
    assert check("jax:gelu(x) == torch:gelu(x)").verdict == "DISPROVED"


@pytest.mark.parametrize("bad", ["jx:gelu", "torch:gelu_fastt", "torch:gelu(approximate='foo')", "hf:", "torch:glu"])
def test_bad_qualified_names_are_clear_errors(bad):
    with pytest.raises(SymactError) as info:
        symact.get(bad)
    text = str(info.value)
    assert ("known" in text or "block" in text or "framework:name" in text), text


def test_unknown_prefix_suggests_the_closest():
    with pytest.raises(UnknownActivationError, match="did you mean 'jax'"):
        symact.get("jx:gelu")
    with pytest.raises(UnknownActivationError, match="hf:gelu_fast"):
        symact.get("hf:gelu_fastt")


def test_tables_carry_versions():
    assert all(fw.version and fw.source for fw in FRAMEWORKS.values())


def test_cli_which_and_show_print_the_facts(capsys):
    from symact.cli import main

    assert main(["which", "gelu"]) == 0
    out = capsys.readouterr().out
    assert "they disagree" in out and "jax:gelu" in out and "gelu_tanh" in out and "hf:gelu_python" in out
    assert main(["show", "jax:gelu", "--timeout", "60"]) == 0
    out = capsys.readouterr().out
    assert "approximate=True is the default" in out and "JAX 0.10.2" in out
    assert main(["which", "nosuch_name"]) == 2
    assert main(["show", "jx:gelu"]) == 2
    assert "did you mean 'jax'" in capsys.readouterr().err


def test_plot_takes_qualified_names(tmp_path):
    pytest.importorskip("matplotlib")
    from symact.plot import parse_curve, plot

    assert parse_curve("torch:softplus:beta=2") == ("torch:softplus", {"beta": 2.0})
    assert parse_curve("torch:gelu(approximate='tanh')") == ("torch:gelu(approximate='tanh')", {})
    path = plot(["jax:gelu", "torch:gelu", "vllm:silu_and_mul"], tmp_path / "p.png")
    assert path.exists() and path.stat().st_size > 1000


def test_catalog_pages_list_the_framework_spellings():
    from symact.catalog import activation_sections, block_sections

    def spelled(sections):
        return [text for title, items in sections if title == "Framework spellings" for _, text in items]

    gelu = spelled(activation_sections("gelu")[1])
    assert any(t.startswith("torch:gelu:") for t in gelu) and any(t.startswith("jax:gelu(approximate=False)")
                                                                  for t in gelu)
    assert not any(t.startswith("jax:gelu:") for t in gelu)  # jax:gelu is the tanh form
    assert any(t.startswith("vllm:mul_and_silu") for t in spelled(block_sections("swiglu_fused")[1]))
