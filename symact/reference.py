"""Plain-Python reference implementations, rendered to LaTeX by latexify-py.

These are the definitions as a reader would type them, one ``def`` per registered activation,
using bare ``from math import ...`` names: latexify prints ``math.erf`` as
``\\mathrm{math}.\\mathrm{erf}``, but a bare ``erf`` as ``\\mathrm{erf}`` (upgraded to
``\\operatorname{erf}`` below) and, with ``use_math_symbols``, ``pi`` as ``\\pi``.

Blocks are *not* rendered with latexify: it prints ``(silu(x @ W) * (x @ V)) @ W2`` as
``silu(xW) · xV · W2``, losing the difference between the elementwise product ⊗ and the matrix
product; :func:`symact.blocks.latex` prints those instead.
"""

from __future__ import annotations

from collections.abc import Callable
from math import erf, exp, expm1, log1p, pi, sqrt, tanh

SELU_LAMBDA = 1.0507009873554804934193349852946
SELU_ALPHA = 1.6732632423543772848170429916717


def identity(x):
    return x


def relu(x):
    return max(0.0, x)


def relu_squared(x):
    return max(0.0, x) ** 2


def sigmoid(x):
    return 1 / (1 + exp(-x))


def tanh_(x):
    return tanh(x)


def gelu(x):
    return x / 2 * (1 + erf(x / sqrt(2)))


def gelu_tanh(x, kappa=0.044715):
    return x / 2 * (1 + tanh(sqrt(2 / pi) * (x + kappa * x**3)))


def gelu_sigmoid(x, alpha=1.702):
    return x * sigmoid(alpha * x)


def quick_gelu(x):
    return x * sigmoid(1.702 * x)


def swish(x, beta=1.0):
    return x * sigmoid(beta * x)


def silu(x):
    return x * sigmoid(x)


def softplus(x, beta=1.0):
    return log1p(exp(beta * x)) / beta


def mish(x):
    return x * tanh(log1p(exp(x)))


def elu(x, alpha=1.0):
    return x if x > 0 else alpha * (exp(x) - 1)


def selu(x, lam=SELU_LAMBDA, alpha=SELU_ALPHA):
    return lam * (x if x > 0 else alpha * (exp(x) - 1))


def hard_sigmoid(x):
    return min(max(x + 3, 0), 6) / 6


def hard_swish(x):
    return x * min(max(x + 3, 0), 6) / 6


def relu6(x):
    return min(max(0.0, x), 6.0)


def leaky_relu(x, negative_slope=0.01):
    return x if x > 0 else negative_slope * x


def hardtanh(x):
    return min(max(x, -1.0), 1.0)


def celu(x, alpha=1.0):
    return x if x > 0 else alpha * (exp(x / alpha) - 1)


def log_sigmoid(x):
    return -log1p(exp(-x))


def gelu_fast(x, kappa=0.044715):
    return x / 2 * (1 + tanh(x * 0.7978845608 * (1 + kappa * x**2)))


def gelu_10(x):
    return min(max(x / 2 * (1 + erf(x / sqrt(2))), -10.0), 10.0)


def laplace(x, mu=0.707107, s=0.282095):
    return (1 + erf((x - mu) / (s * sqrt(2)))) / 2


def sqrt_softplus(x):
    return sqrt(log1p(exp(x)))


def softsign(x):
    return x / (1 + abs(x))


def tanhshrink(x):
    return x - tanh(x)


def softshrink(x, lambd=0.5):
    return x - lambd if x > lambd else (x + lambd if x < -lambd else 0.0)


def hardshrink(x, lambd=0.5):
    return x if abs(x) > lambd else 0.0


def threshold(x, threshold=0.0, value=0.0):
    return x if x > threshold else value


def prelu(x, weight=0.25):
    return x if x > 0 else weight * x


def rrelu(x, lower=0.125, upper=1 / 3):
    return x if x >= 0 else (lower + upper) / 2 * x


def squareplus(x, b=4.0):
    return (x + sqrt(x**2 + b)) / 2


def sparse_plus(x):
    return 0.0 if x <= -1 else (x if x >= 1 else (x + 1) ** 2 / 4)


def sparse_sigmoid(x):
    return 0.0 if x <= -1 else (1.0 if x >= 1 else (x + 1) / 2)


def xielu(x, alpha_p=0.8, alpha_n=0.8, beta=0.5, eps=-1e-6):
    return alpha_p * x**2 + beta * x if x > 0 else alpha_n * (expm1(min(x, eps)) - x) + beta * x


REFERENCE: dict[str, Callable[..., float]] = {
    "identity": identity, "relu": relu, "relu_squared": relu_squared, "sigmoid": sigmoid, "tanh": tanh_,
    "gelu": gelu, "gelu_tanh": gelu_tanh, "gelu_sigmoid": gelu_sigmoid, "quick_gelu": quick_gelu,
    "swish": swish, "silu": silu, "softplus": softplus, "mish": mish, "elu": elu, "selu": selu,
    "hard_sigmoid": hard_sigmoid, "hard_swish": hard_swish, "relu6": relu6, "leaky_relu": leaky_relu,
    "hardtanh": hardtanh, "celu": celu, "log_sigmoid": log_sigmoid, "gelu_fast": gelu_fast, "gelu_10": gelu_10,
    "laplace": laplace, "sqrt_softplus": sqrt_softplus, "softsign": softsign, "tanhshrink": tanhshrink,
    "softshrink": softshrink, "hardshrink": hardshrink, "threshold": threshold, "prelu": prelu, "rrelu": rrelu,
    "squareplus": squareplus, "sparse_plus": sparse_plus, "sparse_sigmoid": sparse_sigmoid, "xielu": xielu,
}
"""Registry name → reference implementation (keyword defaults are the papers' values)."""

# latexify prints unknown names upright; these read better as operators or Greek letters.
_UPGRADES = {
    r"\mathrm{erf}": r"\operatorname{erf}", r"\mathrm{log1p}": r"\operatorname{log1p}",
    r"\mathrm{sigmoid}": r"\sigma", r"\mathrm{max}": r"\max", r"\mathrm{min}": r"\min",
    r"\mathrm{lam}": r"\lambda", r"\mathrm{tanh\_}": r"\mathrm{tanh}",
}


def reference_latex(name: str) -> str:
    """latexify-py's LaTeX of the reference implementation of ``name``."""
    import latexify  # import late: latexify is slow to import and only this function needs it

    from .registry import get

    func = REFERENCE[get(name).name]
    text = latexify.get_latex(func, use_math_symbols=True)
    for old, new in _UPGRADES.items():
        text = text.replace(old, new)
    return text


__all__ = ["REFERENCE", "reference_latex"]
