"""The activation functions, one :func:`register` call each — nothing else lives here.

Formulas follow the papers cited in each entry (see ``shared/REFERENCE.md``). Piecewise
definitions use ``Piecewise`` with the kink on the right-hand branch's boundary, so derivatives
are piecewise too and lower to array code without ``Heaviside``/``DiracDelta``.
"""

from __future__ import annotations

import sympy as sp

from .functions import Phi, sigma, softplus
from .registry import Activation, Param, register
from .symbols import alpha, beta, kappa, lam, x

negative_slope = sp.Symbol("negative_slope", nonnegative=True)
"""Leaky ReLU's slope for x < 0 (PyTorch and Hugging Face: 0.01)."""
weight = sp.Symbol("weight", nonnegative=True)
"""PReLU's learned slope for x < 0 (PyTorch initialises it to 0.25)."""
mu = sp.Symbol("mu", real=True)
"""Laplace activation's centre (MEGA: 0.707107 ≈ 1/√2)."""
s = sp.Symbol("s", positive=True)
"""Laplace activation's width (MEGA: 0.282095 ≈ 1/(2√π)); not ``sigma``, which names σ in formulas."""
lambd = sp.Symbol("lambd", positive=True)
"""Soft/hard shrinkage's threshold (PyTorch calls the argument ``lambd``; default 0.5)."""
threshold = sp.Symbol("threshold", real=True)
value = sp.Symbol("value", real=True)
bsq = sp.Symbol("b_sq", positive=True)
"""Squareplus's smoothing constant (``b`` in the paper and jax.nn.squareplus, default 4); not ``b``, which is
a block weight in formulas."""
alpha_p = sp.Symbol("alpha_p", positive=True)
alpha_n = sp.Symbol("alpha_n", positive=True)
eps = sp.Symbol("eps", negative=True)

_POSITIVE = sp.Interval.open(0, sp.oo)
_NONNEGATIVE = sp.Interval(0, sp.oo)

HENDRYCKS_2016 = "Hendrycks & Gimpel 2016, Gaussian Error Linear Units (GELUs), arXiv:1606.08415"
RAMACHANDRAN_2017 = "Ramachandran, Zoph & Le 2017, Searching for Activation Functions, arXiv:1710.05941"
ELFWING_2017 = ("Elfwing, Uchibe & Doya 2017, Sigmoid-Weighted Linear Units for Neural Network Function "
                "Approximation in Reinforcement Learning, arXiv:1702.03118")
HOWARD_2019 = "Howard et al. 2019, Searching for MobileNetV3, arXiv:1905.02244 (PyTorch's Hardsigmoid/Hardswish)"
CLEVERT_2015 = ("Clevert, Unterthiner & Hochreiter 2015, Fast and Accurate Deep Network Learning by ELUs, "
                "arXiv:1511.07289")
KLAMBAUER_2017 = "Klambauer, Unterthiner, Mayr & Hochreiter 2017, Self-Normalizing Neural Networks, arXiv:1706.02515"
NAIR_2010 = "Nair & Hinton 2010, Rectified Linear Units Improve Restricted Boltzmann Machines, ICML"
MISRA_2019 = "Misra 2019, Mish: A Self Regularized Non-Monotonic Activation Function, arXiv:1908.08681"
SO_2021 = "So et al. 2021, Primer: Searching for Efficient Transformers for Language Modeling, arXiv:2109.08668"
DUGAS_2000 = "Dugas et al. 2000, Incorporating Second-Order Functional Knowledge for Better Option Pricing, NIPS"
KRIZHEVSKY_2010 = "Krizhevsky 2010, Convolutional Deep Belief Networks on CIFAR-10 (ReLU6; PyTorch F.relu6)"
MAAS_2013 = ("Maas, Hannun & Ng 2013, Rectifier Nonlinearities Improve Neural Network Acoustic Models, ICML "
             "(leaky ReLU; PyTorch's negative_slope = 0.01)")
