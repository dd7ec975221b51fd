"""Lowering to array code: NumPy functions (via :mod:`symact.lowering`) and mpmath functions.

``sympy.lambdify(expr, "numpy")`` maps ``erf`` to ``math.erf``, which fails on arrays, and
evaluates the textbook formula with all its cancellations. :func:`lambdify` evaluates the lowered
expression with SciPy's vectorised special functions, symact's erfcx tables and the double-double
forms of :mod:`symact.ddmath` instead, on arrays of any shape: ≤ 2 ulp in float64 by default, the
textbook formula's speed with ``fast=True`` (the form float32 input always takes).
"""

from __future__ import annotations

import inspect
from collections import ChainMap
from collections.abc import Callable, Mapping
from functools import lru_cache, partial
from typing import Any

import mpmath
import numpy as np
import scipy.special as sc
import sympy as sp

from . import ddmath
from .calculus import ActOrExpr, as_expr, derivative
from .erfcx import erfcx_dd, erfcx_rsqrt2_dd
from .errors import InvalidArgumentError, MissingParameterError, SymactError, UnknownParameterError
from .functions import to_elementary
from .lowering import lower
from .registry import Activation, Param, check_value, get
from .symbols import x


def _like(z: Any) -> np.ndarray:
    """A fresh array for an in-place kernel: z's shape, float64 or wider (longdouble for the rescue)."""
    return np.empty(np.shape(z), dtype=np.result_type(z, np.float64))


def _softplus(z: np.ndarray) -> np.ndarray:
    """max(log1p(e^min(z, 37)), z), in place: ≤ 1.1 ulp (the exp's error reaches the log scaled by
    ≤ 1). Beyond 37 the exact value rounds to z (e^−37 < ulp(37)/2), and the clamp keeps e^z finite;
    NaN and ±inf come out right. When no element exceeds 37 (one reduction) clamp and max change
    nothing and are skipped: the textbook log1p(eᶻ)'s 2 passes."""
    if np.fmax.reduce(z, axis=None, initial=-np.inf) <= 37.0:  # fmax: NaN ignored (and propagated below)
        out = np.exp(z, out=_like(z))
        return np.log1p(out, out=out)
    out = np.minimum(z, 37.0, out=_like(z))
    np.exp(out, out=out)
    np.log1p(out, out=out)
    return np.maximum(out, z, out=out)


_FAR_LEFT = 36.7
"""Beyond z = −36.7, e^{−z} > 2⁵³ is an even integer in float64 and 1 + e^{−z} rounds (a tie, half an
ulp of σ): σ(z) = t − t² with t = eᶻ there (exact to second order, t² < 2⁻¹⁰⁶)."""


def _far_left(minus_z: np.ndarray) -> np.ndarray | None:
    """The mask −z > 36.7, or None when no element is there (one reduction: the common case costs a
    tenth of a comparison pass and its mask)."""
    if not np.fmax.reduce(minus_z, axis=None, initial=-np.inf) > _FAR_LEFT:  # fmax: NaN ignored
        return None
    return minus_z > _FAR_LEFT


def _expit(z: np.ndarray) -> np.ndarray:
    """σ(z) = 1/(1 + e^{−z}) in place: three times as fast as scipy.special.expit (which branches per
    element), and free of its worst case, the rounding of 1 + e^{−z} past 2⁵³ near z = −37 (see
    :data:`_FAR_LEFT`). e^{−z} overflows for z < −709.8, giving the limit 0 where σ is subnormal; the
    longdouble rescue restores those."""
    out = np.negative(z, out=_like(z))
    far = _far_left(out)
    np.exp(out, out=out)
    out += 1
    np.reciprocal(out, out=out)
    if far is not None:
        t = np.exp(np.asarray(z)[far])
        out[far] = t - t * t
    return out


def _x_expit(x: np.ndarray, k: float) -> np.ndarray:
    """x·σ(kx) = x/(1 + e^{−kx}) in place: the textbook SiLU's 4 passes, beyond kx = −36.7 x·t − x·t·t
    with t = e^{kx} (see :data:`_FAR_LEFT`): ≤ 1.7 ulp where kx is exact. e^{−kx} overflows where
    x·σ(kx) is still normal (SiLU: x < −709.8): the result there is −0, which the longdouble rescue
    replaces."""
    out = np.multiply(x, -k, out=_like(x))
    far = _far_left(out)
    np.exp(out, out=out)
    out += 1
    np.divide(x, out, out=out)
    if far is not None:
        xf = np.asarray(x)[far]
        t = np.exp(k * xf)
        p = xf * t
        out[far] = p - p * t
    return out


