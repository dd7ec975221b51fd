"""The JAX backend: a generated module of jax.numpy code, differentiable through ``jax.custom_jvp``."""

from __future__ import annotations

import sympy as sp

from .base import register_backend
from .generated import DD_CALLS, GeneratedBackend, forms


class JaxBackend(GeneratedBackend):
    """JAX arrays; works under jax.grad, jit and vmap (float64 needs jax_enable_x64)."""

    name = "jax"
    label = "JAX"
    requires = "jax"
    install = "pip install -e '.[jax]' (jax and jaxlib)"
    module = "jax.numpy"
    imports = ("import math", "", "import jax", "import jax.numpy", "import jax.scipy.special")
    functions = {"expit": "jax.scipy.special.expit", "erfc_stable": "jax.scipy.special.erfc",
             "erf": "jax.scipy.special.erf", "log1p": "jax.numpy.log1p", "expm1": "jax.numpy.expm1",
             "hypot": "jax.numpy.hypot",
             "expit_softplus_pow":
                 "jax.numpy.where({0} < -37, jax.numpy.exp(({1} + {2}) * {0}), "
                 "jax.scipy.special.expit({0}) ** {1} * jax.numpy.logaddexp(0.0, {0}) ** {2})",
             "softplus_stable": "jax.numpy.logaddexp(0.0, {0})", "maximum": "jax.numpy.maximum",
             "minimum": "jax.numpy.minimum", "where": "jax.numpy.where",
             **forms("jax.scipy.special.expit", "jax.numpy.clip", "jax.numpy.logaddexp(0.0, {0})",
                     "jax.numpy.tanh", "jax.numpy.expm1", "jax.numpy.hypot({0}, {1})"), **DD_CALLS}
    namespace = ("exp, abs, where, isfinite = jax.numpy.exp, jax.numpy.abs, jax.numpy.where, jax.numpy.isfinite",
             "",
             "@staticmethod",
             "def finite_or_zero(e):",
             "    return jax.numpy.where(jax.numpy.isfinite(e), e, 0.0)",
             "",
             "@staticmethod",
             "def two_prod(a, b):  # XLA flushes subnormals: the low half of a tiny operand's split would vanish",
             "    sa = jax.numpy.where(jax.numpy.abs(a) < 2.0**-900, 2.0**600, 1.0)",
             "    sb = jax.numpy.where(jax.numpy.abs(b) < 2.0**-900, 2.0**600, 1.0)",
             "    p, e = dekker(_xp, a * sa, b * sb)",
             "    return p / (sa * sb), e / (sa * sb)",
             "",
             "@staticmethod",
             "def one_where_nonneg(h, t):",
             "    return jax.numpy.where(h >= 0, 1.0, t)",
             "",
             "erfc, expit = jax.scipy.special.erfc, jax.scipy.special.expit",
             "",
             "@staticmethod",
             "def erfcx(z):  # jax's erfcx returns 0 beyond z ~ 26.5: the asymptotic series is exact there",
             "    big = jax.numpy.maximum(z, 25.0)",
             "    inv, term, total = 1 / (2 * big * big), 1.0 + 0 * big, 1.0 + 0 * big",
             "    for n in range(1, 20):",
             "        term = -term * (2 * n - 1) * inv",
             "        total = total + term",
             "    small = jax.scipy.special.erfcx(jax.numpy.minimum(z, 25.0))",
             "    return jax.numpy.where(z > 25.0, total / (big * math.sqrt(math.pi)), small)")
    prologue = ("x = jax.numpy.asarray(x)", "if True:")
    epilogue = ("    out = jax.numpy.broadcast_to(out, x.shape)",
             "    out = jax.numpy.where(jax.numpy.isnan(out) & (jax.numpy.abs(x) >= 1e8),",
             "                          jax.numpy.where(x < 0, {tail_lo}, {tail_hi}), out)",
             "    out = jax.numpy.where(x == math.inf, {hi}, jax.numpy.where(x == -math.inf, {lo}, out))",
             "    out = jax.numpy.where(jax.numpy.isnan(x), math.nan, out)",
             "return out.astype(x.dtype)")
    extra = "Elementwise on a JAX array; works under jax.grad, jit and vmap (float64 needs jax_enable_x64)."
    table_namespace = ("minimum = jax.numpy.minimum", "",
                       "@staticmethod", "def index(v, top):",
                       "    return jax.numpy.clip(jax.numpy.nan_to_num(v), 0, top).astype(jax.numpy.int32)")
    table_array = "jax.numpy.asarray({0})"

    def wrappers(self, names: list[str], impl: list[str], exprs: list[sp.Expr]) -> list[str]:
        lines: list[str] = []
        for k in (1, 0):  # the derivative's wrapper first: the value's gradient calls it
            grad_call = names[k + 1] if k == 0 else impl[k + 1]
            lines += [
                "@jax.custom_jvp",
                f"def {names[k]}(x):",
                f'    """{self.extra}"""',
                f"    return {impl[k]}(x)",
                "",
                "",
                f"@{names[k]}.defjvp",
                f"def _{names[k]}_jvp(primals, tangents):",
                f'    """d/dx of this is {sp.sstr(exprs[k + 1])}, evaluated in its own stable form."""',
                "    (x,), (t,) = primals, tangents",
                f"    return {names[k]}(x), {grad_call}(x) * t",
                "",
                "",
            ]
        return lines


JAX = register_backend(JaxBackend())

__all__ = ["JAX", "JaxBackend"]
