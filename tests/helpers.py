"""Independent oracles for the tests: the papers' formulas written directly in mpmath.

Nothing here is derived from symact's expressions: these are the definitions as published
(see shared/REFERENCE.md), so agreement with them checks the registry, not itself.
"""

from __future__ import annotations

from collections.abc import Callable

import mpmath as mp
import numpy as np

import symact

mpf = mp.mpf


def _relu6(z):
    return min(max(z, 0), 6)


# SELU's constants as printed in Klambauer et al. 2017 (32 significant digits).
SELU_LAMBDA_PAPER = "1.0507009873554804934193349852946"
SELU_ALPHA_PAPER = "1.6732632423543772848170429916717"

# name -> (reference(x, params), default params as decimal strings from the papers)
REFERENCES: dict[str, tuple[Callable, dict[str, str]]] = {
    "identity": (lambda x, p: x, {}),
    "relu": (lambda x, p: max(x, 0), {}),
    "relu_squared": (lambda x, p: max(x, 0) ** 2, {}),
    "sigmoid": (lambda x, p: 1 / (1 + mp.exp(-x)), {}),
    "tanh": (lambda x, p: mp.tanh(x), {}),
    "gelu": (lambda x, p: x * mp.ncdf(x), {}),
    "gelu_tanh": (lambda x, p: x / 2 * (1 + mp.tanh(mp.sqrt(2 / mp.pi) * (x + p["kappa"] * x**3))),
                  {"kappa": "0.044715"}),
    "gelu_sigmoid": (lambda x, p: x / (1 + mp.exp(-p["alpha"] * x)), {"alpha": "1.702"}),
    "quick_gelu": (lambda x, p: x / (1 + mp.exp(-mpf("1.702") * x)), {}),
    "swish": (lambda x, p: x / (1 + mp.exp(-p["beta"] * x)), {"beta": "1"}),
    "silu": (lambda x, p: x / (1 + mp.exp(-x)), {}),
    "softplus": (lambda x, p: mp.log(1 + mp.exp(p["beta"] * x)) / p["beta"], {"beta": "1"}),
    "mish": (lambda x, p: x * mp.tanh(mp.log(1 + mp.exp(x))), {}),
    "elu": (lambda x, p: x if x > 0 else p["alpha"] * (mp.exp(x) - 1), {"alpha": "1"}),
    "selu": (lambda x, p: p["lambda"] * (x if x > 0 else p["alpha"] * (mp.exp(x) - 1)),
             {"lambda": SELU_LAMBDA_PAPER, "alpha": SELU_ALPHA_PAPER}),
    "hard_sigmoid": (lambda x, p: _relu6(x + 3) / 6, {}),
    "hard_swish": (lambda x, p: x * _relu6(x + 3) / 6, {}),
    "relu6": (lambda x, p: _relu6(x), {}),
    "leaky_relu": (lambda x, p: x if x > 0 else p["negative_slope"] * x, {"negative_slope": "0.01"}),
    "hardtanh": (lambda x, p: min(max(x, -1), 1), {}),
    "celu": (lambda x, p: max(x, 0) + min(0, p["alpha"] * (mp.exp(x / p["alpha"]) - 1)), {"alpha": "1"}),
    "log_sigmoid": (lambda x, p: -mp.log(1 + mp.exp(-x)), {}),
    # Hugging Face's forms (transformers/activations.py), torch.nn.functional's and jax.nn's documentation
    "gelu_fast": (lambda x, p: x / 2 * (1 + mp.tanh(x * mpf("0.7978845608") * (1 + p["kappa"] * x * x))),
                  {"kappa": "0.044715"}),
    "gelu_10": (lambda x, p: min(max(x * mp.ncdf(x), -10), 10), {}),
    # (1 + erf w)/2 written as erfc(−w)/2: the same value, without 1 + erf cancelling to e^{-10⁴} at x = −40
    "laplace": (lambda x, p: mp.erfc(-(x - p["mu"]) / (p["s"] * mp.sqrt(2))) / 2,
                {"mu": "0.707107", "s": "0.282095"}),
    "sqrt_softplus": (lambda x, p: mp.sqrt(mp.log(1 + mp.exp(x))), {}),
    "softsign": (lambda x, p: x / (1 + abs(x)), {}),
    "tanhshrink": (lambda x, p: x - mp.tanh(x), {}),
    "softshrink": (lambda x, p: x - p["lambd"] if x > p["lambd"] else (x + p["lambd"] if x < -p["lambd"] else 0),
                   {"lambd": "0.5"}),
    "hardshrink": (lambda x, p: x if abs(x) > p["lambd"] else 0, {"lambd": "0.5"}),
    "threshold": (lambda x, p: x if x > p["threshold"] else p["value"], {"threshold": "0", "value": "0"}),
    "prelu": (lambda x, p: x if x >= 0 else p["weight"] * x, {"weight": "0.25"}),
    "rrelu": (lambda x, p: x if x >= 0 else (mpf(1) / 8 + mpf(1) / 3) / 2 * x, {}),
    "squareplus": (lambda x, p: (x + mp.sqrt(x * x + p["b"])) / 2, {"b": "4"}),
    "sparse_plus": (lambda x, p: 0 if x <= -1 else (x if x >= 1 else (x + 1) ** 2 / 4), {}),
    "sparse_sigmoid": (lambda x, p: 0 if x <= -1 else (1 if x >= 1 else (x + 1) / 2), {}),
    "xielu": (lambda x, p: p["alpha_p"] * x * x + p["beta"] * x if x > 0
              else p["alpha_n"] * (mp.expm1(min(x, p["eps"])) - x) + p["beta"] * x,
              {"alpha_p": "0.8", "alpha_n": "0.8", "beta": "0.5", "eps": "-0.000001"}),
}