def _dx_expit(x: np.ndarray, k: float) -> np.ndarray:
    """d/dx x·σ(kx) = s·(1 + kx·E·s) with E = e^{−kx}, s = σ(kx) = 1/(1 + E), σ(−kx) = E·s: one exponential
    (the textbook σ(1 + x(1 − σ)) also has one, and cancels in 1 − σ). Beyond kx = −36.7 (where E may
    overflow into inf·0) s = t − t², σ(−kx) = 1 − t with t = e^{kx}, as in :func:`_expit`."""
    out = np.multiply(x, -k, out=_like(x))
    far = _far_left(out)
    np.exp(out, out=out)  # E
    s = out + 1
    np.reciprocal(s, out=s)
    out *= s  # σ(−kx)
    out *= x
    if k != 1:
        out *= k
    out += 1
    out *= s
    if far is not None:
        kx = k * np.asarray(x)[far]
        t = np.exp(kx)
        out[far] = (t - t * t) * (1 + kx * (1 - t))
    return out


def _ramp(x: np.ndarray, a: float, b: float) -> np.ndarray:
    """(clip(x, a, b) − a)/(b − a) in place: exactly 0 and 1 outside [a, b], x − a exact near a."""
    out = np.clip(x, a, b, out=_like(x))
    out -= a
    out /= b - a
    return out


def _dexpit_fast(z: np.ndarray) -> np.ndarray:
    """σ'(z) = σ(z)σ(−z) = 1/(2 + 2 cosh z), in place, for ``fast=True``: 3 passes (the textbook
    σ(1 − σ) takes 6), no cancellation, ~2 ulp (2.2 on a dense sweep; ddmath.dexpit, the default, ≤ 1.3);
    cosh overflows only where σ' is subnormal."""
    out = np.cosh(z, out=_like(z))
    out += 1
    return np.divide(0.5, out, out=out)


def _x_tanh_softplus_fast(x: np.ndarray) -> np.ndarray:
    """Mish for ``fast=True``: tanh(log(1 + u)) = n/(n + 2) with u = eˣ, n = u(u + 2): one exp instead of
    exp, log1p and tanh. Above x = 20 the quotient rounds to 1 (the clamp keeps u² finite)."""
    u = np.minimum(x, 20.0, out=_like(x))
    np.exp(u, out=u)
    n = u + 2
    n *= u
    u = np.add(n, 2, out=u)
    n /= u
    n *= x
    return n


def _erfc_longdouble(z: np.ndarray) -> np.ndarray:
    """erfc for the longdouble rescue: erfcx(z)·e^{−z²} with the exponential in longdouble for z > 0.5,
    so that it does not underflow at float64's limit (SciPy's erfc is 0 beyond z ≈ 27)."""
    z = np.asarray(z, dtype=np.longdouble)
    z64 = z.astype(np.float64)
    tail = np.asarray(sc.erfcx(z64), dtype=np.longdouble) * np.exp(-z * z)
    return np.where(z > 0.5, tail, np.asarray(sc.erfc(z64), dtype=np.longdouble))


def _to_double(f: Callable[..., Any]) -> Callable[..., Any]:
    """A float64-only SciPy function applied to longdouble input, the result back in longdouble."""
    return lambda z: np.asarray(f(np.asarray(z, dtype=np.float64)), dtype=np.longdouble)


