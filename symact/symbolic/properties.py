"""A property sheet per activation: range, monotonicity, extrema, convexity, Lipschitz constant, smoothness,
asymptotes, f(0), f'(0), oddness, zero-centredness, identity near 0 — each fact marked with how it was established.

The real line is cut at the definition's breakpoints into pieces with one analytic branch each. On a piece the
sign pattern of f' (and f'') decides monotonicity (convexity): polynomial branches by exact real roots (SymPy),
the others by certified root isolation on [−L, L] (:func:`symact.proofs.enclose.roots`) and proved tail signs
beyond ±L (:func:`symact.proofs.signs.tail_sign`). Where that is out of reach, the sign pattern comes from mpmath
sampling and every fact built on it is marked **numeric**. Range, extrema and Lipschitz constant follow from the
sign patterns: a continuous function monotone on a segment takes its values between the ends.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

import mpmath
import sympy as sp
from flint import arb

from ..budget import attempt, budgeted
from ..errors import InvalidArgumentError, SymactError, UndecidedError
from ..functions import to_elementary
from ..oracle import exact
from ..proofs.arb import OutOfReach, enclosure, working_precision
from ..proofs.enclose import Root, _decided, roots, value_at
from ..proofs.signs import tail_limit, tail_sign
from ..registry import Activation, get
from ..symbols import x
from .calculus import _as_branches, _breakpoints, _select_branches, as_expr, asymptotes, limit, resolve
from .calculus import _is_zero as _simplifies_to_zero

SYMBOLIC, CERTIFIED, NUMERIC = "symbolic", "certified", "numeric"
_RANK = {SYMBOLIC: 0, CERTIFIED: 1, NUMERIC: 2}
MAX_ORDER = 6
"""Smoothness is checked to this derivative order at each breakpoint (a higher class is reported as ≥ C⁶)."""


def weakest(*hows: str) -> str:
    """The least rigorous of several ways of establishing (symbolic > certified > numeric)."""
    return max(hows, key=_RANK.__getitem__, default=SYMBOLIC)


@dataclass(frozen=True)
class Number:
    """A real number: ``exact`` (a SymPy closed form; ±∞ allowed) and/or ``ball`` (an Arb enclosure)."""

    exact: sp.Expr | None
    ball: Any
    how: str

    @classmethod
    def of(cls, e: sp.Expr) -> Number:
        e = sp.sympify(e)
        if e in (sp.oo, -sp.oo):
            return cls(e, None, SYMBOLIC)
        with working_precision():
            try:
                return cls(e, enclosure(e)(arb(0)), SYMBOLIC)
            except OutOfReach:  # a closed form Arb does not know: SymPy's evalf, error-controlled, to 60 digits
                value = sp.N(e, 60)
                if not value.is_Float:
                    raise
                return cls(e, arb(str(value)) + arb(0, 1e-55), SYMBOLIC)

    @property
    def infinite(self) -> int:
        """+1 / −1 for ±∞, else 0."""
        return 1 if self.exact == sp.oo else (-1 if self.exact == -sp.oo else 0)

    @property
    def value(self) -> float:
        return math.inf * self.infinite if self.infinite else float(self.ball.mid())

    def bounds(self) -> tuple[mpmath.mpf, mpmath.mpf]:
        """The enclosure's exact ends, as mpmath numbers."""
        ends = []
        for end in (self.ball.lower(), self.ball.upper()):
            man, exp = end.mid().man_exp()
            ends.append(mpmath.mpf((int(man), int(exp))))
        return ends[0], ends[1]

    @property
    def width(self) -> float:
        return 0.0 if self.infinite else float(2 * self.ball.rad())

    def key(self) -> sp.Expr:
        """A SymPy number standing for it in sets: the closed form, else the enclosure's midpoint to 40 digits."""
        if self.exact is not None:
            return self.exact
        return sp.Float(self.ball.mid().str(45, radius=False), 40)

    def __str__(self) -> str:
        if self.infinite:
            return "∞" if self.infinite > 0 else "−∞"
        if self.exact is not None:
            text = sp.sstr(self.exact)
            if len(text) > 60:  # SELU's λα: the closed form is in the JSON output
                return f"{self.value:.15g} (closed form)"
            return text if self.exact.is_Rational else f"{text} ≈ {self.value:.12g}"
        if self.how == NUMERIC:
            return f"≈ {self.value:.15g}"
        return f"{self.value:.15g} (∈ ±{float(self.ball.rad()):.1e})"

    def json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"value": self.value if not self.infinite else str(self), "how": self.how}
        if self.exact is not None:
            out["exact"] = sp.sstr(self.exact)
        if not self.infinite:
            lo, hi = self.bounds()
            out["enclosure"] = [mpmath.nstr(lo, 20), mpmath.nstr(hi, 20)]
        return out


def _numeric_number(v: mpmath.mpf) -> Number:
    return Number(None, arb(mpmath.nstr(v, 30)), NUMERIC)


@dataclass(frozen=True)
class Segment:
    """An open interval (lo, hi) of x and what f (or f') does there: increasing/decreasing/constant or
    convex/concave/linear."""

    lo: Number
    hi: Number
    kind: str

    def __str__(self) -> str:
        return f"{self.kind} on ({self.lo}, {self.hi})"


