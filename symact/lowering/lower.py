"""Stability-aware lowering: SymPy expression → an equivalent expression that evaluates accurately.

Textbook formulas lose accuracy in floating point: ``x/2 (1 + erf(x/√2))`` cancels for x ≪ 0,
``1 − tanh²`` is 0 where sech² is merely small, ``log(1 + eˣ)`` overflows. SymPy's own rewrites
keep those cancellations (``erfc(−z)`` evaluates back to ``2 − erfc(z)``), so lowering works on
*unevaluated* lowered functions (:mod:`symact.lowering.ir`) that only the backends know, by the rule
tables of :mod:`symact.lowering.rules`. Finally constants become Python floats (weakly typed, so
float32 input stays float32).
"""

from __future__ import annotations

from functools import lru_cache

import sympy as sp

from ..functions import to_elementary
from ..symbols import normalise, x
from .ir import Lowered, dexpit, dexpit_fast, near_root, x_affine
from .rules import (
    FAST_FUNCTION_RULES,
    FUNCTION_RULES,
    FUSIONS,
    NODE_RULES,
    PAIR_RULES,
    SUM_FUSIONS,
    TREE_FUSIONS,
    _split_constant,
    apply_pair_rules,
)


def _rewrite_node(e: sp.Expr) -> sp.Expr:
    for _ in range(100):  # each rule removes a pattern, so this terminates long before
        new = apply_pair_rules(e) if e.is_Add else None
        if new is None:
            for rule in NODE_RULES:
                new = rule.apply(e)
                if new is not None:
                    break
        if new is None or new == e:
            return e
        e = _algebraic_pass(new)
    return e


def _algebraic_pass(e: sp.Expr) -> sp.Expr:
    if e.is_Atom:
        return e
    args = [_algebraic_pass(a) for a in e.args]
    if isinstance(e, sp.Piecewise):
        node = sp.Piecewise(*args, evaluate=False)
    else:
        node = e.func(*args) if args != list(e.args) else e
    return _rewrite_node(node)


@lru_cache(maxsize=1024)
def lower(expr: sp.Expr, *, lowering: bool = True, fast: bool = False) -> sp.Expr:
    """The form of ``expr`` that array code evaluates.

    ``lowering=True``: algebraic rules, then numeric functions, then fusions, then float constants.
    ``fast=True`` (with ``lowering``): the same rewrites without the double-double forms of
    :mod:`symact.kernels.ddmath` (:data:`FAST_FUNCTION_RULES` instead; σ(z)σ(−z) as 1/(2 + 2 cosh z), Mish with
    one exponential, x·σ(kx) fused with kx rounded): no cancellation, overflow or x² amplification
    catastrophe, a few ulp in float64 instead of ≤ 2 (up to ~1500 in GELU's and QuickGELU's far left
    tails), at the cost of the textbook formula. Float32 input uses it (its errors are far below float32's ulp).
    ``lowering=False``: the textbook formula (named functions in elementary form), for comparisons;
    only ``Max``/``Min`` become ``maximum``/``minimum`` so that arrays work.
    """
    expr = normalise(expr)  # sympy.Symbol("x") from plain SymPy is symact's x
    # Constants built from special functions (SELU's λ and α) become numbers first, so that no rule
    # rewrites them into lowering-only functions that cannot be evaluated.
    expr = expr.replace(lambda e: e.is_number and not e.is_Atom and e.has(sp.Function), lambda e: e.evalf(30))
    if lowering:
        out = _affine_product(_factor_linear(_algebraic_pass(sp.piecewise_fold(expr))))
        table = FUNCTION_RULES
        if fast:
            out = out.replace(lambda e: isinstance(e, dexpit), lambda e: dexpit_fast(e.args[0]))
            table = tuple(FAST_FUNCTION_RULES.get(r.name, r) for r in FUNCTION_RULES)
    else:
        out = to_elementary(expr)
        table = tuple(r for r in FUNCTION_RULES if r.cls in (sp.Max, sp.Min))
    for rule in table:
        out = out.replace(lambda e, cls=rule.cls: isinstance(e, cls), lambda e, b=rule.build: b(*e.args))
    if lowering:
        def fuse(e: sp.Expr) -> sp.Expr:
            for fusion in FUSIONS:
                e = fusion.apply(e, fast)
            return e

        for tree_fusion in () if fast else TREE_FUSIONS:
            out = tree_fusion.apply(out)
        out = out.replace(lambda e: e.is_Mul, fuse)
        for fusion in SUM_FUSIONS:
            out = out.replace(lambda e: e.is_Add, lambda e, f=fusion: f.apply(e, fast))
    return _float_constants(out)