class _NumpyNamespace:
    """The array namespace symact.ddmath expects, for NumPy."""

    exp, abs, where, isfinite = staticmethod(np.exp), staticmethod(np.abs), staticmethod(np.where), \
        staticmethod(np.isfinite)
    erfc, erfcx, expit = staticmethod(sc.erfc), staticmethod(sc.erfcx), staticmethod(sc.expit)
    subset = True  # ddmath.select: evaluate each branch on its own points
    # ≤ 0.05 ulp where SciPy's erfcx is 2–7 ulp off (they work in longdouble too)
    erfcx_dd, erfcx_rsqrt2_dd = staticmethod(erfcx_dd), staticmethod(erfcx_rsqrt2_dd)

    @staticmethod
    def two_prod(a: Any, b: Any) -> tuple[Any, Any]:
        """ddmath.two_prod with in-place NumPy operations: half the fresh 8-byte-per-element
        temporaries, which cost more than the arithmetic (page faults) for large arrays."""
        if np.ndim(a) == 0 or np.ndim(b) == 0 or np.shape(a) != np.shape(b) or np.asarray(a).dtype != np.float64:
            return ddmath.dekker(_NumpyNamespace, a, b)
        p = a * b
        ah = a * ddmath._SPLIT
        tmp = ah - a
        ah -= tmp  # ah = ca - (ca - a)
        al = np.subtract(a, ah, out=tmp)
        bh = b * ddmath._SPLIT
        bl = bh - b
        bh -= bl
        np.subtract(b, bh, out=bl)
        e = ah * bh
        e -= p
        ah *= bl
        e += ah
        bh *= al
        e += bh
        al *= bl
        e += al
        return p, _NumpyNamespace.finite_or_zero(e)

    @staticmethod
    def one_where_nonneg(h: np.ndarray, t: np.ndarray) -> np.ndarray:
        return np.maximum(t, h >= 0)  # t ≤ 1 always; 4× faster than numpy.where; NaN stays NaN

    @staticmethod
    def finite_or_zero(e: np.ndarray) -> np.ndarray:
        # numpy.where costs 7 multiplications; the check alone costs half of one
        return e if np.isfinite(e).all() else np.where(np.isfinite(e), e, 0.0)


class _LongdoubleNamespace(_NumpyNamespace):
    """For the underflow rescue: the same forms evaluated in longdouble (symact.erfcx's tables work
    in longdouble; SciPy's erfc/erfcx exist in float64 only and are converted)."""

    erfc, erfcx = staticmethod(_to_double(sc.erfc)), staticmethod(_to_double(sc.erfcx))


LONGDOUBLE_FUNCTIONS: dict[str, Callable[..., Any]] = {
    "expit_poly": partial(ddmath.expit_poly, _LongdoubleNamespace),
    "x_expit_poly": partial(ddmath.x_expit_poly, _LongdoubleNamespace),
    "dexpit": partial(ddmath.dexpit, _LongdoubleNamespace),
    "erfc_poly": partial(ddmath.erfc_poly_dd, _LongdoubleNamespace),
    "x_erfc_poly": partial(ddmath.x_erfc_poly_dd, _LongdoubleNamespace),
    "gauss_poly": partial(ddmath.gauss_poly, _LongdoubleNamespace),
    "x_gauss_poly": partial(ddmath.x_gauss_poly, _LongdoubleNamespace),
    "x_tanh_softplus": partial(ddmath.x_tanh_softplus, _LongdoubleNamespace),
    "ncdf": partial(ddmath.ncdf, _LongdoubleNamespace),
    "x_ncdf": partial(ddmath.x_ncdf, _LongdoubleNamespace),
    "gauss": partial(ddmath.gauss, _LongdoubleNamespace),
    "x_gauss": partial(ddmath.x_gauss, _LongdoubleNamespace),
    "erfc_stable": _erfc_longdouble,
    "erf": _to_double(sc.erf),
    "softplus_stable": lambda z: np.logaddexp(0, z),
}
"""Overrides of :data:`NUMPY_FUNCTIONS` for longdouble evaluation (the rest accept longdouble)."""