@dataclass(frozen=True)
class Extremum:
    kind: str  # "minimum" or "maximum"
    at: Number
    value: Number
    is_global: bool

    def __str__(self) -> str:
        scope = "global" if self.is_global else "local"
        return f"{scope} {self.kind} {self.value} at x = {self.at}"


@dataclass(frozen=True)
class Span:
    """One interval of the range, with its ends open or closed (a point where lo == hi)."""

    lo: Number
    hi: Number
    lo_closed: bool
    hi_closed: bool

    def __str__(self) -> str:
        if self.lo.exact is not None and self.lo.exact == self.hi.exact:
            return f"{{{self.lo}}}"
        return f"{'[' if self.lo_closed else '('}{self.lo}, {self.hi}{']' if self.hi_closed else ')'}"


@dataclass(frozen=True)
class PropertySheet:
    """Everything :func:`properties` establishes about f, and how (``how``: fact → symbolic/certified/numeric)."""

    name: str
    expr: sp.Expr
    f0: Number
    df0: Number | None
    df0_sides: tuple[Number, Number]
    range: tuple[Span, ...]
    monotonicity: tuple[Segment, ...]
    monotone: str
    extrema: tuple[Extremum, ...]
    convexity: tuple[Segment, ...]
    lipschitz: Number
    lipschitz_where: str
    smoothness: int | None
    smoothness_fails: tuple[tuple[sp.Expr, int], ...]
    conditions: tuple[str, ...]
    asymptotes: tuple[sp.Expr | None, sp.Expr | None]
    odd: bool
    zero_centred: bool
    identity_near_zero: bool
    how: dict[str, str]
    notes: tuple[str, ...] = field(default=())

    @property
    def bounded_below(self) -> bool:
        return not self.range[0].lo.infinite

    @property
    def bounded_above(self) -> bool:
        return not self.range[-1].hi.infinite

    @property
    def smoothness_text(self) -> str:
        if self.smoothness is None:
            return "C^∞ (analytic on each piece, all derivatives continuous)"
        if self.smoothness == -1:
            cls = "not continuous"
        elif self.smoothness >= MAX_ORDER:
            return f"at least C^{MAX_ORDER} (checked to order {MAX_ORDER})"
        else:
            cls = f"C^{self.smoothness}"
        where = ", ".join(f"f^({k}) jumps at x = {sp.sstr(p)}" for p, k in self.smoothness_fails)
        return f"{cls} ({where})" if where else cls

    def facts(self) -> list[tuple[str, str, str]]:
        """(property, statement, how) rows, in reading order."""
        rng = " ∪ ".join(map(str, self.range))
        df0 = str(self.df0) if self.df0 is not None else f"none (left {self.df0_sides[0]}, right {self.df0_sides[1]})"
        asym = ", ".join(f"{side}: {_short(a) if a is not None else 'none found'}"
                         for side, a in zip(("x → −∞", "x → +∞"), self.asymptotes, strict=True))
        rows = [
            ("range", rng, self.how["range"]),
            ("bounded", f"below: {'yes' if self.bounded_below else 'no'}, above: "
                        f"{'yes' if self.bounded_above else 'no'}", self.how["range"]),
            ("f(0)", str(self.f0), SYMBOLIC),
            ("f'(0)", df0, SYMBOLIC),
            ("monotonicity", f"{self.monotone}: " + "; ".join(map(str, self.monotonicity)), self.how["monotonicity"]),
            ("extrema", "; ".join(map(str, self.extrema)) or "none (no strict local extremum)",
             self.how["extrema"]),
            ("convexity", "; ".join(map(str, self.convexity)), self.how["convexity"]),
            ("Lipschitz constant", f"{self.lipschitz} ({self.lipschitz_where})", self.how["lipschitz"]),
            ("smoothness", self.smoothness_text, SYMBOLIC),
        ]
        rows += [("parameters", c, SYMBOLIC) for c in self.conditions]
        rows += [
            ("asymptotes", asym, SYMBOLIC),
            ("odd", "yes, f(−x) = −f(x)" if self.odd else "no", self.how["odd"]),
            ("zero-centred", ("yes" if self.zero_centred else "no") + " (meaning f(0) = 0 and f takes both signs)",
             self.how["range"]),
            ("identity near 0", ("yes" if self.identity_near_zero else "no")
             + " (meaning f(0) = 0, f'(0) = 1, f' continuous at 0)", SYMBOLIC),
        ]
        return rows

    def report(self) -> str:
        rows = self.facts()
        width = max(len(r[0]) for r in rows)
        lines = [f"Properties of {self.name}: {sp.sstr(self.expr)}", ""]
        lines += [f"{p.ljust(width)}  {text}  [{how}]" for p, text, how in rows]
        lines += ["", "[symbolic]: exact (SymPy); [certified]: rigorous enclosure (Arb ball arithmetic, proved tail "
                  "bounds); [numeric]: sampled with mpmath, not proved."]
        lines += [f"note: {n}" for n in self.notes]
        return "\n".join(lines)

    def json(self) -> dict[str, Any]:
        return {
            "name": self.name, "expr": sp.sstr(self.expr),
            "facts": [{"property": p, "statement": t, "how": h} for p, t, h in self.facts()],
            "f0": self.f0.json(), "df0": self.df0.json() if self.df0 is not None else None,
            "range": [{"lo": s.lo.json(), "hi": s.hi.json(), "lo_closed": s.lo_closed, "hi_closed": s.hi_closed}
                      for s in self.range],
            "extrema": [{"kind": e.kind, "global": e.is_global, "at": e.at.json(), "value": e.value.json()}
                        for e in self.extrema],
            "lipschitz": self.lipschitz.json(), "smoothness": self.smoothness,
            "notes": list(self.notes),
        }