COLLOBERT_2004 = "Collobert 2004, Large Scale Machine Learning, PhD thesis (HardTanh; PyTorch F.hardtanh)"
BARRON_2017 = "Barron 2017, Continuously Differentiable Exponential Linear Units, arXiv:1704.07483"
WU_2020 = ("Wu, Judd, Zhang, Isaev & Micikevicius 2020, Integer Quantization for Deep Learning Inference, "
           "arXiv:2004.09602 (clipped GELU; Hugging Face's gelu_10)")
MA_2022 = "Ma et al. 2022, Mega: Moving Average Equipped Gated Attention, arXiv:2209.10655 (the Laplace activation)"
DEEPSEEK_V4 = "DeepSeek-AI 2026, DeepSeek-V4 (router score sqrt(softplus)); Hugging Face's sqrtsoftplus"
BARRON_2021 = "Barron 2021, Squareplus: A Softplus-Like Algebraic Rectifier, arXiv:2112.11687"
HE_2015 = ("He, Zhang, Ren & Sun 2015, Delving Deep into Rectifiers: Surpassing Human-Level Performance on "
           "ImageNet Classification, arXiv:1502.01852 (PReLU)")
XU_2015 = ("Xu, Wang, Chen & Li 2015, Empirical Evaluation of Rectified Activations in Convolutional Network, "
           "arXiv:1505.00853")
TURIAN_2009 = "Turian, Bergstra & Bengio 2009, Quadratic Features and Deep Architectures for Chunking (softsign)"
BLONDEL_2020 = ("Martins & Astudillo 2016 / Blondel et al. 2020, sparsemax and Fenchel-Young losses "
                "(jax.nn.sparse_plus, sparse_sigmoid)")
HUANG_2024 = "Huang & Schlag 2024, Deriving Activation Functions Using Integration, arXiv:2411.13010 (xIELU; Apertus)"
RADFORD_2021 = ("Radford et al. 2021, Learning Transferable Visual Models From Natural Language Supervision "
                "(CLIP code: QuickGELU)")

# SELU's fixed point constants in closed form (Klambauer et al. 2017, eqs. 14-15).
_ERFC = sp.erfc(1 / sp.sqrt(2))
SELU_ALPHA = -sp.sqrt(2 / sp.pi) / (_ERFC * sp.exp(sp.S.Half) - 1)
SELU_LAMBDA = (
    (1 - _ERFC * sp.sqrt(sp.E))
    * sp.sqrt(2 * sp.pi)
    / sp.sqrt(2 * sp.erfc(sp.sqrt(2)) * sp.E**2 + sp.pi * _ERFC**2 * sp.E
              - 2 * (2 + sp.pi) * _ERFC * sp.sqrt(sp.E) + sp.pi + 2)
)

_BETA = Param("beta", beta, sp.S.One, _POSITIVE, "sharpness; beta -> oo gives ReLU")
_ELU_ALPHA = Param("alpha", alpha, sp.S.One, _POSITIVE, "negative saturation value -alpha")


def _relu(z: sp.Expr) -> sp.Expr:
    return sp.Piecewise((z, z > 0), (0, True))


def _hard_sigmoid(z: sp.Expr) -> sp.Expr:
    # PyTorch: relu6(x + 3) / 6, i.e. 0 below -3, 1 above 3, linear between.
    return sp.Piecewise((0, z <= -3), (1, z >= 3), (z / 6 + sp.S.Half, True))


IDENTITY = register(Activation(
    "identity", x, r"\operatorname{id}", "x", aliases=("linear", "none"),
))

RELU = register(Activation(
    "relu", _relu(x), r"\operatorname{ReLU}", "max(0, x)", references=(NAIR_2010,),
    notes="ReLU'(0) is taken as 0 (the x > 0 branch is open), as PyTorch and JAX do.",
))

RELU_SQUARED = register(Activation(
    "relu_squared", _relu(x) ** 2, r"\operatorname{ReLU}^2", "max(0, x)^2",
    aliases=("squared_relu", "relu2"), references=(SO_2021,),
))

