from __future__ import annotations

import mpmath as mp
import numpy as np
import pytest
import scipy.special as sc
import sympy as sp
from helpers import skip_or_fail

import symact
from symact import blocks as B
from symact import x

NAMES = B.block_names()


# --- independent references, straight from the papers' formulas -------------------------------

def _np_act(name: str, z: np.ndarray, beta: float = 1.0) -> np.ndarray:
    return {
        "identity": lambda: z,
        "relu": lambda: np.maximum(z, 0),
        "sigmoid": lambda: 1 / (1 + np.exp(-z)),
        "gelu": lambda: z * 0.5 * (1 + sc.erf(z / np.sqrt(2))),
        "swish": lambda: z / (1 + np.exp(-beta * z)),
        "gelu_tanh": lambda: z / 2 * (1 + np.tanh(np.sqrt(2 / np.pi) * (z + 0.044715 * z**3))),
        "relu_squared": lambda: np.maximum(z, 0) ** 2,
        # gpt-oss GptOssExperts._apply_gate: gate.clamp(max=7) * sigmoid(1.702 * gate), (up.clamp(-7, 7) + 1)
        "oai_gate": lambda: np.minimum(z, 7) / (1 + np.exp(-1.702 * np.minimum(z, 7))),
        "oai_value": lambda: np.clip(z, -7, 7) + 1,
        # DeepSeek-V4: silu(min(gate, 10)) * clamp(up, -10, 10)
        "v4_gate": lambda: np.minimum(z, 10) / (1 + np.exp(-np.minimum(z, 10))),
        "v4_value": lambda: np.clip(z, -10, 10),
        # Apertus / HF XIELUActivation at initialisation: alpha_p = alpha_n = 0.8, beta = 0.5, eps = -1e-6
        "xielu": lambda: np.where(z > 0, 0.8 * z * z + 0.5 * z, 0.8 * (np.expm1(np.minimum(z, -1e-6)) - z) + 0.5 * z),
    }[name]()


# (activation on the first projection, on the second or None) as the papers write each block
PAPER = {
    "ffn_relu": ("relu", None), "ffn_gelu": ("gelu", None), "ffn_swish": ("swish", None),
    "glu": ("identity", "sigmoid"),          # Dauphin et al. 2017: (xW + b) * sigmoid(xV + c)
    "bilinear": ("identity", "identity"),    # Shazeer 2020 eq. 5
    "reglu": ("relu", "identity"), "geglu": ("gelu", "identity"), "swiglu": ("swish", "identity"),
    "swiglu_oai": ("oai_gate", "oai_value"), "swiglu_clamped": ("v4_gate", "v4_value"),
    "geglu_tanh": ("gelu_tanh", "identity"), "reglu_squared": ("relu_squared", "identity"),
    "ffn_relu_squared": ("relu_squared", None), "swiglu_fused": ("swish", "identity"),
    "ffn_xielu": ("xielu", None), "ffn_gelu_tanh": ("gelu_tanh", None),
}


def paper_numpy(name, xs, W, V=None, b=None, c=None, W2=None, b2=None, beta=1.0):
    first, second = PAPER[name]
    u = xs @ W + (0 if b is None else b)
    hidden = _np_act(first, u, beta)
    if second:
        hidden = hidden * _np_act(second, xs @ V + (0 if c is None else c), beta)
    return hidden if W2 is None else hidden @ W2 + (0 if b2 is None else b2)


def _mp_act(name, z, beta):
    def oai(t):
        m = min(t, 7)
        return m / (1 + mp.exp(-mp.mpf("1.702") * m))

    def v4(t):
        m = min(t, 10)
        return m / (1 + mp.exp(-m))

    return {"identity": lambda: z, "relu": lambda: max(z, 0), "sigmoid": lambda: 1 / (1 + mp.exp(-z)),
            "gelu": lambda: z * mp.ncdf(z), "swish": lambda: z / (1 + mp.exp(-beta * z)),
            "gelu_tanh": lambda: z / 2 * (1 + mp.tanh(mp.sqrt(2 / mp.pi) * (z + mp.mpf("0.044715") * z**3))),
            "relu_squared": lambda: max(z, 0) ** 2, "oai_gate": lambda: oai(z),
            "oai_value": lambda: min(max(z, -7), 7) + 1, "v4_gate": lambda: v4(z),
            "v4_value": lambda: min(max(z, -10), 10),
            "xielu": lambda: (mp.mpf("0.8") * z * z + z / 2 if z > 0
                              else mp.mpf("0.8") * (mp.expm1(min(z, mp.mpf("-1e-6"))) - z) + z / 2)}[name]()


