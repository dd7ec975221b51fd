"""Taylor coefficients at 0 by power-series arithmetic, the fast path behind :func:`calculus.series`.

SymPy's ``series`` expands nested functions through its general (Gruntz-style) machinery and spends
16 s on Mish to x²⁰ and over 30 s on √softplus. A truncated power series is a list of exact coefficients;
sums, products and quotients are convolutions, and every elementary function of a series follows from the
ODE it satisfies (exp: f' = g'f; log: g f' = g'; gᵃ: g f' = a g' f; ...), which gives each coefficient from
the earlier ones in O(n) — no symbolic differentiation of nested expressions at all.

Only the constant term of each function is a new transcendental (tanh(log 2), erf(μ/σ√2)); it is simplified
once, so the later coefficients stay rational in it. Anything this module does not know raises
:class:`Unsupported` and the caller falls back to SymPy.
"""

from __future__ import annotations

from collections.abc import Callable

import sympy as sp

from ..symbols import x

Series = list[sp.Expr]  # coefficients c_0 .. c_{n-1} of x^0 .. x^{n-1}


class Unsupported(Exception):
    """The expression holds something power-series arithmetic here does not handle (the caller uses SymPy)."""


def taylor(expr: sp.Expr, n: int) -> Series:
    """The first ``n`` Taylor coefficients of ``expr`` (elementary, analytic at 0) in :data:`x` at 0."""
    return _Expander(n).series(expr)


def _constant(c: sp.Expr) -> sp.Expr:
    """A function's value at 0: hyperbolic functions of logs collapse once written as exp (tanh(log 2) = 3/5)."""
    if c.is_Rational or not c.has(sp.tanh, sp.sinh, sp.cosh, sp.exp, sp.log):
        return c
    return sp.simplify(sp.expand(c.rewrite(sp.exp))) if c.has(sp.tanh, sp.sinh, sp.cosh) else sp.simplify(c)