def _short(e: sp.Expr) -> str:
    """SymPy's text, or with its constants evaluated to 12 digits where that is long (SELU's λ and α)."""
    text = sp.sstr(e)
    return text if len(text) <= 60 else sp.sstr(e.evalf(12))


# --- sign patterns on one piece ----------------------------------------------------------------


@dataclass
class _Signs:
    """Roots of h inside a piece (sorted) and h's sign on each sub-interval between them."""

    roots: list[Number]
    signs: list[int]
    how: str


def _is_zero(e: sp.Expr) -> bool:
    """Whether e is identically 0: a nonzero value at one of a few points (50 digits) settles "no" at once;
    only then SymPy's simplify (seconds on tanh forms) is asked for the proof."""
    if e == 0:
        return True
    g = exact(e)
    with mpmath.workdps(50):
        for v in ("0.3125", "-1.4375", "2.75"):
            try:
                y = g(mpmath.mpf(v))
            except (ZeroDivisionError, ValueError, TypeError):
                continue
            if abs(y) > mpmath.mpf(10) ** -40:
                return False
    return _simplifies_to_zero(to_elementary(e))


def _exact_sign(v: sp.Expr) -> int:
    v = sp.simplify(v)
    if v == 0:
        return 0
    return 1 if sp.N(v, 50) > 0 else -1


def _inside(a: sp.Expr, b: sp.Expr) -> sp.Expr:
    """A point of the open interval (a, b), either end possibly infinite."""
    if a.is_finite and b.is_finite:
        return (a + b) / 2
    return b - 1 if b.is_finite else (a + 1 if a.is_finite else sp.S.Zero)


class _Pieces:
    """f cut at its breakpoints: pieces (a, b, branch), each branch analytic on its open interval."""

    def __init__(self, f: sp.Expr) -> None:
        if f.has(sp.Abs, sp.sign, sp.Heaviside):
            f = sp.piecewise_fold(f.rewrite(sp.Piecewise))
        self.f = _as_branches(f)
        points = _breakpoints(self.f, x)
        bad = [p for p in points if not (p.is_number and p.is_real)]
        if bad:
            raise InvalidArgumentError(f"the breakpoint {bad[0]} is not a real number: give every parameter a value")
        self.bps: list[sp.Expr] = sorted(set(points), key=lambda p: float(p))
        ends = [-sp.oo, *self.bps, sp.oo]
        self.mids = [_inside(a, b) for a, b in zip(ends, ends[1:], strict=False)]
        self.pieces: list[tuple[sp.Expr, sp.Expr, sp.Expr]] = [
            (a, b, _select_branches(self.f, m)) for a, b, m in zip(ends, ends[1:], self.mids, strict=False)]
        self.L = sp.Integer(max(10, math.ceil(max((abs(float(p)) for p in self.bps), default=0)) + 1))
        self._values: dict[sp.Expr, sp.Expr] = {}

    def value_at(self, b: sp.Expr) -> sp.Expr:
        """f(b), simplified once per point (continuity, range and Lipschitz all ask)."""
        if b not in self._values:
            self._values[b] = sp.simplify(self.f.subs(x, b))
        return self._values[b]


def _closed_forms(h: sp.Expr) -> list[sp.Expr]:
    """Real solutions of h = 0 that SymPy finds within 2 s (Lambert W for Swish), else none."""
    try:
        with attempt(2.0, "solve"):
            sols = sp.solve(to_elementary(h), x)
    except (SymactError, NotImplementedError, ValueError, TypeError, AttributeError):
        return []
    return [s for s in sols if s.is_number and s.is_real is not False and sp.im(sp.N(s, 30)) == 0]


def _signs_polynomial(h: sp.Expr, a: sp.Expr, b: sp.Expr) -> _Signs:
    roots = sorted({r for r in sp.Poly(h, x).real_roots() if (a < r) == sp.true and (r < b) == sp.true},
                   key=lambda r: float(r))
    points = [a, *roots, b]
    signs = []
    for p, q in zip(points, points[1:], strict=False):
        signs.append(_exact_sign(h.subs(x, _inside(p, q))))
    return _Signs([Number.of(r) for r in roots], signs, SYMBOLIC)