def paper_mpmath_loss(name, p, G, beta=1):
    """L = sum(G * Y) in mpmath, Y from the paper's formula; p holds mp matrices as nested lists."""
    first, second = PAPER[name]
    X, Wm = p["x"], p["W"]
    n, d, h = len(X), len(X[0]), len(Wm[0])
    total = mp.mpf(0)
    for i in range(n):
        hidden = []
        for j in range(h):
            u = sum(X[i][k] * Wm[k][j] for k in range(d)) + (p["b"][j] if "b" in p else 0)
            val = _mp_act(first, u, beta)
            if second:
                v = sum(X[i][k] * p["V"][k][j] for k in range(d)) + (p["c"][j] if "c" in p else 0)
                val *= _mp_act(second, v, beta)
            hidden.append(val)
        if "W2" in p:
            for o in range(len(p["W2"][0])):
                y = sum(hidden[j] * p["W2"][j][o] for j in range(h)) + (p["b2"][o] if "b2" in p else 0)
                total += G[i][o] * y
        else:
            total += sum(G[i][j] * hidden[j] for j in range(h))
    return total


def random_weights(name, n, d, h, d_out, bias, seed):
    rng = np.random.default_rng(seed)
    block = B.get_block(name)
    w = {"W": rng.normal(size=(d, h))}
    if block.gated:
        w["V"] = rng.normal(size=(d, h))
    if bias:
        w["b"] = rng.normal(size=h)
        if block.gated:
            w["c"] = rng.normal(size=h)
    if d_out:
        w["W2"] = rng.normal(size=(h, d_out))
        if bias:
            w["b2"] = rng.normal(size=d_out)
    return rng.normal(size=(n, d)) * 1.5, w


SHAPES = [(5, 4, 6, 3), (1, 3, 2, 2), (3, 1, 4, 1), (2, 4, 4, None), (4, 2, 7, 5)]  # n, d, h, d_out


@pytest.mark.parametrize("name", NAMES)
@pytest.mark.parametrize("shape", SHAPES, ids=lambda s: "n{}-d{}-h{}-o{}".format(*s))
@pytest.mark.parametrize("bias", [True, False], ids=["bias", "nobias"])
def test_forward_matches_paper_formula(name, shape, bias):
    n, d, h, d_out = shape
    xs, w = random_weights(name, n, d, h, d_out, bias, seed=n * 100 + d * 10 + h)
    ours = B.forward(name, xs, **w)
    ref = paper_numpy(name, xs, **w)
    assert ours.shape == ref.shape == (n, d_out or h)
    np.testing.assert_allclose(ours, ref, rtol=1e-13, atol=1e-13)


def test_swiglu_beta_parameter():
    xs, w = random_weights("swiglu", 3, 2, 4, 2, True, seed=7)
    np.testing.assert_allclose(B.forward("swiglu", xs, beta=1.7, **w), paper_numpy("swiglu", xs, beta=1.7, **w),
                               rtol=1e-13, atol=1e-13)


def test_single_example_vector_input():
    xs, w = random_weights("geglu", 1, 3, 4, None, True, seed=3)
    assert B.forward("geglu", xs[0], **w).shape == (4,)
    np.testing.assert_allclose(B.forward("geglu", xs[0], **w), B.forward("geglu", xs, **w)[0])


# --- gradients ---------------------------------------------------------------------------------

