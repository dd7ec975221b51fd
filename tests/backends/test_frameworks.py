"""PyTorch and JAX backends: same values as NumPy, differentiable, clear errors when missing."""

from __future__ import annotations

import subprocess
import sys

import numpy as np
import pytest
from helpers import skip_or_fail

import symact
from symact.accuracy import _abs_terms
from symact.backends import BACKENDS
from symact.backends.generated import GeneratedBackend
from symact.symbolic.calculus import resolve

NAMES = symact.names()
GENERATED = [name for name, b in BACKENDS.items() if isinstance(b, GeneratedBackend)]  # torch, jax
GRID = np.concatenate([np.linspace(-40, 40, 1601), [-1e300, 1e300, np.inf, -np.inf, np.nan, 0.0]])


def _torch():
    try:
        import torch
    except ImportError:
        skip_or_fail("SYMACT_REQUIRE_TORCH", "PyTorch not installed: pip install -e '.[torch]'")
    return torch


def _jax():
    try:
        import jax
    except ImportError:
        skip_or_fail("SYMACT_REQUIRE_JAX", "JAX not installed: pip install -e '.[jax]'")
    jax.config.update("jax_enable_x64", True)
    return jax


def _terms(name: str, order: int, xs: np.ndarray) -> np.ndarray:
    """Σ|terms| of the expression at xs: near a root (GELU' at −0.75) two correct evaluations may
    differ by rtol times this, not times the value (the frameworks' exp and erfc round differently)."""
    with np.errstate(all="ignore"):
        return np.abs(np.nan_to_num(symact.lambdify(_abs_terms(resolve(name, order)))(xs)))


def _close(got: np.ndarray, want: np.ndarray, xs: np.ndarray, rtol: float, scale: np.ndarray | None = None) -> None:
    tiny = np.abs(want) < 1e-300  # JAX flushes subnormals to zero on CPU
    atol = 0 if scale is None else rtol * scale
    bad = ~(np.isclose(got, want, rtol=rtol, atol=atol, equal_nan=True) | (tiny & (np.abs(got) < 1e-300)))
    assert not bad.any(), (xs[bad][:5], got[bad][:5], want[bad][:5])


@pytest.mark.parametrize("name", NAMES)
@pytest.mark.parametrize("order", [0, 1])
def test_torch_values_match_numpy(name, order):
    torch = _torch()
    f = symact.lambdify(name, derivative=order, backend="torch")
    _close(f(torch.tensor(GRID)).numpy(), symact.lambdify(name, derivative=order)(GRID), GRID, 1e-13,
           _terms(name, order, GRID))
    assert f(torch.ones(4, dtype=torch.float32)).dtype == torch.float32


@pytest.mark.parametrize("name", NAMES)
@pytest.mark.parametrize("order", [0, 1])
def test_jax_values_match_numpy(name, order):
    jax = _jax()
    f = symact.lambdify(name, derivative=order, backend="jax")
    _close(np.asarray(f(jax.numpy.asarray(GRID))), symact.lambdify(name, derivative=order)(GRID), GRID, 1e-13,
           _terms(name, order, GRID))
    assert f(jax.numpy.ones(4, dtype=jax.numpy.float32)).dtype == jax.numpy.float32


def _points(name: str) -> np.ndarray:
    xs = np.linspace(-20, 20, 801)
    kinks = [float(k) for k in symact.breakpoints(symact.get(name).default_expr)]
    return xs[[all(abs(v - k) > 1e-6 for k in kinks) for v in xs]]


def _wide(name: str) -> np.ndarray:
    """_points plus the far tails and ±inf, where autograd through where() used to give NaN."""
    return np.concatenate([_points(name), [-1e300, -1000.0, -745.0, 745.0, 1000.0, 1e300, -np.inf, np.inf]])


@pytest.mark.parametrize("name", NAMES)
def test_torch_autograd_is_our_symbolic_derivative(name):
    """The generated gradient is the lowered next derivative (torch.autograd.Function), so it equals
    the NumPy derivative, also where autograd through the value gave NaN (ELU at x = 1000: 0·inf)
    or 0 (torch.sigmoid's backward σ(1 − σ) for large x); second derivatives likewise."""
    torch = _torch()
    xs = _wide(name)
    t = torch.tensor(xs, requires_grad=True)
    (g,) = torch.autograd.grad(symact.lambdify(name, backend="torch")(t).sum(), t, create_graph=True)
    _close(g.detach().numpy(), symact.lambdify(name, derivative=1)(xs), xs, 1e-13, _terms(name, 1, xs))
    (g2,) = torch.autograd.grad(g.sum(), t)
    _close(g2.numpy(), symact.lambdify(name, derivative=2)(xs), xs, 1e-12, _terms(name, 2, xs))