def with_roots(lowered: sp.Expr, patches: tuple[tuple[float, ...], ...], *, narrow: bool = False) -> sp.Expr:
    """``lowered`` evaluated near each root by its Taylor polynomial: ``near_root(x, lowered, *patch)`` per patch
    (root, root_lo, width, c1_hi, c1_lo, c2 …; :mod:`symact.roots` computes them). ``narrow``: where ``lowered`` is
    one kernel with a :meth:`~symact.lowering.ir.Lowered.root_window` (our double-double kernels; not the
    frameworks' forms), the window shrinks to it and the polynomial keeps only the terms that window needs."""
    window = lowered.root_window(*lowered.args) if narrow and isinstance(lowered, Lowered) else None
    for patch in patches:
        if window is not None and window < patch[2]:
            patch = _narrowed(patch, window)
        lowered = near_root(x, lowered, *(sp.Float(v, 30) for v in patch))
    return lowered


def _narrowed(patch: tuple[float, ...], width: float) -> tuple[float, ...]:
    """The patch on |x − r| < width: cₖ dropped from the first k ≥ 2 past which every term is below 2⁻⁶² c₁
    (the criterion of :func:`symact.roots._patch`)."""
    r, r_lo, _, c1_hi, c1_lo, *rest = patch
    n = max((k for k, c in enumerate(rest, start=2) if abs(c) * width ** (k - 1) > 2.0**-62 * abs(c1_hi)), default=1)
    return (r, r_lo, width, c1_hi, c1_lo, *rest[: n - 1])


def _factor_linear(e: sp.Expr) -> sp.Expr:
    """a·x + b → a·(x + b/a), kept unevaluated: x + b/a is exact near the root −b/a (Sterbenz),
    where a·x + b cancels (hard-sigmoid at −3, hard-swish' at −1.5)."""
    def rewrite(node: sp.Expr) -> sp.Expr:
        if node.is_Add and node.free_symbols == {x} and node.is_polynomial(x):
            poly = sp.Poly(node, x)
            a, b = (poly.all_coeffs() + [0])[:2] if poly.degree() == 1 else (None, None)
            if a is not None and b != 0 and a.is_Rational and b.is_Rational and a != 1:
                return sp.Mul(a, x + b / a, evaluate=False)
        return node

    return e.replace(lambda n: n.is_Add, rewrite)


def _affine_product(e: sp.Expr) -> sp.Expr:
    """a·x² + b·x (a, b ≠ 0 numbers) → x_affine(x, a, b): x·(a·x + b) in double-double (xIELU right of 0, which
    rounded four times and whose x² overflowed first). After :func:`_factor_linear`, which leaves degree 2 alone."""
    def rewrite(node: sp.Expr) -> sp.Expr:
        if node.is_Add and node.free_symbols == {x} and node.is_polynomial(x):
            poly = sp.Poly(node, x)
            if poly.degree() == 2:
                a, b, c = poly.all_coeffs()
                if c == 0 and b != 0 and a.is_number and b.is_number:
                    return x_affine(x, *_split_constant(a), *_split_constant(b))
        return node

    return e.replace(lambda n: n.is_Add, rewrite)


def _float_constants(e: sp.Expr) -> sp.Expr:
    """Constant subexpressions → 30-digit Floats; the printed literal then rounds correctly to a
    Python float, which NumPy treats as weakly typed (a float32 array stays float32).

    ``evalf`` alone does not reach inside unevaluated functions such as ``expit(sqrt(2)*x)``.
    """
    if e.is_Integer:  # beyond 2⁵³ as a float: torch cannot convert a Python int past int64
        return e if abs(e) <= 2**53 else sp.Float(e, 30)
    if isinstance(e, sp.logic.boolalg.BooleanAtom):
        return e
    if e.is_number:
        value = e.evalf(30)
        return value if value.is_Float else e
    if e.is_Atom:
        return e
    args = [_float_constants(a) for a in e.args]
    if isinstance(e, sp.Piecewise):
        return sp.Piecewise(*args, evaluate=False)
    out = e.func(*args)
    if e.is_Mul and out.is_Add:
        return sp.Mul(*args, evaluate=False)  # SymPy distributed a·(x + b/a) from _factor_linear: undo
    return out


def rules() -> list[tuple[str, str]]:
    """(name, why) of every rule, in the order they apply — for docs and ``--help``."""
    return [(r.name, r.doc) for r in (*PAIR_RULES, *NODE_RULES, *FUNCTION_RULES, *FUSIONS, *SUM_FUSIONS)]


__all__ = ["lower", "rules"]