def _exact_zero(expr: sp.Expr, symbols: list[sp.Symbol], trials: int = 4) -> bool:
    """expand() proves most; Piecewise differences are checked exactly at random rational points."""
    rng = np.random.default_rng(0)
    if expr.has(sp.Piecewise) and sp.count_ops(expr) > 200:
        # nested clamps (gpt-oss, DeepSeek-V4): folding multiplies the branches out; evaluate at exact
        # rational points instead, to 60 digits
        for _ in range(3 * trials):
            point = {s: sp.Rational(int(rng.integers(-40, 40)), int(rng.integers(1, 9))) for s in symbols}
            if abs(sp.N(expr.xreplace(point), 60)) > 1e-45:
                return False
        return True
    expr = sp.expand(sp.piecewise_fold(expr))
    if expr == 0:
        return True
    for _ in range(trials):
        point = {s: sp.Rational(int(rng.integers(-40, 40)), int(rng.integers(1, 9))) for s in symbols}
        if sp.nsimplify(expr.xreplace(point)) != 0:
            return False
    return True


@pytest.mark.parametrize("name", NAMES)
def test_closed_form_gradients_equal_sympy_differentiation(name):
    results = B.derived_gradients(name, 2, 3, 2)
    expected_keys = {"x", "W", "b", "W2", "b2"} | ({"V", "c"} if B.get_block(name).gated else set())
    assert set(results) == expected_keys
    for key, (derived, closed) in results.items():
        assert derived.shape == closed.shape
        symbols = sorted((derived - closed).free_symbols, key=str)
        for entry in derived - closed:
            assert _exact_zero(entry, symbols), (key, entry)


@pytest.mark.parametrize("name", NAMES)
@pytest.mark.parametrize("shape", [(2, 3, 4, 2), (1, 1, 2, None), (3, 2, 2, 1)], ids=str)
def test_gradients_match_mpmath_finite_differences(name, shape):
    n, d, h, d_out = shape
    xs, w = random_weights(name, n, d, h, d_out, True, seed=11 + n + d + h)
    G = np.random.default_rng(5).normal(size=(n, d_out or h))
    ours = B.gradients(name, xs, G, **w)
    params = {"x": xs, **w}
    step = mp.mpf(10) ** -20
    with mp.workdps(50):
        mp_params = {k: [[mp.mpf(float(v)) for v in row] for row in np.atleast_2d(a)] if a.ndim == 2
                     else [mp.mpf(float(v)) for v in a] for k, a in params.items()}
        for key, grad in ours.items():
            flat = np.atleast_1d(grad).ravel()
            for idx in range(flat.size):
                loc = np.unravel_index(idx, params[key].shape)

                def loss_at(delta, key=key, loc=loc):
                    p = {k: [row[:] for row in v] if isinstance(v[0], list) else v[:] for k, v in mp_params.items()}
                    if len(loc) == 2:
                        p[key][loc[0]][loc[1]] += delta
                    else:
                        p[key][loc[0]] += delta
                    return paper_mpmath_loss(name, p, G.tolist())

                fd = (loss_at(step) - loss_at(-step)) / (2 * step)
                assert abs(flat[idx] - float(fd)) <= 1e-12 * max(1.0, abs(float(fd))), (key, loc)


def test_gradients_against_torch_autograd():
    try:
        import torch
    except ImportError:
        skip_or_fail("SYMACT_REQUIRE_TORCH", "PyTorch not installed: pip install -e '.[torch]'")
    F = torch.nn.functional
    acts = {"identity": lambda z: z, "relu": F.relu, "sigmoid": torch.sigmoid,
            "gelu": lambda z: F.gelu(z, approximate="none"), "swish": F.silu,
            "gelu_tanh": lambda z: F.gelu(z, approximate="tanh"), "relu_squared": lambda z: F.relu(z) ** 2,
            "oai_gate": lambda z: z.clamp(max=7) * torch.sigmoid(1.702 * z.clamp(max=7)),
            "oai_value": lambda z: z.clamp(-7, 7) + 1, "v4_gate": lambda z: F.silu(z.clamp(max=10)),
            "v4_value": lambda z: z.clamp(-10, 10),
            # HF's XIELUActivation (Python path) at alpha_p = alpha_n = 0.8, beta = 0.5, eps = -1e-6
            "xielu": lambda z: torch.where(z > 0, 0.8 * z * z + 0.5 * z,
                                           0.8 * (torch.expm1(torch.clamp(z, max=-1e-6)) - z) + 0.5 * z)}
    for name in NAMES:
        for shape in [(4, 3, 5, 2), (1, 2, 3, None)]:
            n, d, h, d_out = shape
            xs, w = random_weights(name, n, d, h, d_out, True, seed=21)
            G = np.random.default_rng(9).normal(size=(n, d_out or h))
            t = {k: torch.tensor(v, dtype=torch.float64, requires_grad=True) for k, v in {"x": xs, **w}.items()}
            first, second = PAPER[name]
            hidden = acts[first](t["x"] @ t["W"] + t["b"])
            if second:
                hidden = hidden * acts[second](t["x"] @ t["V"] + t["c"])
            y = hidden @ t["W2"] + t["b2"] if d_out else hidden
            (y * torch.tensor(G)).sum().backward()
            ours = B.gradients(name, xs, G, **w)
            for key, grad in ours.items():
                np.testing.assert_allclose(grad, t[key].grad.numpy(), rtol=1e-12, atol=1e-12, err_msg=f"{name} {key}")


