"""Root-aware evaluation (symact.roots, the near_root lowered function): the roots against the papers' formulas
differentiated by mpmath, Swish_β's root for any β, and ≤ 2 ulp at and around each root in every CPU backend —
at the double nearest the root too, where the plain formula returns rounding noise (~10¹⁶ ulp)."""

from __future__ import annotations

import mpmath as mp
import numpy as np
import pytest
from helpers import reference

import symact
from symact.accuracy import measure
from symact.evaluate import _prepared, prepare
from symact.roots import root_patches

# entry → where the first derivative's root lies (from the shape of the curve: the minimum of each)
ROOTS = {"gelu": -0.75, "gelu_tanh": -0.75, "gelu_sigmoid": -0.75, "quick_gelu": -0.75, "silu": -1.28,
         "swish": -1.28, "mish": -1.19}
CASES = [pytest.param(n, id=n, marks=() if n in {"gelu", "silu"} else pytest.mark.slow) for n in ROOTS]


@pytest.mark.parametrize("name", CASES)
def test_roots_are_those_of_the_papers_formulas(name):
    """The patched root equals the root of d/dx of the paper's formula (tests/helpers.py), found by mpmath."""
    (patch,) = root_patches(prepare(name, 1).expr)
    f = reference(name)
    with mp.workdps(40):
        want = mp.findroot(lambda t: mp.diff(f, t), ROOTS[name])
        assert abs(mp.mpf(patch.root) + mp.mpf(patch.root_lo) - want) < mp.mpf(10) ** -30
    assert 0 < patch.width <= abs(patch.root) / 2


@pytest.mark.parametrize("beta", [0.25, 0.5, 2.0, 3.7, 10.0])
def test_swish_root_scales_with_beta(beta):
    """Swish_β'(x) = SiLU'(βx): the root is SiLU's divided by β, for any β > 0."""
    (silu,) = root_patches(prepare("silu", 1).expr)
    (patch,) = root_patches(prepare("swish", 1, {"beta": beta}).expr)
    with mp.workdps(40):
        r1 = mp.findroot(lambda t: mp.diff(lambda s: s / (1 + mp.exp(-s)), t), -1.28)
        assert abs(mp.mpf(patch.root) + mp.mpf(patch.root_lo) - r1 / mp.mpf(beta)) < mp.mpf(10) ** -30
    assert abs(patch.root * beta - silu.root) <= 4 * abs(np.spacing(silu.root))


def _near(root: float, width: float) -> np.ndarray:
    """The double nearest the root and its neighbours, points closing in on it geometrically, and the window."""
    steps = np.concatenate([[0.0], np.geomspace(1e-16, width * 0.99, 60)])
    neighbours = [root]
    for direction in (-np.inf, np.inf):
        v = root
        for _ in range(8):
            v = np.nextafter(v, direction)
            neighbours.append(v)
    return np.concatenate([neighbours, root + steps, root - steps, root + np.linspace(-width, width, 201)[1:-1]])


@pytest.mark.parametrize("backend", ["numpy", pytest.param("numba", marks=pytest.mark.slow),
                                     pytest.param("c", marks=pytest.mark.slow)])
@pytest.mark.parametrize("name", CASES)
def test_first_derivative_is_within_two_ulp_around_its_root(name, backend):
    (patch,) = root_patches(prepare(name, 1).expr)
    grid = _near(patch.root, patch.width)
    r = measure(name, derivative=1, grid=grid, func=symact.lambdify(name, derivative=1, backend=backend))
    assert not r.special_failures and r.max_ulp <= 2.0, (r.max_ulp, r.worst_x - patch.root)


def test_without_the_patch_the_root_is_noise():
    """The same expression without root patches (a user's expression is evaluated as written): at the double
    nearest SiLU''s root the result is rounding noise, far beyond 2 ulp — what the patch removes."""
    expr = prepare("silu", 1).expr
    (patch,) = root_patches(expr)
    plain = symact.lambdify(expr)  # an Expr, not a name: no patches
    r = measure(expr, grid=np.array([patch.root, np.nextafter(patch.root, 0)]), func=plain)
    assert r.max_ulp > 1e6
    assert _prepared(expr, "f", "").roots() == ()


def test_xielu_value_is_accurate_at_its_own_root():
    """xIELU's α_n(expm1 x − x) + βx vanishes at x ≈ −2.43 (a value root, not a derivative's)."""
    (patch,) = root_patches(prepare("xielu", 0).expr)
    r = measure("xielu", grid=_near(patch.root, patch.width))
    assert r.max_ulp <= 2.0, (r.max_ulp, r.worst_x)


@pytest.mark.parametrize("backend", ["numpy", pytest.param("numba", marks=pytest.mark.slow),
                                     pytest.param("c", marks=pytest.mark.slow)])
def test_mish_for_tiny_arguments(backend):
    """Mish for |x| < 2⁻⁷ is the series x·(3/5 + x·q(x)): ≤ 2 ulp down to 1e-300 (it was 2.4 at −3e-6)."""
    tiny = np.geomspace(1e-300, 0.05, 600)
    r = measure("mish", grid=np.concatenate([-tiny, tiny]), func=symact.lambdify("mish", backend=backend))
    assert r.max_ulp <= 2.0, (r.max_ulp, r.worst_x)