def _signs_certified(h: sp.Expr, a: sp.Expr, b: sp.Expr, L: sp.Expr, solve: bool, notes: list[str],
                     what: str) -> _Signs:
    lo = a if a.is_finite else -L
    hi = b if b.is_finite else L
    f, df = enclosure(h), enclosure(sp.diff(h, x))
    with working_precision():
        A, B = enclosure(lo)(arb(0)), enclosure(hi)(arb(0))
        # a root of h at a breakpoint (sparse_plus' at −1) is not inside the piece: step past it, proving on the
        # step that h is monotone there, so h has no other zero in it
        span = B - A
        for end, sgn in ((A, 1), (B, -1)):
            if _decided(f, end) == 0:
                if not _is_zero(h.subs(x, lo if sgn > 0 else hi)):
                    raise UndecidedError(f"cannot decide the sign of {h} at a piece's end")
                step = span / 2**20
                box = end.union(end + sgn * step)
                if _decided(df, box) == 0:
                    raise UndecidedError(f"{h} vanishes at a piece's end and its slope there is undecided")
                if sgn > 0:
                    A = A + step
                else:
                    B = B - step
        found = [r.ball for r in roots(h, A, B, width=1e-32, budget=20.0)]
    closed = _closed_forms(h) if found and solve else []  # SymPy's solve may leave Arb's precision changed
    with working_precision():
        numbers = []
        for ball in found:
            # 0 is the commonest exact root (x·erf(erf x)); SymPy's solve finds Lambert W (Swish)
            zero = [sp.S.Zero] if ball.contains(0) and _is_zero(h.subs(x, 0)) else []
            match = zero or [s for s in closed if Number.of(s).ball.overlaps(ball)]
            numbers.append(Number(match[0], ball, SYMBOLIC) if len(match) == 1 else Number(None, ball, CERTIFIED))
        cuts = [A, *(r.ball for r in numbers), B]
        signs = []
        for p, q in zip(cuts, cuts[1:], strict=False):
            m = ((p.upper() if p is not A else p) + (q.lower() if q is not B else q)) / 2
            s = _decided(f, m)
            if s == 0:
                raise UndecidedError(f"cannot decide the sign of {h} between its roots")
            signs.append(s)
    how = CERTIFIED if any(n.how == CERTIFIED for n in numbers) or not found else SYMBOLIC
    for end, first in ((a, True), (b, False)):
        if end.is_finite:
            continue
        side = -1 if first else 1
        try:
            s = tail_sign(h.subs(x, side * x), L)
        except OutOfReach as exc:  # the window's roots stay certified; the tail's sign is sampled
            s = _sample_sign(h, side, L)
            how = NUMERIC
            notes.append(f"the sign of {what} beyond {'−' if first else ''}{L} sampled, not proved: {exc}")
        if s != signs[0 if first else -1]:
            raise UndecidedError(f"the sign of {h} beyond ±{L} is not its sign at ±{L}")
    return _Signs(numbers, signs, how)


def _sample_sign(h: sp.Expr, side: int, L: sp.Expr) -> int:
    """The sign of h at ±L·2^k, k = 0 … 30, if it is one sign there (else out of reach)."""
    g = exact(h)
    with mpmath.workdps(40):
        # a value lost to cancellation comes back as 0 (the oracle's precision cap): it tells nothing
        signs = {mpmath.sign(g(side * mpmath.mpf(int(L)) * 2**k)) for k in range(31)} - {0}
    if len(signs) != 1:
        raise OutOfReach(f"{h} changes sign beyond ±{L}")
    return int(signs.pop())


def _signs_numeric(h: sp.Expr, a: sp.Expr, b: sp.Expr, L: sp.Expr) -> _Signs:
    """Sign changes of h on a grid of the piece (with points out to ±10⁹), refined by bisection: not a proof."""
    g = exact(h)
    lo = float(a) if a.is_finite else -float(L)
    hi = float(b) if b.is_finite else float(L)
    with mpmath.workdps(40):
        grid = [mpmath.mpf(lo) + (mpmath.mpf(hi) - lo) * k / 4000 for k in range(1, 4000)]
        if a == -sp.oo:
            grid = [-mpmath.mpf(float(L)) * 2**k for k in range(30, 0, -1)] + grid
        if b == sp.oo:
            grid = grid + [mpmath.mpf(float(L)) * 2**k for k in range(1, 31)]

        def sign(v: Any) -> int:
            y = g(v)
            return 0 if abs(y) < mpmath.mpf(10) ** -35 else (1 if y > 0 else -1)

        values = [(v, sign(v)) for v in grid]
        values = [(v, s) for v, s in values if s != 0]
        roots, signs = [], [values[0][1]] if values else [0]
        for (p, sp_), (q, sq) in zip(values, values[1:], strict=False):
            if sp_ != sq:
                for _ in range(120):
                    m = (p + q) / 2
                    if sign(m) == sp_:
                        p = m
                    else:
                        q = m
                roots.append(_numeric_number((p + q) / 2))
                signs.append(sq)
    return _Signs(roots, signs, NUMERIC)


def _signs(h: sp.Expr, a: sp.Expr, b: sp.Expr, L: sp.Expr, notes: list[str], what: str,
           solve: bool = False) -> _Signs:
    if x not in h.free_symbols:
        return _Signs([], [_exact_sign(h)], SYMBOLIC)
    if _is_zero(h):
        return _Signs([], [0], SYMBOLIC)
    if h.is_polynomial(x):
        return _signs_polynomial(sp.expand(h), a, b)
    split = sp.Mul.make_args(sp.factor_terms(h))
    factors = [g for g in split if x in g.free_symbols]
    if len(factors) > 1 or (factors and isinstance(factors[0], sp.Pow) and factors[0].exp.is_Integer):
        # a product (tanhshrink' = tanh²: a double root Arb cannot isolate): each factor's pattern, multiplied,
        # and the constant factor's sign
        constant = _Signs([], [_exact_sign(sp.Mul(*(g for g in split if x not in g.free_symbols)))], SYMBOLIC)
        return _product([constant, *(_power_signs(g, a, b, L, notes, what, solve) for g in factors)])
    try:
        return _signs_certified(h, a, b, L, solve, notes, what)
    except (OutOfReach, UndecidedError) as exc:
        notes.append(f"the sign of {what} on ({sp.sstr(a)}, {sp.sstr(b)}) sampled, not proved: {exc}")
        return _signs_numeric(h, a, b, L)


