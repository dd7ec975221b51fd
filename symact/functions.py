"""Named SymPy functions: Φ, φ, σ and softplus kept unevaluated.

Keeping them named is what makes derivatives come out in the forms people know
(GELU' = Φ + xφ, σ' = σ(1−σ), softplus' = σ) instead of a page of exponentials.
Each class follows the pattern of ``sympy.codegen.cfunctions``: ``fdiff`` for the chain rule,
``eval`` for exact special values, assumptions, ``rewrite`` rules to elementary functions and
``_eval_evalf`` via that rewrite. :func:`to_elementary` removes them all, for limits and series.
"""

from __future__ import annotations

from typing import Any

import sympy as sp
from mpmath.libmp.libmpf import prec_to_dps


class NamedFunction(sp.Function):
    """A one-argument function with an elementary closed form (see :meth:`elementary`)."""

    nargs = 1
    latex_symbol = ""

    def elementary(self) -> sp.Expr:
        raise NotImplementedError

    def _eval_expand_func(self, **hints: Any) -> sp.Expr:
        return self.elementary()

    def doit(self, **hints: Any) -> sp.Expr:
        """The elementary form (``sympy``'s usual verb for "evaluate what you can"), arguments done first."""
        arg = self.args[0].doit(**hints) if hints.get("deep", True) else self.args[0]
        return type(self)(arg).elementary() if isinstance(type(self)(arg), NamedFunction) else type(self)(arg)

    def _eval_evalf(self, prec: int) -> sp.Expr | None:
        if not self.args[0].is_number:
            return None
        return self.elementary().evalf(prec_to_dps(prec))

    def _eval_is_extended_real(self) -> bool | None:
        return self.args[0].is_extended_real

    def _latex(self, printer: Any, exp: Any = None) -> str:
        arg = printer._print(self.args[0])
        base = rf"{self.latex_symbol}\left({arg}\right)"
        # SymPy's Pow printer hands ``exp`` over already printed.
        return rf"{self.latex_symbol}^{{{exp}}}\left({arg}\right)" if exp else base


class Phi(NamedFunction):
    r"""Standard normal CDF, $\Phi(z) = \tfrac12\left(1 + \operatorname{erf}(z/\sqrt2)\right)$."""

    latex_symbol = r"\Phi"

    @classmethod
    def eval(cls, z: sp.Expr) -> sp.Expr | None:
        if z is sp.S.Zero:
            return sp.S.Half
        if z is sp.S.Infinity:
            return sp.S.One
        if z is sp.S.NegativeInfinity:
            return sp.S.Zero
        return None

    def fdiff(self, argindex: int = 1) -> sp.Expr:
        return phi(self.args[0])

    def elementary(self) -> sp.Expr:
        return (1 + sp.erf(self.args[0] / sp.sqrt(2))) / 2

    def _eval_rewrite_as_erf(self, z: sp.Expr, **kwargs: Any) -> sp.Expr:
        return (1 + sp.erf(z / sp.sqrt(2))) / 2

    def _eval_rewrite_as_erfc(self, z: sp.Expr, **kwargs: Any) -> sp.Expr:
        return sp.erfc(-z / sp.sqrt(2)) / 2

    def _eval_is_positive(self) -> bool | None:
        return True if self.args[0].is_finite and self.args[0].is_real else None


class phi(NamedFunction):
    r"""Standard normal density, $\varphi(z) = e^{-z^2/2}/\sqrt{2\pi}$."""

    latex_symbol = r"\varphi"

    @classmethod
    def eval(cls, z: sp.Expr) -> sp.Expr | None:
        if z is sp.S.Zero:
            return 1 / sp.sqrt(2 * sp.pi)
        if z in (sp.S.Infinity, sp.S.NegativeInfinity):
            return sp.S.Zero
        return None

    def fdiff(self, argindex: int = 1) -> sp.Expr:
        z = self.args[0]
        return -z * phi(z)

    def elementary(self) -> sp.Expr:
        z = self.args[0]
        return sp.exp(-(z**2) / 2) / sp.sqrt(2 * sp.pi)

    def _eval_rewrite_as_exp(self, z: sp.Expr, **kwargs: Any) -> sp.Expr:
        return sp.exp(-(z**2) / 2) / sp.sqrt(2 * sp.pi)

    def _eval_is_positive(self) -> bool | None:
        return True if self.args[0].is_finite and self.args[0].is_real else None


class sigma(NamedFunction):
    r"""Logistic sigmoid, $\sigma(z) = 1/(1 + e^{-z})$."""

    latex_symbol = r"\sigma"

    @classmethod
    def eval(cls, z: sp.Expr) -> sp.Expr | None:
        if z is sp.S.Zero:
            return sp.S.Half
        if z is sp.S.Infinity:
            return sp.S.One
        if z is sp.S.NegativeInfinity:
            return sp.S.Zero
        return None

    def fdiff(self, argindex: int = 1) -> sp.Expr:
        s = sigma(self.args[0])
        return s * (1 - s)

    def elementary(self) -> sp.Expr:
        return 1 / (1 + sp.exp(-self.args[0]))

    def _eval_rewrite_as_exp(self, z: sp.Expr, **kwargs: Any) -> sp.Expr:
        return 1 / (1 + sp.exp(-z))

    def _eval_rewrite_as_tanh(self, z: sp.Expr, **kwargs: Any) -> sp.Expr:
        return (1 + sp.tanh(z / 2)) / 2

    def _eval_is_positive(self) -> bool | None:
        return True if self.args[0].is_finite and self.args[0].is_real else None


class softplus(NamedFunction):
    r"""Softplus, $\operatorname{softplus}(z) = \log(1 + e^{z})$; its derivative is $\sigma(z)$."""

    latex_symbol = r"\operatorname{softplus}"

    def _latex(self, printer: Any, exp: Any = None) -> str:
        # Papers write softplus out (Mish = x tanh(log(1 + e^x))); the name is ours, not theirs.
        inner = rf"\log\left(1 + e^{{{printer._print(self.args[0])}}}\right)"
        return rf"{inner}^{{{exp}}}" if exp else inner

    @classmethod
    def eval(cls, z: sp.Expr) -> sp.Expr | None:
        if z is sp.S.Zero:
            return sp.log(2)
        if z is sp.S.Infinity:
            return sp.S.Infinity
        if z is sp.S.NegativeInfinity:
            return sp.S.Zero
        return None

    def fdiff(self, argindex: int = 1) -> sp.Expr:
        return sigma(self.args[0])

    def elementary(self) -> sp.Expr:
        return sp.log(1 + sp.exp(self.args[0]))

    def _eval_rewrite_as_log(self, z: sp.Expr, **kwargs: Any) -> sp.Expr:
        return sp.log(1 + sp.exp(z))

    def _eval_is_positive(self) -> bool | None:
        return True if self.args[0].is_finite and self.args[0].is_real else None


NAMED_FUNCTIONS: dict[str, type[NamedFunction]] = {
    "Phi": Phi,
    "phi": phi,
    "sigma": sigma,
    "softplus": softplus,
}
"""Name → class, as they print in ``str()`` and as claims may write them."""


def to_elementary(expr: sp.Expr) -> sp.Expr:
    """Replace every named function by its elementary closed form (for limits and series)."""
    return expr.replace(lambda e: isinstance(e, NamedFunction), lambda e: e.elementary())


__all__ = ["NAMED_FUNCTIONS", "NamedFunction", "Phi", "phi", "sigma", "softplus", "to_elementary"]