SIGMOID = register(Activation(
    "sigmoid", sigma(x), r"\sigma", "1 / (1 + exp(-x))", aliases=("logistic",),
))

TANH = register(Activation("tanh", sp.tanh(x), r"\tanh", "tanh(x)"))

GELU = register(Activation(
    "gelu", x * Phi(x), r"\operatorname{GELU}", "x Phi(x) = x/2 (1 + erf(x/sqrt(2)))",
    aliases=("gelu_exact", "gelu_erf", "gelu_python"), references=(HENDRYCKS_2016,),
    notes="PyTorch's default GELU (approximate='none'); JAX's jax.nn.gelu defaults to the tanh form.",
))

GELU_TANH = register(Activation(
    "gelu_tanh", x / 2 * (1 + sp.tanh(sp.sqrt(2 / sp.pi) * (x + kappa * x**3))),
    r"\operatorname{GELU}_{\tanh}", "x/2 (1 + tanh(sqrt(2/pi) (x + kappa x^3)))",
    parameters=(Param("kappa", kappa, sp.Rational("0.044715"), _POSITIVE,
                      "cubic coefficient, 0.044715 in the paper"),),
    aliases=("gelu_new", "gelu_pytorch_tanh", "gelu_approx", "gelu_accurate", "gelu_python_tanh"),
    references=(HENDRYCKS_2016,),
    notes="PyTorch F.gelu(approximate='tanh'); jax.nn.gelu's default; Hugging Face's 'gelu_new'.",
))

GELU_SIGMOID = register(Activation(
    "gelu_sigmoid", x * sigma(alpha * x), r"\operatorname{GELU}_{\sigma}", "x sigma(alpha x)",
    parameters=(Param("alpha", alpha, sp.Rational("1.702"), _POSITIVE, "slope, 1.702 in the paper"),),
    references=(HENDRYCKS_2016,),
    notes="Equal to Swish with beta = alpha.",
))

QUICK_GELU = register(GELU_SIGMOID.specialise(
    "quick_gelu", latex_name=r"\operatorname{QuickGELU}", formula="x sigma(1.702 x)",
    aliases=("quickgelu",), references=(HENDRYCKS_2016, RADFORD_2021), alpha=sp.Rational("1.702"),
    notes="CLIP's name for GELU's sigmoid approximation with the paper's 1.702.",
))

SWISH = register(Activation(
    "swish", x * sigma(beta * x), r"\operatorname{Swish}_{\beta}", "x sigma(beta x)",
    parameters=(Param("beta", beta, sp.S.One, _NONNEGATIVE,
                      "sharpness; beta = 0 gives x/2, beta -> oo gives ReLU"),),
    references=(RAMACHANDRAN_2017,),
))

SILU = register(SWISH.specialise(
    "silu", latex_name=r"\operatorname{SiLU}", formula="x sigma(x)", aliases=("swish1", "swish_1"),
    references=(ELFWING_2017, HENDRYCKS_2016, RAMACHANDRAN_2017), beta=1,
    notes="Swish with beta = 1 (Ramachandran et al. call it Swish-1).",
))

SOFTPLUS = register(Activation(
    "softplus", softplus(beta * x) / beta, r"\operatorname{softplus}_{\beta}", "log(1 + exp(beta x)) / beta",
    parameters=(_BETA,), references=(DUGAS_2000,),
    notes="PyTorch's Softplus switches to x where beta x > threshold (20); this is the exact function.",
))

MISH = register(Activation(
    "mish", x * sp.tanh(softplus(x)), r"\operatorname{Mish}", "x tanh(softplus(x))", references=(MISRA_2019,),
))

ELU = register(Activation(
    "elu", sp.Piecewise((x, x > 0), (alpha * (sp.exp(x) - 1), True)), r"\operatorname{ELU}_{\alpha}",
    "x if x > 0 else alpha (exp(x) - 1)", parameters=(_ELU_ALPHA,), references=(CLEVERT_2015,),
))