def _power_signs(g: sp.Expr, a: sp.Expr, b: sp.Expr, L: sp.Expr, notes: list[str], what: str,
                 solve: bool) -> _Signs:
    if isinstance(g, sp.Pow) and g.exp.is_Integer:
        inner = _signs(g.base, a, b, L, notes, what, solve)
        return _Signs(inner.roots, [s ** int(g.exp) for s in inner.signs], inner.how)
    return _signs(g, a, b, L, notes, what, solve)


def _product(parts: list[_Signs]) -> _Signs:
    """The sign pattern of a product from its factors' patterns: roots merged (a root shared by two factors
    counted once), the sign on each sub-interval the product of the factors' signs there."""
    events: list[tuple[Number, int]] = sorted(((r, i) for i, p in enumerate(parts) for r in p.roots),
                                              key=lambda e: e[0].value)
    index = [0] * len(parts)
    roots: list[Number] = []
    sign = 1
    for p in parts:
        sign *= p.signs[0]
    signs = [sign]
    with working_precision():
        for r, i in events:
            index[i] += 1
            if roots and (roots[-1].key() == r.key() or (roots[-1].ball is not None and r.ball is not None
                                                         and roots[-1].ball.overlaps(r.ball))):
                signs.pop()  # the same point: one root, the sign after it recomputed below
            else:
                roots.append(r)
            sign = 1
            for p, k in zip(parts, index, strict=True):
                sign *= p.signs[k]
            signs.append(sign)
    return _Signs(roots, signs, weakest(*(p.how for p in parts)))


# --- the sheet ---------------------------------------------------------------------------------


def _value(branch: sp.Expr, at: Number) -> Number:
    """branch(at): exact where ``at`` is, else a centred enclosure over at's ball (or mpmath where numeric)."""
    if at.infinite:
        try:
            lim = tail_limit(branch.subs(x, at.infinite * x))
        except (OutOfReach, NotImplementedError, ValueError, TypeError):
            lim = limit(branch, at.exact)
        return Number.of(lim)
    if at.exact is not None:
        return Number.of(sp.simplify(branch.subs(x, at.exact)))
    if at.how == NUMERIC:
        g = exact(branch)
        with mpmath.workdps(40):
            return _numeric_number(g(mpmath.mpf(at.ball.mid().str(40, radius=False))))
    with working_precision():  # ball arithmetic outside it rounds to 53 bits
        b = value_at(branch, Root(at.ball.lower(), at.ball.upper()))
        return Number(None, b.lo.union(b.hi), CERTIFIED)


def _same(p: sp.Expr, q: sp.Expr) -> bool:
    return _is_zero(sp.sympify(p) - sp.sympify(q))


class _Sheet:
    def __init__(self, f: sp.Expr) -> None:
        self.P = _Pieces(f)
        self.notes: list[str] = []
        P = self.P
        self.d1 = [sp.diff(g, x) for _, _, g in P.pieces]
        self.d2 = [sp.diff(g, x, 2) for _, _, g in P.pieces]
        self.s1 = [_signs(d, a, b, P.L, self.notes, "f'", solve=True) for (a, b, _), d in zip(P.pieces, self.d1,
                                                                                              strict=True)]
        self.s2 = [_signs(d, a, b, P.L, self.notes, "f''") for (a, b, _), d in zip(P.pieces, self.d2,
                                                                                               strict=True)]
        # continuity at each breakpoint: left and right limits of the branches and of their derivatives
        self.jumps: list[list[sp.Expr]] = []
        for i, b in enumerate(P.bps):
            left, right = P.pieces[i][2], P.pieces[i + 1][2]
            row = []
            dl, dr = left, right
            for k in range(MAX_ORDER + 1):
                if k:
                    dl, dr = sp.diff(dl, x), sp.diff(dr, x)
                row.append(sp.simplify(dr.subs(x, b) - dl.subs(x, b)))
                if k == 0 and row[0] == 0 and not _same(P.value_at(b), left.subs(x, b)):
                    row[0] = sp.nan  # a removable discontinuity: f(b) differs from both sides
                if row[-1] != 0:
                    break
            self.jumps.append(row)

    def continuous_at(self, i: int) -> bool:
        return self.jumps[i][0] == 0

    def segments(self, signs: list[_Signs], kinds: dict[int, str]) -> list[tuple[Number, Number, str, int]]:
        """(lo, hi, kind, piece) for every sub-interval of every piece."""
        out = []
        for i, ((a, b, _), s) in enumerate(zip(self.P.pieces, signs, strict=True)):
            cuts = [Number.of(a), *s.roots, Number.of(b)]
            out += [(p, q, kinds[k], i) for p, q, k in zip(cuts[:-1], cuts[1:], s.signs, strict=True)]
        return out