NUMPY_FUNCTIONS: dict[str, Callable[..., Any]] = {
    "dexpit": partial(ddmath.dexpit, _NumpyNamespace),
    "expit_poly": partial(ddmath.expit_poly, _NumpyNamespace),
    "x_expit_poly": partial(ddmath.x_expit_poly, _NumpyNamespace),
    "erfc_poly": partial(ddmath.erfc_poly_dd, _NumpyNamespace),
    "x_erfc_poly": partial(ddmath.x_erfc_poly_dd, _NumpyNamespace),
    "gauss_poly": partial(ddmath.gauss_poly, _NumpyNamespace),
    "x_gauss_poly": partial(ddmath.x_gauss_poly, _NumpyNamespace),
    "x_tanh_softplus": partial(ddmath.x_tanh_softplus, _NumpyNamespace),
    "ncdf": partial(ddmath.ncdf, _NumpyNamespace),
    "x_ncdf": partial(ddmath.x_ncdf, _NumpyNamespace),
    "gauss": partial(ddmath.gauss, _NumpyNamespace),
    "x_gauss": partial(ddmath.x_gauss, _NumpyNamespace),
    "expit": _expit,
    "x_expit": _x_expit,
    "dx_expit": _dx_expit,
    "dexpit_fast": _dexpit_fast,
    "x_tanh_softplus_fast": _x_tanh_softplus_fast,
    "ramp": _ramp,
    "erfc_stable": sc.erfc,
    "erf": sc.erf,
    "log1p": np.log1p,
    "expm1": np.expm1,
    "softplus_stable": _softplus,
    "maximum": np.maximum,
    "minimum": np.minimum,
    "where": np.where,
}
"""Name printed in a lowered expression → array function. Extend per call with ``functions=``."""


def resolve(obj: ActOrExpr, order: int = 0, params: Mapping[str, Any] | None = None) -> sp.Expr:
    """The expression (or its ``order``-th derivative) with every parameter replaced by a number.

    Activations take their defaults for parameters not given; raw expressions must get a value
    for every symbol other than ``x``.
    """
    params = dict(params or {})
    if isinstance(obj, (Activation, str)):
        act = get(obj)
        expr = act.expr.xreplace(act.values(params, use_defaults=True))
    else:
        expr = as_expr(obj)
        by_name = {s.name: s for s in expr.free_symbols if s != x}
        subs = {}
        for key, value in params.items():
            if key not in by_name:
                raise UnknownParameterError(
                    f"the expression has no symbol {key!r}; its symbols are {sorted(by_name) or 'none but x'}"
                )
            # a throwaway Param gives the same checks as registered ones
            subs[by_name[key]] = check_value(Param(key, by_name[key], sp.S.Zero, sp.Reals), value)
        expr = expr.xreplace(subs)
    expr = derivative(expr, order) if order else expr
    missing = sorted(s.name for s in expr.free_symbols if s != x)
    if missing:
        example = ", ".join(f"{m}=1.0" for m in missing)
        raise MissingParameterError(f"give a numeric value for {', '.join(missing)}, e.g. lambdify(..., {example})")
    return expr


TAIL = 1e8
"""|x| from which every registered function equals its asymptote to double precision.

Only used where direct evaluation overflows into inf*0 = NaN (GELU-tanh' at x = 1e103).
"""


CHUNK = 16384
"""Lowered forms with double-double parts (tens of array operations per element) are evaluated in
pieces of this many elements: each piece's temporaries (128 KB) stay in cache and are recycled by
NumPy's allocator, where whole-array temporaries are fresh pages (measured: GELU, Mish, QuickGELU
about 2× faster; a plain formula gains nothing, so it is evaluated whole)."""

CHUNK_LIGHT = 1 << 17
"""Piece size for the other lowered forms with four or more operations (or a kernel with several
temporaries): fresh whole-array temporaries page-fault on every call (measured at 10⁶ elements: fast
tanh' 4.3 → 2.5 ms, ELU 4.5 → 2.8, fast Mish 5.7 → 3.8; 10⁷: 20–35% faster). 2¹⁷ was the best of
2¹⁴…2¹⁸ at both sizes (with glibc, 2 MB pieces were 3× slower at 10⁷: each one a fresh mapping).
Shorter forms (σ, SiLU, softplus, hard-swish's x·ramp) are evaluated whole: a piece costs one more copy."""

_MANY_TEMPORARIES = ("x_tanh_softplus_fast", "dx_expit")

PROBE_AT = 1 << 16
"""Input size from which :meth:`NumericFunction.probe` runs (once per function)."""

RESCUE_BELOW = 2.0**-900
"""Results smaller than this (in float64) are re-evaluated in ``numpy.longdouble`` when that type
has a wider exponent range than float64 (see :meth:`NumericFunction._rescue_underflow`)."""

RESCUE_MARGIN = 1.0
"""Width added on each side of a rescue band found by the probe's 1/64 sweep (the narrowest known
band, GELU-tanh' near −21.2, is 0.2 wide)."""