SELU = register(Activation(
    "selu", lam * sp.Piecewise((x, x > 0), (alpha * (sp.exp(x) - 1), True)), r"\operatorname{SELU}",
    "lambda (x if x > 0 else alpha (exp(x) - 1))",
    parameters=(
        Param("lambda", lam, SELU_LAMBDA, _POSITIVE, "scale, the paper's lambda_01 ~ 1.0507"),
        Param("alpha", alpha, SELU_ALPHA, _POSITIVE, "the paper's alpha_01 ~ 1.6733"),
    ),
    references=(KLAMBAUER_2017,),
    notes="Defaults are the closed forms of the paper's appendix, not rounded decimals.",
))

HARD_SIGMOID = register(Activation(
    "hard_sigmoid", _hard_sigmoid(x), r"\operatorname{hardsigmoid}", "relu6(x + 3) / 6",
    aliases=("hardsigmoid",), references=(HOWARD_2019,),
))

HARD_SWISH = register(Activation(
    "hard_swish", sp.piecewise_fold(x * _hard_sigmoid(x)), r"\operatorname{hardswish}", "x relu6(x + 3) / 6",
    aliases=("hardswish", "hard_silu"), references=(HOWARD_2019,),
    notes="jax.nn.hard_silu is an alias of jax.nn.hard_swish.",
))

RELU6 = register(Activation(
    "relu6", sp.Piecewise((0, x <= 0), (6, x >= 6), (x, True)), r"\operatorname{ReLU6}", "min(max(0, x), 6)",
    references=(KRIZHEVSKY_2010, HOWARD_2019),
))

LEAKY_RELU = register(Activation(
    "leaky_relu", sp.Piecewise((x, x > 0), (negative_slope * x, True)), r"\operatorname{LeakyReLU}",
    "x if x > 0 else negative_slope x",
    parameters=(Param("negative_slope", negative_slope, sp.Rational("0.01"), _NONNEGATIVE,
                      "slope for x < 0 (PyTorch and Hugging Face: 0.01)"),),
    aliases=("leakyrelu",), references=(MAAS_2013,),
))

HARDTANH = register(Activation(
    "hardtanh", sp.Piecewise((-1, x <= -1), (1, x >= 1), (x, True)), r"\operatorname{HardTanh}",
    "clamp(x, -1, 1)", aliases=("hard_tanh",), references=(COLLOBERT_2004,),
    notes="PyTorch's default min_val = -1, max_val = 1; jax.nn.hard_tanh.",
))

CELU = register(Activation(
    "celu", sp.Piecewise((x, x > 0), (alpha * (sp.exp(x / alpha) - 1), True)), r"\operatorname{CELU}_{\alpha}",
    "x if x > 0 else alpha (exp(x / alpha) - 1)",
    parameters=(Param("alpha", alpha, sp.S.One, _POSITIVE, "negative saturation value -alpha; C¹ for every alpha"),),
    references=(BARRON_2017,),
))

LOG_SIGMOID = register(Activation(
    "log_sigmoid", sp.log(sigma(x)), r"\log\sigma", "log(sigmoid(x)) = -softplus(-x)",
    aliases=("logsigmoid",), notes="PyTorch F.logsigmoid, jax.nn.log_sigmoid.",
))

# --- Hugging Face, PyTorch and JAX entries beyond the papers above (issue 16) ---

GELU_FAST = register(Activation(
    "gelu_fast", x / 2 * (1 + sp.tanh(x * sp.Rational("0.7978845608") * (1 + kappa * x**2))),
    r"\operatorname{GELU}_{\mathrm{fast}}", "x/2 (1 + tanh(0.7978845608 x (1 + kappa x^2)))",
    parameters=(Param("kappa", kappa, sp.Rational("0.044715"), _POSITIVE, "cubic coefficient, 0.044715"),),
    references=(HENDRYCKS_2016,),
    notes="Hugging Face's gelu_fast: the tanh form with sqrt(2/pi) truncated to 0.7978845608 (10 digits), "
          "so it differs from gelu_tanh by up to ~1e-11 relative.",
))