# --- forms, LaTeX, sizes --------------------------------------------------------------------

def test_scalar_forms():
    W, V, b, c = B.W, B.V, B.b, B.c
    assert B.get_block("glu").scalar() == (x * W + b) * symact.sigma(x * V + c)
    assert sp.simplify(B.get_block("swiglu").scalar(beta=1) - (x * W + b) * symact.sigma(x * W + b) * (x * V + c)) == 0
    assert B.get_block("bilinear").scalar(bias=False) == x**2 * W * V
    ffn = B.get_block("ffn_relu").scalar(output=True)
    assert ffn.has(B.W2) and ffn.has(B.b2)


def test_scalar_form_is_one_by_one_vector_form():
    for name in NAMES:
        vec = B.get_block(name).vector(1, 1)["output"][0, 0]
        names = {"x_1": x, "W_1": B.W, "V_1": B.V, "b_1": B.b, "c_1": B.c}  # 1-row matrices: one index
        subs = {s: names[s.name] for s in vec.free_symbols if s.name in names}
        assert sp.expand(vec.xreplace(subs) - B.get_block(name).scalar()) == 0, name


def test_generic_constructors():
    mish_glu = B.gated("mish")
    assert mish_glu.first == "mish" and mish_glu.second == "identity"
    xs, w = random_weights("geglu", 3, 2, 4, None, True, seed=1)
    got = B.forward(mish_glu, xs, **w)
    u = xs @ w["W"] + w["b"]
    np.testing.assert_allclose(got, u * np.tanh(np.log1p(np.exp(u))) * (xs @ w["V"] + w["c"]), rtol=1e-13)
    assert B.ffn("elu").first == "elu" and not B.ffn("elu").gated


@pytest.mark.parametrize("name", NAMES)
def test_latex_is_deterministic_and_consistent(name):
    for kw in ({}, {"output": True}, {"output": True, "bias": False}):
        a, b = B.latex(name, **kw), B.latex(name, **kw)
        assert a == b and r"\odot" not in a and a.count("{") == a.count("}")
        if B.get_block(name).gated:
            assert r"\otimes" in a
    grads = B.gradient_latex(name)
    assert all(r"\odot" not in v and v.count("{") == v.count("}") for v in grads.values())
    assert set(grads) >= {"x", "W", "b", "W2", "b2"}


def test_notebook_display():
    assert B.get_block("swiglu")._repr_latex_().startswith(r"$\displaystyle \operatorname{FFN}_{\operatorname{SwiGLU}}")


def test_latex_matches_papers():
    assert B.latex("glu") == r"\operatorname{GLU}\left(x\right) = \left(xW + b\right) \otimes \sigma\left(xV + c\right)"
    assert B.latex("swiglu", output=True, bias=False) == (
        r"\operatorname{FFN}_{\operatorname{SwiGLU}}\left(x\right) = "
        r"\left(\operatorname{Swish}_{\beta}\left(xW\right) \otimes xV\right) W_2")