EXTENDED = np.finfo(np.longdouble).minexp < np.finfo(np.float64).minexp - 100
"""Whether ``numpy.longdouble`` reaches far below float64's underflow (x86-64 Linux: yes;
Windows and macOS on Arm: longdouble is float64, and no rescue happens)."""

# Functions built from symact.ddmath (many operations per element: worth evaluating in pieces)
_DOUBLE_DOUBLE = ("expit_poly", "x_expit_poly", "dexpit", "erfc_poly", "x_erfc_poly", "gauss_poly", "x_gauss_poly",
                  "x_tanh_softplus", "ncdf", "x_ncdf", "gauss", "x_gauss")
# Functions whose value can underflow to 0 or a subnormal while the whole result is normal.
_UNDERFLOWING = ("exp", "expit", "x_expit", "dx_expit", "dexpit_fast", "x_tanh_softplus_fast", "expit_poly",
                 "x_expit_poly", "dexpit", "erfc_poly", "x_erfc_poly", "erfc_stable", "gauss_poly",
                 "x_gauss_poly", "x_tanh_softplus", "ncdf", "x_ncdf", "gauss", "x_gauss")


class NumericFunction:
    """An array function lowered from a SymPy expression.

    Call it on any array-like of real numbers: the result has the input's shape, float32 stays
    float32 (computed in float64, then rounded once), other real input becomes float64. NaN gives
    NaN, ±inf give the mathematical limits. ``expr`` is the symbolic source, ``lowered`` the
    stable form that is evaluated, ``source`` the generated Python code.
    """

    def __init__(self, expr: sp.Expr, lowered: sp.Expr, func: Callable[[np.ndarray], Any],
                 rescue: Callable[[np.ndarray], Any] | None = None, chunk: int | None = None,
                 probe: bool = False) -> None:
        self.expr = expr
        self.lowered = lowered
        self._func = func
        self._rescue = rescue
        self.chunk = chunk
        """Large inputs are evaluated in pieces of this many elements (None: whole), see :data:`CHUNK`."""
        self.plain = False
        """True when the lowered code itself already gives NaN, the limits at ±inf and the tails (see
        :meth:`probe`): calls then skip the min/max reduction that routes input to the repairs."""
        self._to_probe = probe
        self.rescue_bands: tuple[tuple[float, float], ...] | None = None
        """x-intervals where the longdouble rescue changes results (set by :meth:`probe`): input outside
        them skips the rescue's scan of the output."""
        self.float32_form: Callable[[], NumericFunction] | None = None
        """The function float32 input is evaluated with (the uncompensated lowering), if not this one."""

    def probe(self) -> NumericFunction:
        """Decide by evaluation which repairs this function needs, and drop the others.

        Plain: the raw lowered code equals the repaired result on ±inf, NaN, ±0 and 4000 magnitudes
        from TAIL/10 to the largest float, both signs (an overflow into inf·0 starts at a threshold
        and lasts to the end of the range, so a dense geometric sweep sees it). Rescue: kept only if
        re-evaluating in longdouble changes some result on [−1100, 1100] in steps of 1/64 (the
        narrowest underflow band known, GELU-tanh' near −21.2, is 0.2 wide); a lone σ(x) or eˣ
        underflows gracefully by itself.

        Done on the first call with at least :data:`PROBE_AT` elements (it needs the symbolic limits,
        a fraction of a second), where the savings are worth it.
        """
        self._to_probe = False
        with np.errstate(all="ignore"):
            big = np.geomspace(TAIL / 10, float(np.finfo(np.float64).max), 4000)
            points = np.concatenate([big, -big, [np.inf, -np.inf, np.nan, 0.0, -0.0, TAIL, -TAIL]])
            raw = np.broadcast_to(np.asarray(self._func(points), dtype=np.float64), points.shape)
            fixed = self._call_special(points)
            signs = ~np.isnan(fixed)  # a NaN's sign bit means nothing (scipy's expit(nan) is -nan)
            self.plain = bool(np.array_equal(raw, fixed, equal_nan=True)
                              and np.array_equal(np.signbit(raw[signs]), np.signbit(fixed[signs])))
            if self._rescue is not None:
                sweep = np.arange(-1100.0, 1100.0, 1 / 64)
                raw = np.array(np.broadcast_to(np.asarray(self._func(sweep), dtype=np.float64), sweep.shape))
                fixed = self._rescue_underflow(sweep, raw)
                changed = ~((fixed == raw) | (np.isnan(fixed) & np.isnan(raw)))
                if changed.any():
                    self.rescue_bands = _bands(sweep[changed], RESCUE_MARGIN)
                else:
                    self._rescue = None
        return self

    def _needs_rescue(self, lo: float, hi: float) -> bool:
        """Whether input spanning [lo, hi] can meet a rescue band (always, when the bands are unknown)."""
        if self.rescue_bands is None or not (lo <= hi):  # NaN bounds: unknown
            return True
        return any(lo <= b and hi >= a for a, b in self.rescue_bands)

    def _evaluate(self, work: np.ndarray) -> np.ndarray:
        if self.chunk is None or work.size <= self.chunk:
            return np.asarray(self._func(work), dtype=np.float64)
        flat = work.reshape(-1)
        out = np.empty(flat.shape)
        for start in range(0, flat.size, self.chunk):
            piece = flat[start:start + self.chunk]
            out[start:start + self.chunk] = self._func(piece)
        return out.reshape(work.shape)

    @property
    def source(self) -> str:
        return inspect.getsource(self._func)

    def limits(self) -> tuple[float, float]:
        """The values at -inf and +inf (NaN where the limit is not a real number or infinity)."""
        return limits_at_infinity(self.expr)

    def __call__(self, values: Any) -> Any:
        arr = np.asarray(values)
        if arr.dtype.kind not in "fiub":
            raise InvalidArgumentError(
                f"expected real numbers (a float, list or NumPy array), got {type(values).__name__} "
                f"of dtype {arr.dtype}"
            )
        if arr.dtype == np.float32 and self.float32_form is not None:
            return self.float32_form()(arr)
        out_dtype = arr.dtype if arr.dtype in (np.float32, np.float64) else np.dtype(np.float64)
        # float32 is computed in float64 and rounded once at the end
        work = arr if arr.dtype == np.float64 else arr.astype(np.float64)
        if self._to_probe and work.size >= PROBE_AT:
            try:
                self.probe()
            except (TypeError, ValueError):  # a user-supplied function (functions=) that rejects the probe
                pass
        # numpy.where evaluates every Piecewise branch everywhere, and far tails overflow into
        # inf*0: neither is an error of the result, hence errstate and the repairs below.
        with np.errstate(all="ignore"):
            # one reduction decides the common case: no NaN, no inf, nothing beyond TAIL
            known = bool(work.size) and not self.plain
            lo, hi = (work.min(), work.max()) if known else (0.0, 0.0)
            if -TAIL < lo and hi < TAIL:
                out = self._evaluate(work)
                if out.shape != work.shape:
                    out = np.array(np.broadcast_to(out, work.shape))
            else:
                out = self._call_special(work)
            if self._rescue is not None and out_dtype == np.float64 and work.size and \
                    (not known or self._needs_rescue(lo, hi)):
                out = self._rescue_underflow(work, out)
            result = out if out_dtype == np.float64 else out.astype(out_dtype)
        return result if arr.ndim else result[()]

    def _call_special(self, work: np.ndarray) -> np.ndarray:
        """Input with NaN, ±inf or |x| ≥ TAIL: limits at ±inf, NaN kept, inf*0 in the tails repaired."""
        finite = np.isfinite(work)
        out = np.array(np.broadcast_to(self._evaluate(np.where(finite, work, 0.0)),
                                       work.shape))
        lo, hi = self.limits()
        out[work == np.inf] = hi
        out[work == -np.inf] = lo
        out[np.isnan(work)] = np.nan
        broken = finite & np.isnan(out) & (np.abs(work) >= TAIL)
        if broken.any():
            out[broken] = _tail(self.expr)(work[broken])
        return out

    def _rescue_underflow(self, work: np.ndarray, out: np.ndarray) -> np.ndarray:
        """Re-evaluate in extended precision where the result is within 2**-900 of zero.

        A normal result can be a product of a subnormal factor and a large one (GELU-tanh' at
        x = −21.2 is 2e-307 = 1e-310 · 2000): float64 loses the factor's bits, or all of them.
        ``numpy.longdouble`` (x87 80-bit on x86-64 Linux) has exponents down to 1e-4951, so the
        same lowered expression evaluated there does not underflow. Only these few points pay.
        """
        flat_out, flat_in = out.reshape(-1), work.reshape(-1)
        if np.fmin.reduce(flat_out) >= RESCUE_BELOW:  # positive results (σ): one pass, no temporary
            return out
        magnitude = np.abs(flat_out)
        if not np.fmin.reduce(magnitude) < RESCUE_BELOW:  # the common case: one reduction (NaN skipped)
            return out
        small = np.isfinite(flat_in) & (magnitude < RESCUE_BELOW)
        if not small.any():
            return out
        try:
            redo = np.asarray(self._rescue(flat_in[small].astype(np.longdouble)), dtype=np.float64)
        except TypeError:  # a user-supplied function (functions=) without a longdouble loop
            return out
        fixed = np.array(flat_out)
        fixed[small] = redo
        return fixed.reshape(out.shape)

    def __repr__(self) -> str:
        return f"<NumericFunction {self.expr}>"