GELU_10 = register(Activation(
    "gelu_10", sp.Piecewise((x * Phi(x), x < 10), (10, True)), r"\operatorname{GELU}_{10}", "clip(GELU(x), -10, 10)",
    references=(HENDRYCKS_2016, WU_2020),
    notes="Hugging Face's gelu_10 clips GELU to [-10, 10]. GELU >= -0.17, so only the upper clip acts; it acts "
          "from x0 = 10/Phi(x0) = 10 (1 + 7.6e-24), written here as 10: the two agree at every double and "
          "differ by less than 8e-23 anywhere.",
))

LAPLACE = register(Activation(
    "laplace", Phi((x - mu) / s), r"\operatorname{Laplace}", "Phi((x - mu) / s) = (1 + erf((x - mu)/(s sqrt 2)))/2",
    parameters=(Param("mu", mu, sp.Rational("0.707107"), sp.Reals, "centre, 0.707107 ~ 1/sqrt(2)"),
                Param("s", s, sp.Rational("0.282095"), _POSITIVE, "width, 0.282095 ~ 1/(2 sqrt(pi))")),
    references=(MA_2022,),
    notes="Hugging Face's laplace (MEGA's attention activation): a Gaussian CDF that approximates ReLU^2 near 0.",
))

SQRT_SOFTPLUS = register(Activation(
    "sqrt_softplus", sp.sqrt(softplus(x)), r"\sqrt{\operatorname{softplus}}", "sqrt(log(1 + exp(x)))",
    aliases=("sqrtsoftplus",), references=(DEEPSEEK_V4,),
    notes="DeepSeek-V4's router score; Hugging Face's sqrtsoftplus.",
))

SOFTSIGN = register(Activation(
    # by sign, so that the derivative is a quotient per branch (|x|' = sign(x) would leave x·sign(x) unsimplified)
    "softsign", sp.Piecewise((x / (1 + x), x > 0), (x / (1 - x), True)), r"\operatorname{softsign}",
    "x / (1 + |x|)",
    aliases=("soft_sign",), references=(TURIAN_2009,), notes="PyTorch F.softsign, jax.nn.soft_sign.",
))

TANHSHRINK = register(Activation(
    "tanhshrink", x - sp.tanh(x), r"\operatorname{tanhshrink}", "x - tanh(x)", notes="PyTorch F.tanhshrink.",
))

_LAMBD = Param("lambd", lambd, sp.S.Half, _POSITIVE, "threshold (PyTorch default 0.5)")

SOFTSHRINK = register(Activation(
    "softshrink", sp.Piecewise((x - lambd, x > lambd), (x + lambd, x < -lambd), (0, True)),
    r"\operatorname{softshrink}", "x - lambd if x > lambd, x + lambd if x < -lambd, else 0",
    parameters=(_LAMBD,), notes="PyTorch F.softshrink (lambd = 0.5).",
))

HARDSHRINK = register(Activation(
    "hardshrink", sp.Piecewise((x, x > lambd), (x, x < -lambd), (0, True)),
    r"\operatorname{hardshrink}", "x if |x| > lambd else 0",
    parameters=(_LAMBD,), notes="PyTorch F.hardshrink (lambd = 0.5).",
))

THRESHOLD = register(Activation(
    "threshold", sp.Piecewise((x, x > threshold), (value, True)), r"\operatorname{threshold}",
    "x if x > threshold else value",
    parameters=(Param("threshold", threshold, sp.S.Zero, sp.Reals, "where the identity starts"),
                Param("value", value, sp.S.Zero, sp.Reals, "the output at and below the threshold")),
    notes="PyTorch F.threshold(x, threshold, value) has no defaults; here both default to 0, which is ReLU.",
))