def reference(name: str, params: dict[str, str] | None = None) -> Callable:
    """The paper's formula as an mpmath function of x, exact at the current mp.prec."""
    func, defaults = REFERENCES[name]
    values = {k: mpf(v) for k, v in {**defaults, **(params or {})}.items()}
    return lambda t: symact.oracle.exact_value(lambda s: func(s, values), t)


def param_sets(name: str) -> list[dict[str, str]]:
    """Defaults, and for parametrised definitions every parameter scaled by 1.37."""
    _, defaults = REFERENCES[name]
    sets = [{}]
    if defaults:
        sets.append({k: str(mpf(v) * mpf("1.37")) for k, v in defaults.items()})
    return sets


def sample_points(name: str, n: int = 8, seed: int = 0, low: float = -8.0, high: float = 8.0) -> list[float]:
    """Seeded points in [low, high], kept 1e-3 away from the definition's kinks."""
    kinks = [float(k) for k in symact.breakpoints(symact.get(name).default_expr)]
    rng = np.random.default_rng(seed + sum(map(ord, name)))
    points = [p for p in rng.uniform(low, high, 3 * n) if all(abs(p - k) > 1e-3 for k in kinks)]
    return [float(p) for p in points[:n]]


def close(a, b, rel: float, abs_: float = 0.0) -> bool:
    return abs(a - b) <= max(rel * max(abs(a), abs(b)), abs_)


def assert_meets_targets(name: str, order: int, r, *, value_roots=frozenset({"xielu"}), gaps=None) -> None:
    """The float64 targets of tests/test_accuracy.py for a Report ``r``: specials right, no warnings; values ≤ 2 ulp;
    first derivatives (and values in ``value_roots``, which cancel themselves) ≤ 2 ulp or 2·eps·Σ|terms|."""
    assert not r.special_failures and not r.warnings, (r.special_failures, r.warnings)
    bound = (gaps or {}).get((name, order), 2.0)
    if order == 0 and name not in value_roots:
        assert r.max_ulp <= bound, (r.max_ulp, r.worst_x)
    else:
        assert r.max_ulp <= bound or r.cancellation_excess <= bound, (r.max_ulp, r.worst_x, r.cancellation_excess)