def _bands(points: np.ndarray, margin: float) -> tuple[tuple[float, float], ...]:
    """Sorted points grouped into intervals (a gap wider than 2·margin starts a new one), each widened
    by margin on both sides."""
    breaks = np.flatnonzero(np.diff(points) > 2 * margin)
    starts = np.concatenate([[0], breaks + 1])
    ends = np.concatenate([breaks, [points.size - 1]])
    return tuple((float(points[i]) - margin, float(points[j]) + margin) for i, j in zip(starts, ends, strict=True))


@lru_cache(maxsize=512)
def limits_at_infinity(expr: sp.Expr) -> tuple[float, float]:
    """(limit at -oo, limit at +oo) as floats; NaN where SymPy finds no real or infinite limit."""
    from .calculus import limit

    out = []
    for point in (-sp.oo, sp.oo):
        try:
            value = limit(expr, point)
            out.append(float(value) if value.is_number and value.is_extended_real else float("nan"))
        except (SymactError, TypeError, ValueError):
            out.append(float("nan"))
    return out[0], out[1]


@lru_cache(maxsize=512)
def _tail(expr: sp.Expr) -> Callable[[np.ndarray], np.ndarray]:
    """The asymptotes at -oo and +oo as one array function (NaN where SymPy cannot find them)."""
    from .calculus import asymptote

    parts = []
    for point in (-sp.oo, sp.oo):
        try:
            parts.append(sp.lambdify(x, asymptote(expr, point), "numpy"))
        except SymactError:
            parts.append(lambda v: np.full_like(v, np.nan))

    def tail(v: np.ndarray) -> np.ndarray:
        with np.errstate(all="ignore"):
            return np.where(v < 0, np.broadcast_to(parts[0](v), v.shape), np.broadcast_to(parts[1](v), v.shape))

    return tail