@pytest.mark.parametrize("name", NAMES)
def test_jax_grad_is_our_symbolic_derivative(name):
    jax = _jax()
    xs = _wide(name)
    f = symact.lambdify(name, backend="jax")
    g = np.asarray(jax.vmap(jax.grad(f))(jax.numpy.asarray(xs)))
    _close(g, symact.lambdify(name, derivative=1)(xs), xs, 1e-13, _terms(name, 1, xs))
    g2 = np.asarray(jax.vmap(jax.grad(jax.grad(f)))(jax.numpy.asarray(xs)))
    _close(g2, symact.lambdify(name, derivative=2)(xs), xs, 1e-12, _terms(name, 2, xs))


@pytest.mark.parametrize("name", ["gelu", "silu", pytest.param("mish", marks=pytest.mark.slow),
                                  pytest.param("elu", marks=pytest.mark.slow)])
def test_matches_the_frameworks_own_kernels_and_autograd(name):
    torch = _torch()
    F = torch.nn.functional
    kernel = {"gelu": F.gelu, "silu": F.silu, "mish": F.mish, "elu": F.elu}[name]
    xs = torch.linspace(-8, 8, 161, dtype=torch.float64, requires_grad=True)
    ours = symact.lambdify(name, backend="torch")(xs)
    theirs = kernel(xs)
    assert torch.allclose(ours, theirs, rtol=1e-12, atol=1e-14)
    (g_ours,) = torch.autograd.grad(ours.sum(), xs)
    (g_theirs,) = torch.autograd.grad(theirs.sum(), xs)
    assert torch.allclose(g_ours, g_theirs, rtol=1e-10, atol=1e-13)


def test_matches_jax_kernels_and_grad():
    jax = _jax()
    jnp = jax.numpy
    xs = jnp.linspace(-8, 8, 161)
    for name, kernel in (("gelu", lambda t: jax.nn.gelu(t, approximate=False)), ("gelu_tanh", jax.nn.gelu),
                         ("silu", jax.nn.silu), ("elu", jax.nn.elu), ("softplus", jax.nn.softplus)):
        ours = symact.lambdify(name, backend="jax")
        assert np.allclose(np.asarray(ours(xs)), np.asarray(kernel(xs)), rtol=1e-12, atol=1e-14), name
        g_ours = np.asarray(jax.vmap(jax.grad(ours))(xs))
        g_theirs = np.asarray(jax.vmap(jax.grad(kernel))(xs))
        assert np.allclose(g_ours, g_theirs, rtol=1e-10, atol=1e-13), name


def test_missing_framework_gives_a_clear_error():
    code = ("import sys; sys.modules['torch'] = None; sys.modules['jax'] = None\n"
            "import symact\n"
            "for b in ('torch', 'jax'):\n"
            "    try:\n        symact.lambdify('gelu', backend=b)\n"
            "    except symact.SymactError as e:\n        print(type(e).__name__, e)\n")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert "BackendUnavailableError the torch backend needs PyTorch, which is not installed: " \
           "pip install -e '.[torch]'" in out
    assert "the jax backend needs JAX" in out and ".[jax]" in out


def test_bad_backend():
    with pytest.raises(symact.InvalidArgumentError, match="choose numpy, numba, torch, jax, c or cuda"):
        symact.lambdify("gelu", backend="tf")


@pytest.mark.parametrize("backend", GENERATED)
def test_export_source(backend):
    text = symact.export("gelu", backend=backend)
    assert f"import {backend}" in text and "def gelu(x):" in text and "numpy" not in text.replace("jax.numpy", "")


@pytest.mark.parametrize("backend", GENERATED)
def test_backend_gelu_has_the_numpy_accuracy(backend):
    """Φ's erfcx table is generated into the torch/JAX modules too: GELU within 2 ulp there as well
    (SciPy-style erfcx compositions reach 4.5); exact values below 1e-300 excluded (XLA flushes)."""
    from symact.accuracy import measure, standard_grid

    grid = standard_grid(dense_step=0.1, tail_points=40)
    grid = grid[np.isfinite(grid) & (grid > -37.5)]
    if backend == "torch":
        torch = _torch()
        f = symact.lambdify("gelu", backend="torch")
        r = measure("gelu", grid=grid, func=lambda v: f(torch.tensor(v)).numpy())
    else:
        jax = _jax()
        f = symact.lambdify("gelu", backend="jax")
        r = measure("gelu", grid=grid, func=lambda v: np.asarray(f(jax.numpy.asarray(v))))
    assert r.max_ulp <= 2.0 and not r.special_failures, (r.max_ulp, r.worst_x, r.special_failures)