def _merge_monotone(sheet: _Sheet) -> tuple[list[Segment], str]:
    kinds = {1: "increasing", -1: "decreasing", 0: "constant"}
    segs = sheet.segments(sheet.s1, kinds)
    merged: list[list[Any]] = []
    for lo, hi, kind, piece in segs:
        if merged and merged[-1][2] == kind and (merged[-1][3] == piece or sheet.continuous_at(piece - 1)):
            merged[-1][1] = hi
            merged[-1][3] = piece
        else:
            merged.append([lo, hi, kind, piece])
    signs = {s for sg in sheet.s1 for s in sg.signs}
    jumps = {_exact_sign(j[0]) for j in sheet.jumps if j[0] != 0 and j[0] != sp.nan}  # f's jumps, up or down
    if any(j[0] == sp.nan for j in sheet.jumps):
        overall = "not monotone"
    elif signs <= {1, 0} and jumps <= {1} and 1 in signs:
        overall = "increasing" if signs == {1} and not jumps else "non-decreasing"
    elif signs <= {-1, 0} and jumps <= {-1} and -1 in signs:
        overall = "decreasing" if signs == {-1} and not jumps else "non-increasing"
    elif signs == {0} and not jumps:
        overall = "constant"
    else:
        overall = "not monotone"
    return [Segment(lo, hi, kind) for lo, hi, kind, _ in merged], overall


def _merge_convexity(sheet: _Sheet) -> list[Segment]:
    kinds = {1: "convex", -1: "concave", 0: "linear"}
    segs = sheet.segments(sheet.s2, kinds)
    merged: list[list[Any]] = []
    for lo, hi, kind, piece in segs:
        if merged:
            prev = merged[-1]
            joined_at_bp = prev[3] != piece
            kink = 0
            if joined_at_bp:
                row = sheet.jumps[piece - 1]
                ok = row[0] == 0
                kink = _exact_sign(row[1]) if ok and len(row) > 1 else 0
            else:
                ok = True
            pair = {prev[2], kind}
            result = None
            if ok:
                if pair <= {"convex", "linear"} and kink >= 0:
                    result = "linear" if pair == {"linear"} and kink == 0 else "convex"
                if result is None and pair <= {"concave", "linear"} and kink <= 0:
                    result = "linear" if pair == {"linear"} and kink == 0 else "concave"
                if prev[2] == kind and not joined_at_bp:
                    result = kind
            if result is not None:
                prev[1], prev[2], prev[3] = hi, result, piece
                continue
        merged.append([lo, hi, kind, piece])
    return [Segment(lo, hi, kind) for lo, hi, kind, _ in merged]


def _range_and_extrema(sheet: _Sheet) -> tuple[list[Span], list[Extremum], str]:
    P = sheet.P
    images: list[tuple[Number, Number, bool, bool]] = []
    extrema: list[tuple[str, Number, Number]] = []
    hows = [s.how for s in sheet.s1]
    values_at_roots: dict[int, list[Number]] = {}
    for i, ((a, b, g), s) in enumerate(zip(P.pieces, sheet.s1, strict=True)):
        vals = [_value(g, r) for r in s.roots]
        values_at_roots[i] = vals
        hows += [v.how for v in vals]
        ends = [(Number.of(a), _value(g, Number.of(a)), a.is_finite and _same(P.value_at(a), g.subs(x, a))),
                *((r, v, True) for r, v in zip(s.roots, vals, strict=True)),
                (Number.of(b), _value(g, Number.of(b)), b.is_finite and _same(P.value_at(b), g.subs(x, b)))]
        for (_, vp, ap), (_, vq, aq), sign in zip(ends[:-1], ends[1:], s.signs, strict=True):
            if sign == 0:
                images.append((vp, vp, True, True))
            elif sign > 0:
                images.append((vp, vq, ap, aq))
            else:
                images.append((vq, vp, aq, ap))
        for k, r in enumerate(s.roots):
            left, right = s.signs[k], s.signs[k + 1]
            if left < 0 < right:
                extrema.append(("minimum", r, vals[k]))
            elif left > 0 > right:
                extrema.append(("maximum", r, vals[k]))
    for i, b in enumerate(P.bps):
        fb = Number.of(P.value_at(b))
        images.append((fb, fb, True, True))
        if sheet.continuous_at(i):
            left, right = sheet.s1[i].signs[-1], sheet.s1[i + 1].signs[0]
            if left < 0 < right:
                extrema.append(("minimum", Number.of(b), fb))
            elif left > 0 > right:
                extrema.append(("maximum", Number.of(b), fb))
    by_key: dict[sp.Expr, Number] = {}
    sets = []
    for lo, hi, lc, hc in images:
        by_key.setdefault(lo.key(), lo)
        by_key.setdefault(hi.key(), hi)
        if lo.key() == hi.key():
            sets.append(sp.FiniteSet(lo.key()))
        else:
            sets.append(sp.Interval(lo.key(), hi.key(), not lc, not hc))
    union = sp.Union(*sets)
    parts = union.args if isinstance(union, sp.Union) else (union,)
    spans = []
    for part in parts:
        if isinstance(part, sp.FiniteSet):
            spans += [Span(by_key[v], by_key[v], True, True) for v in part]
        else:
            spans.append(Span(by_key.get(part.start, Number.of(part.start)), by_key.get(part.end, Number.of(part.end)),
                              not part.left_open, not part.right_open))
    spans.sort(key=lambda sp_: sp_.lo.value)
    inf, sup = spans[0], spans[-1]
    out = []
    for kind, at, v in extrema:
        best = inf.lo if kind == "minimum" else sup.hi
        closed = inf.lo_closed if kind == "minimum" else sup.hi_closed
        out.append(Extremum(kind, at, v, closed and best.key() == v.key()))
    return spans, sorted(out, key=lambda e: e.at.value), weakest(*hows)