FRAMEWORKS = {"torch": ("torch", "PyTorch", "pip install -e '.[torch]' (torch==2.13.0)"),
              "jax": ("jax", "JAX", "pip install -e '.[jax]' (jax and jaxlib)")}


def _backend_function(obj: ActOrExpr, backend: str, derivative: int, params: Mapping[str, Any]) -> Callable:
    if backend not in FRAMEWORKS:
        raise InvalidArgumentError(f"unknown backend {backend!r}: choose numpy, torch or jax")
    module, label, install = FRAMEWORKS[backend]
    try:
        __import__(module)
    except ImportError:
        from .errors import BackendUnavailableError

        raise BackendUnavailableError(f"the {backend} backend needs {label}, which is not installed: {install}") \
            from None
    key = get(obj).name if isinstance(obj, (str, Activation)) else as_expr(obj)
    return _compiled(key, backend, derivative, tuple(sorted(params.items())))


@lru_cache(maxsize=256)
def _compiled(obj: Any, backend: str, derivative: int, params: tuple[tuple[str, Any], ...]) -> Callable:
    # generating and compiling a module (three derivatives, lowered) takes up to seconds: once per key
    from .codegen import compile_source, source

    return compile_source(source(obj, backend=backend, derivative=derivative, name="f", **dict(params)), "f")