def assert_agrees_with_numpy(name: str, order: int, func: Callable,
                             skip: tuple[tuple[float, float], ...] = ()) -> None:
    """2¹⁷ seeded points on [−40, 40] and, denser, [−3, 3] (roots and kinks): ``func`` (a compiled backend) and
    NumPy's kernels (the same algorithms) within 4 ulp of each other; at the 300 points where they differ most,
    ``func`` meets the target against mpmath (2 ulp, or the cancellation criterion), or — where a derivative's
    formula cancels moderately over a wide range (SiLU' left of its root) — is within 0.5 of NumPy's excess."""
    from symact.accuracy import measure
    from symact.backends.numpy import NUMPY
    from symact.evaluate import prepare

    rng = np.random.default_rng(17)
    xs = np.concatenate([rng.uniform(-40, 40, 1 << 16), rng.uniform(-3, 3, 1 << 16)])
    for lo, hi in skip:  # intervals a dedicated test covers (the C header's underflow bands)
        xs = xs[(xs < lo) | (xs > hi)]
    ours = np.asarray(func(xs))
    plain = NUMPY.build(prepare(name, order))
    plain.compiled = None  # NumPy's kernels, whatever the size
    ref = plain(xs)
    close = (np.abs(ours - ref) <= 4 * np.spacing(np.abs(ref))) | (ours == ref) | (np.isnan(ours) & np.isnan(ref))
    order_of_gap = np.argsort(np.where(close, 0.0, np.abs(ours - ref) / np.spacing(np.abs(ref))))[::-1][:300]
    far = xs[order_of_gap][~close[order_of_gap]]
    if far.size:
        r = measure(name, derivative=order, grid=far, func=func)
        if not (r.max_ulp <= 2.0 or r.cancellation_excess <= 2.0):  # then no worse than NumPy's kernels there
            r_np = measure(name, derivative=order, grid=far, func=plain)
            assert r.cancellation_excess <= r_np.cancellation_excess + 0.5, (r.max_ulp, r.worst_x,
                                                                              r.cancellation_excess, r_np)


def skip_or_fail(flag: str, reason: str) -> None:
    """Skip with the reason printed — unless CI set ``flag`` to demand the tool, then fail."""
    import os

    import pytest

    if os.environ.get(flag):
        pytest.fail(f"{reason} (and {flag} is set, so CI requires it)")
    pytest.skip(reason)


# --- low precision: rounding done by the test, never through float64 -------------------------------------------

def format_grid(dtype) -> tuple[list, list[bool]]:
    """Every finite value of a 16- or 8-bit ml_dtypes/NumPy dtype as exact mpf numbers, sorted and without −0, and
    for each whether its last significand bit is 0 (even); one value past the largest finite value is appended
    (the overflow neighbour, the same spacing again), with the opposite parity of the largest."""
    import ml_dtypes  # noqa: F401  (registers the dtypes with NumPy)

    dt = np.dtype(dtype)
    uint = {2: np.uint16, 1: np.uint8}[dt.itemsize]
    bits = np.arange(1 << (8 * dt.itemsize), dtype=np.uint32).astype(uint)
    with np.errstate(invalid="ignore"):  # the NaN patterns
        values = bits.view(dt).astype(np.float32).astype(np.float64)  # exact: every value is a float32
    keep = np.isfinite(values) & ~((values == 0) & (bits >> (8 * dt.itemsize - 1)).astype(bool))
    order = np.argsort(values[keep], kind="stable")
    vals, even = values[keep][order], ((bits[keep][order] & 1) == 0)
    grid = [mpf(float(v)) for v in vals]
    parity = [bool(e) for e in even]
    grid.append(2 * grid[-1] - grid[-2])
    parity.append(not parity[-1])
    grid.insert(0, 2 * grid[0] - grid[1])
    parity.insert(0, not parity[0])
    return grid, parity