def test_parameter_counts_and_the_two_thirds_rule():
    d, h = B.d_model, B.d_hidden
    assert B.param_count("ffn_relu") == 2 * d * h
    assert B.param_count("swiglu") == 3 * d * h
    assert B.param_count("swiglu", bias=True) == 3 * d * h + 2 * h + d
    assert B.matched_hidden("swiglu") == sp.Rational(8, 3) * d
    # with the matched width the counts agree, for any d
    assert sp.simplify(B.param_count("swiglu", d, B.matched_hidden("swiglu", bias=True), bias=True)
                       - B.param_count("ffn_relu", d, 4 * d, bias=True)) == 0


def test_llama_widths_from_the_formula():
    assert B.llama_hidden_dim(4096) == 11008      # LLaMA-7B, params.json dim=4096, multiple_of=256
    assert B.llama_hidden_dim(5120) == 13824      # LLaMA-13B
    assert B.llama_hidden_dim(8192, multiple_of=4096, ffn_dim_multiplier=1.3) == 28672  # Llama-2-70B
    # the formula, re-derived here: int(2 * 4d / 3) rounded up to a multiple of 256
    for d in (512, 768, 1000, 4096):
        raw = int(2 * 4 * d / 3)
        assert B.llama_hidden_dim(d) == -(-raw // 256) * 256


class TestBadInput:
    def test_shape_mismatches_name_the_expected_shapes(self):
        xs, w = random_weights("swiglu", 3, 4, 5, 2, True, seed=0)
        with pytest.raises(symact.InvalidArgumentError, match=r"W must have shape \(d, h\) = \(3, h\)"):
            B.forward("swiglu", xs[:, :3], **w)
        with pytest.raises(symact.InvalidArgumentError, match=r"V must have shape \(4, 5\)"):
            B.forward("swiglu", xs, **{**w, "V": w["V"][:, :4]})
        with pytest.raises(symact.InvalidArgumentError, match=r"b must have shape \(5,\)"):
            B.forward("swiglu", xs, **{**w, "b": w["b"][:2]})
        with pytest.raises(symact.InvalidArgumentError, match=r"W2 must have shape \(h, d_out\) = \(5, d_out\)"):
            B.forward("swiglu", xs, **{**w, "W2": w["W2"].T})
        with pytest.raises(symact.InvalidArgumentError, match=r"G .* must have shape \(3, 2\)"):
            B.gradients("swiglu", xs, np.ones((3, 5)), **w)
        with pytest.raises(symact.InvalidArgumentError, match=r"x must have shape \(n, d\)"):
            B.forward("swiglu", np.ones((2, 3, 4)), **w)

    def test_missing_and_extra_weights(self):
        xs, w = random_weights("swiglu", 3, 4, 5, 2, True, seed=0)
        with pytest.raises(symact.InvalidArgumentError, match=r"needs V of shape \(d, h\) = \(4, 5\)"):
            B.forward("swiglu", xs, W=w["W"])
        with pytest.raises(symact.InvalidArgumentError, match="drop V"):
            B.forward("ffn_relu", xs, W=w["W"], V=w["V"])
        with pytest.raises(TypeError):
            B.forward("swiglu", xs, V=w["V"])  # W is required

    def test_bad_names_and_parameters(self):
        with pytest.raises(symact.UnknownActivationError, match="did you mean 'swiglu'"):
            B.get_block("swigly")
        xs, w = random_weights("swiglu", 3, 4, 5, 2, True, seed=0)
        with pytest.raises(symact.UnknownParameterError, match="did you mean 'beta'"):
            B.forward("swiglu", xs, bta=2, **w)
        with pytest.raises(symact.InvalidParameterError):
            B.forward("swiglu", xs, beta=float("nan"), **w)
        with pytest.raises(symact.InvalidArgumentError, match="array of real numbers"):
            B.forward("swiglu", "abc", **w)
        with pytest.raises(symact.InvalidArgumentError, match="positive integer"):
            B.get_block("glu").vector(0, 2)
        with pytest.raises(symact.InvalidArgumentError, match="positive integer"):
            B.llama_hidden_dim(-4)


# --- a block built from expressions, defined here alone -------------------------------------------

L_CLAMP = 7.0
_GATE = sp.Min(x, L_CLAMP) * symact.sigma(sp.Min(x, L_CLAMP))  # silu(min(u, L))
_VALUE = sp.Min(sp.Max(x, -L_CLAMP), L_CLAMP)  # clamp(v, -L, L)
CLAMPED_SWIGLU = B.Block("clamped_swiglu", _GATE, _VALUE, r"\operatorname{SwiGLU}_{L}",
                         "silu(min(xW + b, L)) * clamp(xV + c, -L, L)")


def test_clamped_swiglu_from_expressions_matches_torch_autograd():
    """DeepSeek-V4's clamped SwiGLU (silu(min(gate, L)) ⊗ clamp(up, −L, L)) as a Block of two expressions:
    forward and every gradient equal PyTorch autograd through torch.clamp and F.silu, with the clamps
    active on part of the batch."""
    try:
        import torch
    except ImportError:
        skip_or_fail("SYMACT_REQUIRE_TORCH", "PyTorch not installed: pip install -e '.[torch]'")
    rng = np.random.default_rng(11)
    n, d, h, d_out = 64, 5, 6, 3
    X = rng.normal(size=(n, d))
    W, V = rng.normal(size=(d, h)) * 4, rng.normal(size=(d, h)) * 4
    b, c, W2, b2 = rng.normal(size=h), rng.normal(size=h), rng.normal(size=(h, d_out)), rng.normal(size=d_out)
    G = rng.normal(size=(n, d_out))
    U, P = X @ W + b, X @ V + c
    assert 0.05 < (U > L_CLAMP).mean() < 0.95 and 0.05 < (np.abs(P) > L_CLAMP).mean() < 0.95  # clamps active

    t = {k: torch.tensor(v, requires_grad=True) for k, v in dict(x=X, W=W, V=V, b=b, c=c, W2=W2, b2=b2).items()}
    gate = torch.nn.functional.silu(torch.clamp(t["x"] @ t["W"] + t["b"], max=L_CLAMP))
    value = torch.clamp(t["x"] @ t["V"] + t["c"], -L_CLAMP, L_CLAMP)
    Y = (gate * value) @ t["W2"] + t["b2"]
    (Y * torch.tensor(G)).sum().backward()

    ours = B.forward(CLAMPED_SWIGLU, X, W=W, V=V, b=b, c=c, W2=W2, b2=b2)
    np.testing.assert_allclose(ours, Y.detach().numpy(), rtol=1e-13, atol=1e-13)
    grads = B.gradients(CLAMPED_SWIGLU, X, G, W=W, V=V, b=b, c=c, W2=W2, b2=b2)
    assert set(grads) == set(t)
    for key, tensor in t.items():
        np.testing.assert_allclose(grads[key], tensor.grad.numpy(), rtol=1e-12, atol=1e-12, err_msg=key)
    assert r"\min" in B.latex(CLAMPED_SWIGLU) and r"\otimes" in B.latex(CLAMPED_SWIGLU)


def test_block_factors_must_be_expressions_in_x_alone():
    block = B.Block("bad", x * symact.symbols.beta, None, "B", "beta x")
    with pytest.raises(symact.InvalidArgumentError, match="give numbers for beta"):
        B.forward(block, np.ones((2, 2)), W=np.ones((2, 2)))



# --- today's FFN variants against PyTorch autograd --------------------------------------------------

def _torch_reference(name, t, L_oai=7.0, L_v4=10.0):
    """The models' own code, written with torch ops (transformers' gpt_oss / deepseek / gemma / nemotron)."""
    import torch

    F = torch.nn.functional
    u = t["x"] @ t["W"] + (t["b"] if "b" in t else 0)
    if name == "ffn_relu_squared":
        return F.relu(u) ** 2 @ t["W2"] + (t["b2"] if "b2" in t else 0)
    v = t["x"] @ t["V"] + (t["c"] if "c" in t else 0)
    if name == "swiglu_oai":
        g = u.clamp(max=L_oai)
        hidden = g * torch.sigmoid(1.702 * g) * (v.clamp(min=-L_oai, max=L_oai) + 1)
    elif name == "swiglu_clamped":
        hidden = F.silu(u.clamp(max=L_v4)) * v.clamp(min=-L_v4, max=L_v4)
    elif name == "geglu_tanh":
        hidden = F.gelu(u, approximate="tanh") * v
    elif name == "reglu_squared":
        hidden = F.relu(u) ** 2 * v
    else:
        raise AssertionError(name)
    return hidden @ t["W2"] + (t["b2"] if "b2" in t else 0)


NEW_BLOCKS = ["swiglu_oai", "swiglu_clamped", "geglu_tanh", "reglu_squared", "ffn_relu_squared"]


@pytest.mark.parametrize("name", NEW_BLOCKS)
def test_new_blocks_match_torch_autograd(name):
    """Forward and every gradient within 1e-12·max|torch| per array, clamps active on part of the input."""
    try:
        import torch
    except ImportError:
        skip_or_fail("SYMACT_REQUIRE_TORCH", "PyTorch not installed: pip install -e '.[torch]'")
    xs, w = random_weights(name, 48, 4, 5, 3, True, seed=21)
    for key in ("W", "V"):  # large weights: the clamps (7, 10) bite on part of the batch
        if key in w:
            w[key] = w[key] * 6
    U = xs @ w["W"] + w["b"]
    if name.startswith("swiglu_"):
        limit = 7 if name == "swiglu_oai" else 10
        assert 0.05 < (U > limit).mean() < 0.95 and 0.05 < (np.abs(xs @ w["V"] + w["c"]) > limit).mean() < 0.95
    G = np.random.default_rng(5).normal(size=(48, 3))
    t = {k: torch.tensor(v, requires_grad=True) for k, v in {"x": xs, **w}.items()}
    Y = _torch_reference(name, t)
    (Y * torch.tensor(G)).sum().backward()
    ours = B.forward(name, xs, **w)
    assert np.max(np.abs(ours - Y.detach().numpy())) <= 1e-12 * np.max(np.abs(Y.detach().numpy()))
    grads = B.gradients(name, xs, G, **w)
    for key, tensor in t.items():
        want = tensor.grad.numpy()
        assert np.max(np.abs(grads[key] - want)) <= 1e-12 * max(np.max(np.abs(want)), 1e-300), key


@pytest.mark.parametrize("name", ["swiglu_oai", "swiglu_clamped"])
def test_clamp_boundaries_follow_torch(name):
    """At u = L exactly the gradient passes, as torch.clamp's does."""
    try:
        import torch
    except ImportError:
        skip_or_fail("SYMACT_REQUIRE_TORCH", "PyTorch not installed: pip install -e '.[torch]'")
    limit = 7.0 if name == "swiglu_oai" else 10.0
    xs = np.array([[1.0], [1.0], [1.0]])
    w = {"W": np.array([[limit, -limit, limit]]), "V": np.array([[limit, -limit, 0.5]]), "b": np.zeros(3),
         "c": np.zeros(3), "W2": np.eye(3), "b2": np.zeros(3)}
    G = np.ones((3, 3))
    t = {k: torch.tensor(v, requires_grad=True) for k, v in {"x": xs, **w}.items()}
    (_torch_reference(name, t) * torch.tensor(G)).sum().backward()
    grads = B.gradients(name, xs, G, **w)
    for key in ("W", "V", "x"):
        np.testing.assert_allclose(grads[key], t[key].grad.numpy(), rtol=1e-12, atol=1e-12, err_msg=key)


@pytest.mark.parametrize(("name", "fused", "code"), [
    ("swiglu_oai", "interleaved", lambda gu: (gu[..., ::2], gu[..., 1::2])),       # gpt-oss
    ("swiglu_fused", "halves", lambda gu: np.split(gu, 2, axis=-1)),               # Phi-3: chunk(2)
])
def test_fused_gate_up_layouts(name, fused, code):
    block = B.get_block(name)
    assert block.layout is not None and block.layout.fused == fused and block.layout.gate_first
    gate_up = np.arange(24.0).reshape(3, 8)
    W, V = block.layout.split(gate_up)
    want_gate, want_up = code(gate_up)
    assert np.array_equal(W, want_gate) and np.array_equal(V, want_up)
    assert not np.array_equal(B.Layout("halves").split(gate_up)[0], B.Layout("interleaved").split(gate_up)[0])
    with pytest.raises(symact.InvalidArgumentError, match="halves or interleaved"):
        B.Layout("diagonal").split(gate_up)