PRELU = register(Activation(
    "prelu", sp.Piecewise((x, x > 0), (weight * x, True)), r"\operatorname{PReLU}", "x if x > 0 else weight x",
    parameters=(Param("weight", weight, sp.Rational(1, 4), _NONNEGATIVE, "learned slope; PyTorch initialises 0.25"),),
    references=(HE_2015,), notes="PyTorch nn.PReLU with one learned slope (initialised to 0.25).",
))

RRELU = register(Activation(
    "rrelu", sp.Piecewise((x, x >= 0), ((sp.Rational(1, 8) + sp.Rational(1, 3)) / 2 * x, True)),
    r"\operatorname{RReLU}", "x if x >= 0 else (lower + upper)/2 x, lower = 1/8, upper = 1/3",
    references=(XU_2015,),
    notes="PyTorch F.rrelu in eval mode (training=False): the slope is the mean (1/8 + 1/3)/2 = 11/48; "
          "in training the slope is random per element.",
))

SQUAREPLUS = register(Activation(
    # for x < 0 the conjugate b / (2 (sqrt(x^2 + b) - x)): the same function, without x + sqrt(x^2 + b) cancelling
    "squareplus", sp.Piecewise(((x + sp.sqrt(x**2 + bsq)) / 2, x >= 0), (bsq / (2 * (sp.sqrt(x**2 + bsq) - x)), True)),
    r"\operatorname{squareplus}", "(x + sqrt(x^2 + b)) / 2",
    parameters=(Param("b", bsq, sp.Integer(4), _POSITIVE, "smoothing, 4 in jax.nn.squareplus"),),
    references=(BARRON_2021,), notes="jax.nn.squareplus (b = 4).",
))

SPARSE_PLUS = register(Activation(
    "sparse_plus", sp.Piecewise((0, x <= -1), (x, x >= 1), ((x + 1) ** 2 / 4, True)),
    r"\operatorname{sparse\_plus}", "0 if x <= -1, x if x >= 1, else (x + 1)^2 / 4",
    references=(BLONDEL_2020,), notes="jax.nn.sparse_plus.",
))

SPARSE_SIGMOID = register(Activation(
    "sparse_sigmoid", sp.Piecewise((0, x <= -1), (1, x >= 1), ((x + 1) / 2, True)),
    r"\operatorname{sparse\_sigmoid}", "0 if x <= -1, 1 if x >= 1, else (x + 1) / 2",
    references=(BLONDEL_2020,), notes="jax.nn.sparse_sigmoid, the derivative of sparse_plus.",
))

XIELU = register(Activation(
    "xielu",
    sp.Piecewise((alpha_p * x**2 + beta * x, x > 0),
                 (alpha_n * (sp.exp(eps) - 1 - x) + beta * x, x > eps),
                 (alpha_n * (sp.exp(x) - 1 - x) + beta * x, True)),
    r"\operatorname{xIELU}", "alpha_p x^2 + beta x if x > 0 else alpha_n (expm1(min(x, eps)) - x) + beta x",
    parameters=(
        Param("alpha_p", alpha_p, sp.Rational(4, 5), _POSITIVE, "learned; 0.8 at initialisation"),
        Param("alpha_n", alpha_n, sp.Rational(4, 5), _POSITIVE, "learned; 0.8 at initialisation"),
        Param("beta", beta, sp.S.Half, _POSITIVE, "fixed, 0.5"),
        Param("eps", eps, sp.Rational(-1, 10**6), sp.Interval.open(-sp.oo, 0), "fixed, -1e-6"),
    ),
    references=(HUANG_2024,),
    notes="Apertus' activation. Hugging Face stores the learned parameters through softplus: alpha_p = "
          "softplus(a_p), alpha_n = beta + softplus(a_n); the values here are alpha_p and alpha_n themselves. As "
          "written it is not continuous at 0: for eps < x <= 0 it tends to alpha_n expm1(eps) = -8.0e-7 as x -> 0-.",
))