class _Expander:
    def __init__(self, n: int) -> None:
        self.n = n
        self.memo: dict[sp.Expr, Series] = {}
        self.rules: dict[type, Callable[[sp.Expr], Series]] = {
            sp.Add: self._add, sp.Mul: self._mul, sp.Pow: self._pow, sp.exp: self._exp, sp.log: self._log,
            sp.tanh: self._tanh, sp.sinh: self._sinh, sp.cosh: self._cosh, sp.sin: self._sin, sp.cos: self._cos,
            sp.erf: self._erf, sp.erfc: self._erfc, sp.atan: self._atan,
        }

    # --- the walk -------------------------------------------------------------------------------------
    def series(self, e: sp.Expr) -> Series:
        if e in self.memo:
            return self.memo[e]
        if e == x:
            out = [sp.S.Zero, sp.S.One] + [sp.S.Zero] * (self.n - 2) if self.n > 1 else [sp.S.Zero]
        elif not e.has(x):
            out = [e] + [sp.S.Zero] * (self.n - 1)
        else:
            rule = self.rules.get(type(e)) or next((r for t, r in self.rules.items() if isinstance(e, t)), None)
            if rule is None:
                raise Unsupported(f"{type(e).__name__} in {e}")
            out = [sp.expand(c) for c in rule(e)]
        self.memo[e] = out
        return out

    # --- arithmetic -----------------------------------------------------------------------------------
    def _times(self, a: Series, b: Series) -> Series:
        return [sp.expand(sp.Add(*(a[i] * b[k - i] for i in range(k + 1)))) for k in range(self.n)]

    def _add(self, e: sp.Expr) -> Series:
        parts = [self.series(a) for a in e.args]
        return [sp.Add(*(p[k] for p in parts)) for k in range(self.n)]

    def _mul(self, e: sp.Expr) -> Series:
        const = sp.Mul(*(a for a in e.args if not a.has(x)))
        out: Series | None = None
        for a in (a for a in e.args if a.has(x)):
            s = self.series(a)
            out = s if out is None else self._times(out, s)
        assert out is not None  # an Mul with x has a factor with x
        return [const * c for c in out]

    def _integral(self, const: sp.Expr, derivative: Series) -> Series:
        """f with f(0) = const and f' = ``derivative``."""
        return [const] + [derivative[k - 1] / k for k in range(1, self.n)]

    @staticmethod
    def _deriv(g: Series) -> Series:
        return [k * g[k] for k in range(1, len(g))] + [sp.S.Zero]

    def _power(self, g: Series, a: sp.Expr) -> Series:
        """gᵃ for g(0) ≠ 0: from g f' = a g' f, k g₀ f_k = Σ_{j=1..k} (a j − (k − j)) g_j f_{k−j}."""
        g0 = g[0]
        f = [_constant(g0 ** a)]
        for k in range(1, self.n):
            s = sp.Add(*((a * j - (k - j)) * g[j] * f[k - j] for j in range(1, k + 1)))
            f.append(sp.expand(s / (k * g0)))
        return f

    def _pow(self, e: sp.Expr) -> Series:
        base, a = e.args
        if a.has(x):  # b^g = exp(g log b)
            return self.series(sp.exp(a * sp.log(base)))
        g = self.series(base)
        if g[0] != 0:
            return self._power(g, a)
        if a.is_Integer and a > 0:
            out = g
            for _ in range(int(a) - 1):
                out = self._times(out, g)
            return out
        raise Unsupported(f"{e} has a zero base at 0 (a pole or a branch point)")

    # --- functions from their ODEs --------------------------------------------------------------------
    def _exp_of(self, g: Series) -> Series:
        f = [_constant(sp.exp(g[0]))]
        for k in range(1, self.n):  # f' = g' f
            f.append(sp.expand(sp.Add(*(j * g[j] * f[k - j] for j in range(1, k + 1))) / k))
        return f

    def _exp(self, e: sp.Expr) -> Series:
        return self._exp_of(self.series(e.args[0]))

    def _log(self, e: sp.Expr) -> Series:
        g = self.series(e.args[0])
        if g[0] == 0:
            raise Unsupported(f"{e}: log of a series that vanishes at 0")
        f = [_constant(sp.log(g[0]))]
        for k in range(1, self.n):  # g f' = g'
            s = k * g[k] - sp.Add(*(j * f[j] * g[k - j] for j in range(1, k)))
            f.append(sp.expand(s / (k * g[0])))
        return f

    def _quotient(self, a: Series, b: Series) -> Series:
        if b[0] == 0:
            raise Unsupported("a quotient whose denominator vanishes at 0")
        q: Series = []
        for k in range(self.n):
            q.append(sp.expand((a[k] - sp.Add(*(b[j] * q[k - j] for j in range(1, k + 1)))) / b[0]))
        return q

    def _tanh(self, e: sp.Expr) -> Series:
        g = self.series(e.args[0])
        t = [_constant(sp.tanh(g[0]))]
        sq = [sp.expand(t[0] ** 2)]  # t² so far
        for k in range(1, self.n):  # t' = (1 − t²) g'
            s = sp.Add(*(j * g[j] * ((1 if k - j == 0 else 0) - sq[k - j]) for j in range(1, k + 1)))
            t.append(sp.expand(s / k))
            sq.append(sp.expand(sp.Add(*(t[i] * t[k - i] for i in range(k + 1)))))
        return t

    def _sinh_cosh(self, g: Series) -> tuple[Series, Series]:
        s, c = [_constant(sp.sinh(g[0]))], [_constant(sp.cosh(g[0]))]
        for k in range(1, self.n):  # s' = c g', c' = s g'
            s.append(sp.expand(sp.Add(*(j * g[j] * c[k - j] for j in range(1, k + 1))) / k))
            c.append(sp.expand(sp.Add(*(j * g[j] * s[k - j] for j in range(1, k + 1))) / k))
        return s, c

    def _sin_cos(self, g: Series) -> tuple[Series, Series]:
        s, c = [_constant(sp.sin(g[0]))], [_constant(sp.cos(g[0]))]
        for k in range(1, self.n):  # s' = c g', c' = −s g'
            s.append(sp.expand(sp.Add(*(j * g[j] * c[k - j] for j in range(1, k + 1))) / k))
            c.append(sp.expand(-sp.Add(*(j * g[j] * s[k - j] for j in range(1, k + 1))) / k))
        return s, c

    def _sinh(self, e: sp.Expr) -> Series:
        return self._sinh_cosh(self.series(e.args[0]))[0]

    def _cosh(self, e: sp.Expr) -> Series:
        return self._sinh_cosh(self.series(e.args[0]))[1]

    def _sin(self, e: sp.Expr) -> Series:
        return self._sin_cos(self.series(e.args[0]))[0]

    def _cos(self, e: sp.Expr) -> Series:
        return self._sin_cos(self.series(e.args[0]))[1]

    def _erf_of(self, g: Series) -> Series:
        # erf'(g) = 2/√π · exp(−g²) · g'
        bell = self._exp_of([-c for c in self._times(g, g)])
        slope = self._times([2 / sp.sqrt(sp.pi) * c for c in bell], self._deriv(g))
        return self._integral(_constant(sp.erf(g[0])), slope)

    def _erf(self, e: sp.Expr) -> Series:
        return self._erf_of(self.series(e.args[0]))

    def _erfc(self, e: sp.Expr) -> Series:
        g = self.series(e.args[0])
        return [_constant(sp.erfc(g[0]))] + [-c for c in self._erf_of(g)[1:]]

    def _atan(self, e: sp.Expr) -> Series:
        g = self.series(e.args[0])  # atan' (g) = g' / (1 + g²)
        one_plus = self._times(g, g)
        one_plus[0] += 1
        return self._integral(_constant(sp.atan(g[0])), self._quotient(self._deriv(g), one_plus))


__all__ = ["Series", "Unsupported", "taylor"]