def round_direct(value_at, grid: tuple[list, list[bool]]) -> float:
    """The value ``value_at(prec)`` (an mpmath number correct at ``prec`` bits) rounded to the nearest member of
    ``grid`` (from :func:`format_grid`), ties to the even one: the two neighbours are compared with the value in
    mpmath, at rising precision until they differ; ±inf where the nearest is the overflow neighbour."""
    import bisect

    values, even = grid
    prec = 96
    with mp.workprec(prec):
        v = value_at(prec)
    if v == 0:
        return 0.0
    i = bisect.bisect_left(values, v)
    if i == len(values) or i == 0:  # beyond the overflow neighbours
        return float("inf") if i else float("-inf")
    if values[i] == v:
        j = i
    else:
        lo, hi = values[i - 1], values[i]
        while True:
            with mp.workprec(prec):
                below, above = v - lo, hi - v
                if abs(below - above) > abs(v) * mp.mpf(2) ** (8 - prec) or prec > 4000:
                    break
            prec *= 2
            with mp.workprec(prec):
                v = value_at(prec)
        j = i - 1 if below < above or (below == above and even[i - 1]) else i
    if j == len(values) - 1:
        return float("inf")
    if j == 0:
        return float("-inf")
    return float(values[j])


def direct_rounding(name: str, dtype, xs, derivative: int = 0) -> np.ndarray:
    """The test's own correctly rounded values of a registered activation (the paper's formula of REFERENCES,
    differentiated by mpmath) at float inputs ``xs`` in a 16- or 8-bit ``dtype``, as float64 (±inf on overflow)."""
    func, defaults = REFERENCES[name]
    grid = format_grid(dtype)
    out = []
    for t in np.asarray(xs, dtype=np.float64):
        def at(prec, t=float(t)):
            p = {k: mpf(v) for k, v in defaults.items()}
            if derivative == 0:  # the formulas cancel (log(1 + eˣ) at x = −90 needs 130 more bits): rising precision
                with mp.workprec(prec):  # a zero at 2048 bits is below every narrow format's smallest value
                    return symact.oracle.exact_value(lambda s: func(s, p), mpf(t), maxprec=2048)
            with mp.workprec(prec + 200):  # mp.diff's differences, with room for the formula's own cancellation
                value = mp.diff(lambda u: func(u, p), mpf(t), derivative)
            return +value

        out.append(round_direct(at, grid))
    return np.array(out)


def round_direct_float32(value_at) -> float:
    """Like :func:`round_direct` for float32: the neighbours are float32 values next to a first guess
    (np.nextafter), one of which is the nearest."""
    prec = 96
    with mp.workprec(prec):
        v = value_at(prec)
    if v == 0:
        return 0.0
    with np.errstate(over="ignore"):  # next to the largest float32: inf, never the nearest
        guess = np.float32(float(v))
        cands = [np.nextafter(guess, np.float32(-np.inf)), guess, np.nextafter(guess, np.float32(np.inf))]
    while True:
        with mp.workprec(prec):
            d = [abs(v - mpf(float(c))) for c in cands]
            best = min(range(3), key=lambda k: d[k])
            others = [d[k] for k in range(3) if k != best]
            if min(others) - d[best] > abs(v) * mp.mpf(2) ** (8 - prec):
                return float(cands[best])
            if prec > 2000:  # not separated at 2000 bits: an exact tie, to the even one
                tied = [k for k in range(3) if d[k] == d[best]]
                return float(next(cands[k] for k in tied if int(cands[k].view(np.uint32)) % 2 == 0))
        prec *= 2
        with mp.workprec(prec):
            v = value_at(prec)