def _lipschitz(sheet: _Sheet) -> tuple[Number, str, str]:
    P = sheet.P
    for i, b in enumerate(P.bps):
        if not sheet.continuous_at(i):
            return Number.of(sp.oo), f"f is not continuous at x = {sp.sstr(b)}", SYMBOLIC
    candidates: list[tuple[Number, str]] = []
    hows = [s.how for s in sheet.s2]
    for (a, b, _), d1, s2 in zip(P.pieces, sheet.d1, sheet.s2, strict=True):
        for r in s2.roots:
            v = _value(d1, r)
            hows.append(v.how)
            candidates.append((v, f"attained at x = {r}"))
        for end, side in ((a, "⁺"), (b, "⁻")):
            v = _value(d1, Number.of(end))
            if not end.is_finite:
                candidates.append((v, f"approached as x → {'+' if end == sp.oo else '−'}∞"))
                continue
            row = sheet.jumps[P.bps.index(end)]
            smooth = len(row) > 1 and row[1] == 0  # f' continuous there: the value is attained
            candidates.append((v, f"attained at x = {sp.sstr(end)}" if smooth
                               else f"approached as x → {sp.sstr(end)}{side} (one-sided)"))
        if not s2.roots and s2.signs == [0]:
            candidates.append((Number.of(sp.simplify(d1)), "attained on the whole piece"))
    best, where = max(candidates, key=lambda c: abs(c[0].value))
    if best.infinite:
        best = Number.of(sp.oo)
    elif best.value < 0:
        with working_precision():
            best = Number(sp.Abs(best.exact) if best.exact is not None else None, abs(best.ball), best.how)
    return best, where, weakest(*hows)


def _smoothness(sheet: _Sheet) -> tuple[int | None, list[tuple[sp.Expr, int]]]:
    fails = []
    cls: int | None = None
    for b, row in zip(sheet.P.bps, sheet.jumps, strict=True):
        if row[-1] != 0:
            k = len(row) - 1
            fails.append((b, k))
            cls = k - 1 if cls is None else min(cls, k - 1)
        else:
            cls = MAX_ORDER if cls is None else min(cls, MAX_ORDER)
    if all(row[-1] == 0 for row in sheet.jumps):
        identical = all(_same(sheet.P.pieces[i][2], sheet.P.pieces[i + 1][2]) for i in range(len(sheet.P.bps)))
        if identical:
            cls = None
    return cls, fails


def _conditions(act: Activation | None, sheet: _Sheet) -> list[str]:
    """Where a jump at a breakpoint depends on the parameters: the values that make that derivative continuous
    (ELU: f' is continuous at 0 only where alpha = 1)."""
    if act is None or not act.parameters:
        return []
    out = []
    symbols = [p.symbol for p in act.parameters]
    mids = sheet.P.mids
    for i, (b, row) in enumerate(zip(sheet.P.bps, sheet.jumps, strict=True)):
        try:  # the symbolic definition's branches on the pieces either side (undecidable where b moves with them)
            left = _select_branches(act.expr, mids[i])
            right = _select_branches(act.expr, mids[i + 1])
        except SymactError:
            continue
        for k in range(len(row)):
            jump = sp.simplify(sp.diff(right, x, k).subs(x, b) - sp.diff(left, x, k).subs(x, b))
            free = [s for s in symbols if s in jump.free_symbols]
            if not free or jump == 0:
                continue
            try:
                with attempt(3.0, "solve"):
                    sols = sp.solve(jump, free, dict=True)
            except (SymactError, NotImplementedError):
                continue
            sols = [s for s in sols if all(v.is_real is not False for v in s.values())]
            if not sols:
                continue
            what = "f" if k == 0 else "f" + "'" * k if k < 3 else f"f^({k})"
            cond = " or ".join(", ".join(f"{sym} = {sp.sstr(v)}" for sym, v in s.items()) for s in sols)
            holds = "holds here" if row[k] == 0 else "not at these parameters"
            out.append(f"{what} is continuous at x = {sp.sstr(b)} only where {cond} ({holds})")
    return out


