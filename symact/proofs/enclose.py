"""Certified roots, extrema and suprema on finite intervals, by subdivision with Arb enclosures.

* :func:`roots` isolates every root of g on [a, b]: a box where g's enclosure excludes 0 has none; a box where
  g' excludes 0 and g changes sign at its ends has exactly one, refined by bisection to the width asked for.
  A box that stays ambiguous at the smallest width (a double root, a tangency) makes the answer undecided.
* :func:`sup_abs` encloses max |e| on [a, b] by branch and bound with the centred form e(m) + e'(box)·(box − m).
"""

from __future__ import annotations

import heapq
import time
from dataclasses import dataclass
from typing import Any

import sympy as sp
from flint import arb

from ..errors import UndecidedError
from ..symbols import x
from .arb import Ball, enclosure, working_precision

WIDER = (1024, 4096)
"""Precisions tried where an enclosure at :data:`PREC` cannot tell a value from 0 (1 + tanh(−350) needs ~1000
bits)."""
_SPLIT = arb(127) / 256
"""Where :func:`roots` cuts a box: not its centre, where exact roots (0, ±1) of symmetric intervals would fall."""
MIN_WIDTH = 2.0**-120
"""Boxes are not split below this width (a root found there is a double root or a tangency)."""


@dataclass(frozen=True)
class Root:
    """A root of g certified unique in [lo, hi]."""

    lo: Ball
    hi: Ball

    @property
    def ball(self) -> Ball:
        return self.lo.union(self.hi)

    @property
    def width(self) -> float:
        return float((self.hi - self.lo).upper())


@dataclass(frozen=True)
class Bound:
    """A certified enclosure [lo, hi] of a real number, and where it is attained (approximately)."""

    lo: Ball
    hi: Ball
    at: float

    @property
    def ball(self) -> Ball:
        return self.lo.union(self.hi)


def _sign(b: Ball) -> int:
    """+1, −1 where the ball is certainly positive / negative, 0 where it contains 0 (or is indeterminate)."""
    return 1 if b > 0 else (-1 if b < 0 else 0)


def _decided(f: Any, ball: Ball) -> int:
    """The sign of f over the ball, at :data:`PREC` bits and, where that cannot tell, at :data:`WIDER`."""
    sign = _sign(f(ball))
    for prec in WIDER:
        if sign:
            break
        sign = _sign(f(ball, prec))
    return sign


def roots(g: sp.Expr, a: Any, b: Any, *, width: float = 1e-32, budget: float = 30.0) -> list[Root]:
    """Every root of ``g`` (an expression in x) in [a, b], each certified unique in a box narrower than ``width``."""
    f, df = enclosure(g), enclosure(sp.diff(g, x))
    deadline = time.monotonic() + budget
    out: list[Root] = []
    with working_precision():
        stack = [(arb(a), arb(b))]
        while stack:
            if time.monotonic() > deadline:
                raise UndecidedError(f"isolating the roots of {g} on [{a}, {b}] took more than {budget:g} s")
            lo, hi = stack.pop()
            box = lo.union(hi)
            if _decided(f, box) != 0:
                continue
            s_lo, s_hi = _decided(f, lo), _decided(f, hi)
            if _sign(df(box)) != 0 and s_lo * s_hi != 0:
                if s_lo != s_hi:
                    out.append(_refine(f, lo, hi, s_lo, width))
                continue  # monotone with the same sign at both ends: no root
            if float((hi - lo).upper()) < MIN_WIDTH:
                raise UndecidedError(f"{g} has a root near {float(lo.mid()):.17g} that Arb cannot isolate (a double "
                                     "root or a tangency)")
            mid = lo + (hi - lo) * _SPLIT  # off-centre: a root at 0 of [−L, L] must not sit on a cut
            stack += [(mid, hi), (lo, mid)]
    return sorted(out, key=lambda r: float(r.lo.mid()))


def _refine(f: Any, lo: Ball, hi: Ball, s_lo: int, width: float) -> Root:
    while float((hi - lo).upper()) > width:
        mid = (lo + hi) / 2
        s = _sign(f(mid))
        if s == 0:  # the midpoint's value contains 0: the root is within the rounding of this point
            eps = (hi - lo) / 1024
            a, b = mid - eps, mid + eps
            if _sign(f(a)) == s_lo and _sign(f(b)) == -s_lo:
                return Root(a, b)
            break
        if s == s_lo:
            lo = mid
        else:
            hi = mid
    return Root(lo, hi)


def value_at(expr: sp.Expr, r: Root) -> Bound:
    """The value of ``expr`` over a root's box: centred, e(m) ± sup|e'(box)|·(width/2)."""
    f, df = enclosure(expr), enclosure(sp.diff(expr, x))
    with working_precision():
        box = r.ball
        m = box.mid()
        slope = abs(df(box)).upper()
        v = f(arb(m)) + arb(0, (slope * box.rad()).upper())
        direct = f(box)
        best = v if v.rad() < direct.rad() else direct
        return Bound(best.lower(), best.upper(), float(m))


def sup_abs(e: sp.Expr, a: Any, b: Any, *, rel: float = 1e-13, budget: float = 30.0,
            start_points: int = 256, decide: float | None = None) -> Bound:
    """An enclosure of max over [a, b] of |e(x)|: lower bound from point values, upper from the boxes, within
    ``rel`` of each other — or, with ``decide``, as soon as the enclosure lies on one side of it."""
    f, df = enclosure(e), enclosure(sp.diff(e, x))
    deadline = time.monotonic() + budget
    with working_precision():
        A, B = arb(a), arb(b)
        best_lo, best_at = arb(0), float(A.mid())

        def point(p: Ball) -> None:
            nonlocal best_lo, best_at
            v = abs(f(p)).lower()
            if v > best_lo:
                best_lo, best_at = v, float(p.mid())

        def upper(lo: Ball, hi: Ball) -> Ball:
            box = lo.union(hi)
            m = (lo + hi) / 2
            centred = abs(f(m)) + abs(df(box)) * (hi - lo) / 2
            return min(abs(f(box)).upper(), centred.upper())

        step = (B - A) / start_points
        heap: list[tuple[float, int, Ball, Ball, Ball]] = []
        count = 0
        for k in range(start_points):
            lo, hi = A + step * k, (A + step * (k + 1) if k + 1 < start_points else B)
            point(lo)
            u = upper(lo, hi)
            heap.append((-float(u), count, lo, hi, u))
            count += 1
        point(B)
        heapq.heapify(heap)
        while True:
            _, _, lo, hi, u = heap[0]
            if u <= best_lo * (1 + rel) or (decide is not None and (u <= decide or best_lo > decide)):
                return Bound(best_lo, u, best_at)
            if time.monotonic() > deadline:
                raise UndecidedError(f"bounding max |{e}| on [{a}, {b}] to {rel:g} took more than {budget:g} s "
                                     f"(now within [{float(best_lo):.6g}, {float(u):.6g}])")
            heapq.heappop(heap)
            mid = (lo + hi) / 2
            point(mid)
            for p, q in ((lo, mid), (mid, hi)):
                uu = upper(p, q)
                if uu > best_lo:
                    heapq.heappush(heap, (-float(uu), count, p, q, uu))
                    count += 1
            if not heap:
                return Bound(best_lo, best_lo, best_at)


__all__ = ["MIN_WIDTH", "Bound", "Root", "roots", "sup_abs", "value_at"]
