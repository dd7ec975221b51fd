"""Deciding claims about formulas: ``"diff(gelu(x), x) == Phi(x) + x*phi(x)"``.

* ``A == B`` — equality; ``diff(E, x[, n])`` and ``limit(E, var, point)`` may appear on either side.
* ``A ~ B`` — approximation, decided against a tolerance on an interval.

Each side is a formula of :mod:`symact.symbolic.formula` (registered activations and blocks as functions,
``swish(x, beta=0)``, ``glu(x)``; parameters not given take their defaults; ``^`` is a power).

Verdicts: ``PROVED`` (SymPy reduces the difference to 0; for ``~``, a certified enclosure of sup |A − B| below
the tolerance: Arb subdivision on a finite interval and, on the real line, decreasing tail bounds that are
theorems, :mod:`symact.proofs`), ``DISPROVED`` (a concrete counterexample, evaluated with mpmath or certified),
``HOLDS NUMERICALLY`` (the measured maximum error and where, with the reason certification failed), ``UNDECIDED``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import mpmath as mp
import numpy as np
import sympy as sp

from ..errors import InvalidArgumentError, SymactError, UndecidedError
from ..functions import to_elementary
from ..oracle import mp_function
from ..symbols import x
from . import approx as _approx
from .calculus import equivalent
from .formula import MAX_LENGTH, FormulaSyntaxError, parse

ClaimSyntaxError = FormulaSyntaxError
"""The claim is not in the grammar (the message says what is allowed); see :mod:`symact.symbolic.formula`."""

PROVED, DISPROVED, HOLDS, UNDECIDED = "PROVED", "DISPROVED", "HOLDS NUMERICALLY", "UNDECIDED"


def _split(claim: str) -> tuple[str, str, str]:
    """Split at the top-level relation: '==' (equality) or '~' (approximation)."""
    depth = 0
    for i, ch in enumerate(claim):
        depth += ch in "([" and 1 or (-1 if ch in ")]" else 0)
        if depth == 0:
            if claim.startswith("==", i):
                return claim[:i], "==", claim[i + 2:]
            if ch == "~":
                return claim[:i], "~", claim[i + 1:]
    raise ClaimSyntaxError("a claim needs '==' (equality) or '~' (approximation), e.g. silu(x) == swish(x, 1)")


@dataclass(frozen=True)
class Verdict:
    """The decision on one claim."""

    claim: str
    kind: str
    verdict: str
    detail: str
    lhs: sp.Expr | None = None
    rhs: sp.Expr | None = None
    counterexample: dict[str, str] = field(default_factory=dict)
    max_error: str | None = None
    at: dict[str, str] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return self.verdict in (PROVED, HOLDS)

    def __str__(self) -> str:
        return f"{self.verdict}: {self.claim}\n  {self.detail}"

    def _repr_latex_(self) -> str:
        from ..latex import expression

        rel = "=" if self.kind != "approximation" else r"\approx"
        if self.lhs is None or self.rhs is None:
            return rf"$\text{{{self.verdict}}}$"
        return rf"$\text{{{self.verdict}}}:\ {expression(self.lhs)} {rel} {expression(self.rhs)}$"


def _kind(text: str) -> str:
    stripped = text.replace(" ", "")
    if "diff(" in stripped:
        return "derivative"
    if "limit(" in stripped:
        return "limit"
    return "equality"


# Sample points for counterexamples: spread over the scales where activations differ.
_X_POINTS = ("-7.25", "-3.1", "-1.7", "-0.9", "-0.35", "0.15", "0.6", "1.3", "2.45", "4.2", "8.9")
_PARAM_POINTS = ("0.37", "1", "1.9", "3.3")


def _decide_equality(text: str, kind: str, lhs: sp.Expr, rhs: sp.Expr,
                     interval: tuple[float, float] | None = None) -> Verdict:
    if lhs == rhs or equivalent(lhs, rhs):
        return Verdict(text, kind, PROVED, "SymPy reduces the difference to 0", lhs, rhs)
    diff = to_elementary(lhs - rhs)
    free = sorted(diff.free_symbols, key=lambda s: (s != x, s.name))
    if any(not s.is_real for s in free):
        return Verdict(text, kind, UNDECIDED, f"symbols without a real domain: {free}", lhs, rhs)
    f = mp_function(diff, free, named=False)
    fl = mp_function(lhs, free, named=False)
    fr = mp_function(rhs, free, named=False)
    lo, hi = interval if interval is not None else (-10, 10)
    # the scattered points, and for x a grid of the interval: a counterexample is then reported where the
    # difference is largest, i.e. plain to see (not where both sides are ~1e-11)
    dense = tuple(str(mp.mpf(lo) + (mp.mpf(hi) - mp.mpf(lo)) * k / 200) for k in range(201))
    grids = [(*_X_POINTS, *dense) if s == x else _PARAM_POINTS if s.is_positive else _X_POINTS[::2] for s in free]
    points = _sample(grids)
    worst: tuple[mp.mpf, tuple[mp.mpf, ...]] = (mp.mpf(0), ())
    failed: tuple[mp.mpf, tuple[mp.mpf, ...], Any, Any] | None = None
    with mp.workdps(30):
        for point in points:
            values = tuple(mp.mpf(v) for v in point)
            try:
                left, right = fl(*values), fr(*values)
                same_infinity = mp.isinf(left) and left == right
                scale = max(1, abs(left), abs(right)) if not same_infinity else 1
                rough = abs(left - right) if not same_infinity else mp.mpf(0)
                # the verdict needs |difference| against 1e-20·scale with scale ≥ 1: absolute accuracy, which
                # 80 digits give (rising precision until relative agreement costs seconds at erf(±60))
                if same_infinity:
                    gap = mp.mpf(0)
                elif rough > mp.mpf(10) ** -15 * scale:
                    gap = rough
                else:
                    with mp.workdps(80):
                        gap = abs(f(*values))
            except (TypeError, ValueError, ZeroDivisionError, OverflowError):
                continue
            if not mp.isfinite(gap) or gap > mp.mpf(10) ** -20 * scale:
                size = gap if mp.isfinite(gap) else mp.inf
                if failed is None or size > failed[0]:
                    failed = (size, values, left, right)
            elif gap >= worst[0]:
                worst = (gap, values)
    if failed is not None:
        size, values, left, right = failed
        example = {s.name: mp.nstr(v, 15) for s, v in zip(free, values, strict=True)}
        where = f"counterexample {_fmt(example)}" if example else "the sides differ"
        detail = (f"{where} (largest difference found): left = {mp.nstr(left, 15)}, right = {mp.nstr(right, 15)}, "
                  f"difference = {mp.nstr(size, 6)}")
        return Verdict(text, kind, DISPROVED, detail, lhs, rhs, counterexample=example)
    if not worst[1] and free:
        return Verdict(text, kind, UNDECIDED, "the two sides could not be evaluated at any sample point", lhs, rhs)
    at = {s.name: mp.nstr(v, 15) for s, v in zip(free, worst[1], strict=True)}
    detail = (f"not proved symbolically; max |difference| {mp.nstr(worst[0], 3)} over "
              f"{len(points)} sample points" + (f", at {_fmt(at)}" if at else ""))
    return Verdict(text, kind, HOLDS, detail, lhs, rhs, max_error=mp.nstr(worst[0], 6), at=at)


SAMPLES = 1500
"""Points a claim with several symbols (a block's x, W, V, b, c) is tried at: the full grid when it is this
small, else this many combinations drawn from it with a fixed seed (the same verdict every run)."""


def _sample(grids: list[tuple[str, ...]]) -> list[tuple[str, ...]]:
    size = math.prod(len(g) for g in grids)
    if size <= SAMPLES:
        return _product(grids)
    rng = np.random.default_rng(0)
    picks = [rng.integers(0, len(g), SAMPLES) for g in grids]
    return [tuple(g[int(p[i])] for g, p in zip(grids, picks, strict=True)) for i in range(SAMPLES)]


def _product(grids: list[tuple[str, ...]]) -> list[tuple[str, ...]]:
    out: list[tuple[str, ...]] = [()]
    for g in grids:
        out = [p + (v,) for p in out for v in g]
    return out


def _fmt(values: dict[str, str]) -> str:
    return ", ".join(f"{k} = {v}" for k, v in values.items())


def _decide_approximation(text: str, lhs: sp.Expr, rhs: sp.Expr, tol: float, interval: Any) -> Verdict:
    free = (lhs - rhs).free_symbols - {x}
    if free:
        names = ", ".join(sorted(s.name for s in free))
        raise InvalidArgumentError(f"an approximation claim needs numbers for {names}, e.g. swish(x, beta=2)")
    span = "the real line" if interval is None else f"[{interval[0]}, {interval[1]}]"
    from ..proofs.arb import OutOfReach  # python-flint: imported when a claim needs it
    from ..proofs.sup import certified_sup

    try:
        sup = certified_sup(rhs - lhs, interval)  # to 1e-13: the enclosure and its argmax are worth printing
    except (OutOfReach, UndecidedError) as exc:
        why = f"not certified: {exc}"
    else:
        enclosure = f"[{sup.lo_float:.17g}, {sup.hi_float:.17g}]"
        middle = f"{(sup.lo_float + sup.hi_float) / 2:.17g}"  # max_error: a number inside the enclosure
        where = {"x": f"{sup.at:.17g}"}
        if sup.hi_float <= tol:
            detail = f"sup |difference| on {span} ∈ {enclosure} <= tol {tol} ({sup.how})"
            return Verdict(text, "approximation", PROVED, detail, lhs, rhs, max_error=middle, at=where)
        if sup.lo_float > tol:
            detail = (f"counterexample x = {where['x']}: |difference| >= {sup.lo_float:.17g} > tol {tol}, "
                      f"certified ({sup.how})")
            return Verdict(text, "approximation", DISPROVED, detail, lhs, rhs, counterexample=where,
                           max_error=middle, at=where)
        why = f"tol {tol} lies within the certified enclosure {enclosure} of the sup"
    found = _approx.max_error(rhs, lhs, interval)
    where = {"x": mp.nstr(found.at, 15)}
    if found.value <= tol:
        detail = (f"max |difference| {mp.nstr(found.value, 6)} <= tol {tol} on {span}, at x = {where['x']} "
                  f"(sampled and refined; {why})")
        return Verdict(text, "approximation", HOLDS, detail, lhs, rhs, max_error=mp.nstr(found.value, 6), at=where)
    detail = (f"counterexample x = {where['x']}: |difference| {mp.nstr(found.value, 6)} > tol {tol} "
              f"(the maximum on {span}, evaluated with mpmath)")
    return Verdict(text, "approximation", DISPROVED, detail, lhs, rhs, counterexample=where,
                   max_error=mp.nstr(found.value, 6), at=where)


def check(claim: str, *, tol: float = 1e-2, interval: tuple[float, float] | None = None) -> Verdict:
    """Decide ``claim`` (see the module docstring for the grammar and the verdicts).

    >>> check("swish(x, beta=0) == x/2").verdict
    'PROVED'
    """
    if not isinstance(claim, str):
        raise ClaimSyntaxError(f"a claim is a string such as 'silu(x) == swish(x, 1)', got {claim!r}")
    if len(claim) > 2 * MAX_LENGTH:
        raise ClaimSyntaxError(f"the claim has {len(claim)} characters; at most {2 * MAX_LENGTH} are read")
    if not (isinstance(tol, (int, float)) and math.isfinite(tol) and tol > 0):
        raise InvalidArgumentError(f"tol must be a positive number, got {tol!r}")
    left, rel, right = _split(claim)
    text = claim.strip()
    try:
        lhs, rhs = parse(left), parse(right)
    except UndecidedError as exc:
        return Verdict(text, _kind(claim), UNDECIDED, f"SymPy could not evaluate a side: {exc}")
    for side, value in (("left", lhs), ("right", rhs)):
        if value.has(sp.zoo, sp.nan):
            raise InvalidArgumentError(f"the {side} side {value} is undefined (a division by zero?)")
    if rel == "~":
        return _decide_approximation(text, lhs, rhs, float(tol), interval)
    try:
        return _decide_equality(text, _kind(claim), lhs, rhs, interval)
    except SymactError:
        raise
    except Exception as exc:  # noqa: BLE001  SymPy can fail in many ways on odd input: say so, do not guess
        return Verdict(text, _kind(claim), UNDECIDED, f"SymPy could not decide: {type(exc).__name__}: {exc}",
                       lhs, rhs)


__all__ = ["DISPROVED", "HOLDS", "PROVED", "UNDECIDED", "ClaimSyntaxError", "Verdict", "check", "parse"]