def _asymptotes(f: sp.Expr, P: _Pieces) -> tuple[sp.Expr | None, sp.Expr | None]:
    """Each side's asymptote a·x + b (or a constant) from the outer branch's tail limits (the remainders of its
    saturating functions shown to vanish), which is seconds faster than SymPy's limits on tanh-GELU; SymPy's
    :func:`~symact.symbolic.calculus.asymptotes` where that does not apply."""
    out: list[sp.Expr | None] = []
    for side, branch in ((-1, P.pieces[0][2]), (1, P.pieces[-1][2])):
        g = branch.subs(x, side * x)  # x → +∞ now
        try:
            slope = tail_limit(g / x)
            if slope.is_finite and slope != 0:
                out.append(sp.expand(side * slope * x + tail_limit(g - slope * x)))
                continue
            level = tail_limit(g)
            if slope == 0 and level.is_finite:
                out.append(level)
                continue
        except (OutOfReach, NotImplementedError, ValueError, TypeError):
            pass
        try:
            out.append(asymptotes(f)[0 if side < 0 else 1])
        except SymactError:
            out.append(None)
    return out[0], out[1]


def _zero_everywhere(e: sp.Expr) -> bool:
    """Whether e vanishes for every real x: a Piecewise branch by branch, on the set where that branch applies
    (an impossible condition such as x > 0 ∧ x < 0 is skipped; a single point is evaluated)."""
    if not isinstance(e, sp.Piecewise):
        return _is_zero(e)
    covered: sp.Set = sp.S.EmptySet
    for value, cond in e.args:
        where = sp.Intersection(cond.as_set(), sp.S.Reals) - covered
        covered = sp.Union(covered, where)
        if where is sp.S.EmptySet:
            continue
        if isinstance(where, sp.FiniteSet):
            if any(sp.simplify(value.subs(x, p)) != 0 for p in where):
                return False
        elif not _is_zero(value):
            return False
    return True


def _odd(f: sp.Expr) -> tuple[bool, str]:
    g = exact(f)
    with mpmath.workdps(50):
        for v in (sp.Rational(1, 3), sp.Rational(7, 5), sp.Integer(3)):
            mv = mpmath.mpf(v.p) / v.q
            if abs(g(mv) + g(-mv)) > mpmath.mpf(10) ** -40 * (1 + abs(g(mv))):
                return False, SYMBOLIC  # a counterexample, evaluated to 50 digits
    try:
        with attempt(3.0, "oddness"):
            both = sp.piecewise_fold(f.subs(x, -x) + f)  # softsign: each branch pair cancels on its own
            if _zero_everywhere(both):
                return True, SYMBOLIC
    except SymactError:
        pass
    return True, NUMERIC


@budgeted("properties")
def properties(obj: Activation | str | sp.Expr, **params: Any) -> PropertySheet:
    """The property sheet of an activation (at its defaults unless parameters are given) or of an expression in x.

    >>> properties("sigmoid").lipschitz.exact
    1/4
    """
    act = get(obj) if isinstance(obj, (Activation, str)) else None
    f = resolve(obj, 0, params)
    name = act.name if act is not None else sp.sstr(as_expr(obj))
    return _properties(f, name, act)


@lru_cache(maxsize=128)
def _properties(f: sp.Expr, name: str, act: Activation | None) -> PropertySheet:
    sheet = _Sheet(f)
    P = sheet.P
    monotonicity, monotone = _merge_monotone(sheet)
    convexity = _merge_convexity(sheet)
    spans, extrema, range_how = _range_and_extrema(sheet)
    lip, lip_where, lip_how = _lipschitz(sheet)
    cls, fails = _smoothness(sheet)
    f0 = Number.of(P.value_at(sp.S.Zero))
    zero_bp = [i for i, b in enumerate(P.bps) if b == 0]
    if zero_bp:
        i = zero_bp[0]
        sides = (Number.of(sp.simplify(sheet.d1[i].subs(x, 0))), Number.of(sp.simplify(sheet.d1[i + 1].subs(x, 0))))
        df0 = sides[0] if sheet.continuous_at(i) and _same(sides[0].exact, sides[1].exact) else None
    else:
        piece = next(k for k, (a, b, _) in enumerate(P.pieces) if (a < 0) == sp.true and (0 < b) == sp.true)
        df0 = Number.of(sp.simplify(sheet.d1[piece].subs(x, 0)))
        sides = (df0, df0)
    odd, odd_how = _odd(f)
    hows_1 = weakest(*(s.how for s in sheet.s1))
    hows_2 = weakest(*(s.how for s in sheet.s2))
    zero_centred = f0.exact == 0 and spans[0].lo.value < 0 < spans[-1].hi.value
    identity = f0.exact == 0 and df0 is not None and df0.exact == 1
    asym = _asymptotes(f, P)
    return PropertySheet(
        name=name, expr=f, f0=f0, df0=df0, df0_sides=sides, range=tuple(spans), monotonicity=tuple(monotonicity),
        monotone=monotone, extrema=tuple(extrema), convexity=tuple(convexity), lipschitz=lip,
        lipschitz_where=lip_where, smoothness=cls, smoothness_fails=tuple(fails),
        conditions=tuple(_conditions(act, sheet)), asymptotes=asym, odd=odd, zero_centred=zero_centred,
        identity_near_zero=identity,
        how={"range": weakest(range_how, hows_1), "monotonicity": hows_1, "extrema": weakest(range_how, hows_1),
             "convexity": hows_2, "lipschitz": weakest(lip_how, hows_2), "odd": odd_how},
        notes=tuple(sheet.notes),
    )


__all__ = ["CERTIFIED", "MAX_ORDER", "NUMERIC", "SYMBOLIC", "Extremum", "Number", "PropertySheet", "Segment", "Span",
           "properties", "weakest"]