def lambdify(obj: ActOrExpr, *, derivative: int = 0, lowering: bool = True, backend: str = "numpy",
             functions: Mapping[str, Callable[..., Any]] | None = None, fast: bool = False, **params: Any) -> Any:
    """A NumPy function of ``x`` for an activation (or expression) or its ``derivative``-th derivative.

    >>> import numpy as np, symact
    >>> f = symact.lambdify("gelu")
    >>> f(np.array([[-1.0, 0.0], [1.0, 2.0]])).shape
    (2, 2)

    ``lowering=False`` evaluates the textbook formula as written (for comparisons);
    ``functions`` adds or overrides entries of :data:`NUMPY_FUNCTIONS`.

    ``fast=True`` drops the double-double forms (``lower(..., compensated=False)``): still free of
    cancellation and overflow, a few ulp in float64 (GELU's far tail up to ~500: SciPy's erfc) instead of
    ≤ 2, at about the textbook formula's speed. Float32 input always takes that form: computed in
    float64 and rounded once, it is within 1 ulp of the correctly rounded float32 value either way.

    ``backend="torch"`` or ``"jax"`` returns a function of framework tensors with the same stable
    lowering, differentiable by autograd / ``jax.grad`` (JAX computes float64 only with
    ``jax.config.update("jax_enable_x64", True)``).
    """
    if backend != "numpy":
        if not lowering or functions or fast:
            raise InvalidArgumentError("lowering=False, functions= and fast= apply to the numpy backend only")
        return _backend_function(obj, backend, derivative, params)
    expr = resolve(obj, derivative, params)
    table = ChainMap(dict(functions or {}), NUMPY_FUNCTIONS)
    return _lambdify(expr, lowering, tuple(sorted(table.items(), key=lambda kv: kv[0])), not fast)


@lru_cache(maxsize=512)
def _lambdify(expr: sp.Expr, lowering: bool, table: tuple[tuple[str, Any], ...],
              compensated: bool = True) -> NumericFunction:
    lowered = lower(expr, stable=lowering, compensated=compensated)
    func = sp.lambdify(x, lowered, modules=[dict(table), "scipy", "numpy"], cse=True)
    rescue = None
    names = {type(f).__name__ for f in lowered.atoms(sp.Function)} | ({"exp"} if lowered.has(sp.exp) else set())
    if lowering and EXTENDED and names & set(_UNDERFLOWING):
        rescue = sp.lambdify(x, lowered, modules=[{**dict(table), **LONGDOUBLE_FUNCTIONS}, "scipy", "numpy"],
                             cse=True)
    chunk = None
    if lowering and names & set(_DOUBLE_DOUBLE):
        chunk = CHUNK
    elif lowering and (sp.count_ops(lowered) >= 4 or names & set(_MANY_TEMPORARIES)):
        chunk = CHUNK_LIGHT
    out = NumericFunction(expr, lowered, func, rescue, chunk, probe=lowering)
    if lowering and compensated:
        out.float32_form = partial(_lambdify, expr, lowering, table, False)
    return out


def exact_value(func: Callable[[Any], Any], value: Any, *, maxprec: int = 1 << 14) -> Any:
    """``func(value)`` correct to the current ``mpmath.mp.prec``, whatever cancellation ``func`` has.

    Evaluates at increasing working precision until two precisions agree; an exact zero is not
    trusted (``1 + erf(-14)`` is exactly 0 at 40 digits) until ``maxprec`` bits also give zero.
    """
    target = mpmath.mp.prec
    prec, previous = target + 32, None
    while True:
        with mpmath.workprec(prec):
            current = func(mpmath.mpf(value))
        agree = previous is not None and current != 0 and (
            abs(current - previous) <= abs(current) * mpmath.mpf(2) ** (-target - 8))
        if agree or prec >= maxprec:
            return +current  # unary plus rounds to the caller's precision
        previous, prec = current, prec * 2


def to_mpmath(obj: ActOrExpr, derivative: int = 0, **params: Any) -> Callable[[Any], Any]:
    """An mpmath function of the expression (or its derivative), exact to ``mpmath.mp.prec`` bits.

    The textbook form is evaluated (named functions expanded) with :func:`exact_value`, so its
    cancellations cost precision, never accuracy.
    """
    expr = to_elementary(resolve(obj, derivative, params))
    f = sp.lambdify(x, expr, modules="mpmath")
    return lambda value: exact_value(f, value)


__all__ = ["NUMPY_FUNCTIONS", "NumericFunction", "exact_value", "lambdify", "resolve", "to_mpmath"]
