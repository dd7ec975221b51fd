"""A certified enclosure of sup |e(x)| on an interval or on the whole real line.

On [−L, L] (or the interval asked for) :func:`symact.proofs.enclose.sup_abs` bounds it by subdivision; beyond
±L :func:`symact.proofs.tails.tail_bound` gives a decreasing bound, evaluated at ±L. L grows (10, 20, 40) until
the tails are below the middle's upper bound.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import sympy as sp
from flint import arb

from ..symbols import x
from .arb import OutOfReach, enclosure, working_precision
from .enclose import sup_abs
from .signs import nested_tail_bound
from .tails import TailBound, tail_bound

TAIL_STARTS = (10, 20, 40)


@dataclass(frozen=True)
class CertifiedSup:
    """sup |e| ∈ [lo, hi] (Arb balls), nearly attained at ``at``; ``how`` says how it was established."""

    lo: Any
    hi: Any
    at: float
    how: str

    @property
    def lo_float(self) -> float:
        """The lower end as a double rounded down (the enclosure stays an enclosure)."""
        end = self.lo.lower()
        v = float(end)
        return v if arb(v) <= end else math.nextafter(v, -math.inf)

    @property
    def hi_float(self) -> float:
        """The upper end as a double rounded up."""
        end = self.hi.upper()
        v = float(end)
        return v if arb(v) >= end else math.nextafter(v, math.inf)


def _tail(e: sp.Expr, L: sp.Expr) -> TailBound:
    """The one-sided textbook bounds, or where a saturating call nests another (Mish), the two-sided ones."""
    try:
        return tail_bound(e, L)
    except OutOfReach as first:
        try:
            return nested_tail_bound(e, L)
        except OutOfReach:
            raise first from None


def certified_sup(e: sp.Expr, interval: tuple[float, float] | None = None, *, rel: float = 1e-13,
                  decide: float | None = None, budget: float = 30.0) -> CertifiedSup:
    """Raises :class:`symact.proofs.arb.OutOfReach` (a function or tail the method does not cover) or
    :class:`symact.errors.UndecidedError` (out of time)."""
    if interval is not None:
        a, b = interval
        s = sup_abs(e, a, b, rel=rel, decide=decide, budget=budget)
        return CertifiedSup(s.lo, s.hi, s.at, f"certified on [{a:g}, {b:g}] by Arb subdivision")
    reason = ""
    for L in TAIL_STARTS:
        right = _tail(e, sp.Integer(L))
        left = _tail(e.subs(x, -x), sp.Integer(L))
        with working_precision():
            tails = max(enclosure(right.bound)(arb(L)).upper(), enclosure(left.bound)(arb(L)).upper())
        s = sup_abs(e, -L, L, rel=rel, decide=decide, budget=budget)
        reason = (f"certified on [−{L}, {L}] by Arb subdivision; beyond ±{L} |difference| ≤ "
                  f"{float(tails):.3g} (decreasing tail bounds {right.bound} and, at −x, {left.bound})")
        if tails <= s.hi or L == TAIL_STARTS[-1]:
            with working_precision():
                hi = s.hi if tails <= s.hi else s.hi.union(tails)
            return CertifiedSup(s.lo, hi.upper(), s.at, reason)
    raise AssertionError(reason)  # not reached: the last L returns


__all__ = ["TAIL_STARTS", "CertifiedSup", "certified_sup"]
