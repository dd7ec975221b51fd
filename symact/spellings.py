"""Framework spellings: what ``torch:gelu``, ``jax:gelu`` or ``hf:gelu_fast`` compute, as data.

One :class:`Framework` table per framework, each with the version its entries were read from. A
:class:`Spelling` names the symact definition it means, and — where the framework's float64 value formula
differs from the paper's — the constants as the framework stores them (κ as the double nearest 0.044715,
gelu_fast's truncated √(2/π)) or a formula of its own (torch's softplus switches to x above ``threshold``).
Backward quirks and table-based kernels are convention notes, not formulas.

A qualified name ``framework:name`` or ``framework:name(option=value, ...)`` resolves to an
:class:`~symact.registry.Activation` (or a block) named by it, so it works wherever a name does.
"""

from __future__ import annotations

import difflib
import math
import re
import struct
from dataclasses import dataclass, field, replace
from functools import lru_cache
from typing import Any

import sympy as sp

from . import registry
from .blocks.model import Block, Layout, get_block
from .errors import UnknownActivationError
from .functions import Phi, sigma, softplus
from .registry import Activation, Param
from .symbols import beta, x


def double(v: float) -> sp.Rational:
    """The double ``v`` exactly, as the framework stores the decimal it was written as."""
    return sp.Rational(v)


def single(v: float) -> sp.Rational:
    """The float32 nearest ``v`` exactly (ggml writes its constants as ``0.044715f``): packing rounds to nearest."""
    return sp.Rational(struct.unpack("f", struct.pack("f", v))[0])


# the frameworks' constants, as stored
KAPPA = double(0.044715)
SQRT_2_OVER_PI = double(math.sqrt(2 / math.pi))  # math.sqrt(2/π) = M_SQRT2·M_2_SQRTPI·0.5 = np.sqrt(2/π) here
TRUNCATED_SQRT_2_OVER_PI = double(0.7978845608)
TORCH_SELU = {"lambda": double(1.0507009873554804934193349852946), "alpha": double(1.6732632423543772848170429916717)}

_threshold = sp.Symbol("threshold", positive=True)
_THRESHOLD = Param("threshold", _threshold, sp.Integer(20), sp.Interval.open(0, sp.oo),
                   "PyTorch's softplus returns x where beta x > threshold")


def _tanh_form(c: sp.Expr, k: sp.Expr) -> sp.Expr:
    return x / 2 * (1 + sp.tanh(c * (x + k * x**3)))


def _fast_form(c: sp.Expr, k: sp.Expr) -> sp.Expr:
    return x / 2 * (1 + sp.tanh(x * c * (1 + k * x**2)))


@dataclass(frozen=True)
class Spelling:
    """One way a framework writes a definition.

    ``name`` is the framework's name, ``options`` the non-numeric options this spelling fixes (merged over the
    framework's defaults for ``name``); ``means`` is a symact activation or block; ``fixed`` are parameters
    the framework hard-codes (exact values of its stored doubles); ``expr`` replaces the formula where the
    framework computes another one; ``numeric`` maps the framework's numeric options to parameter names.
    """

    name: str
    means: str
    call: str
    options: tuple[tuple[str, str], ...] = ()
    fixed: tuple[tuple[str, sp.Expr], ...] = ()
    expr: sp.Expr | None = None
    extra: tuple[Param, ...] = ()
    numeric: tuple[tuple[str, str], ...] = ()
    layout: Layout | None = None
    notes: str = ""


def _written(name: str, options: dict[str, str]) -> str:
    def value(v: str) -> str:
        try:
            float(v)
            return v
        except ValueError:
            return v if v in ("True", "False", "None") else repr(v)

    return f"{name}({', '.join(f'{k}={value(v)}' for k, v in options.items())})" if options else name


@dataclass(frozen=True)
class Framework:
    key: str
    label: str
    version: str
    source: str
    spellings: tuple[Spelling, ...]
    defaults: dict[str, dict[str, str]] = field(default_factory=dict)
    """Framework function name → its default options: ``torch:gelu`` is ``torch:gelu(approximate='none')``."""
    not_pointwise: dict[str, str] = field(default_factory=dict)
    """Names in the framework's activation namespace that are not pointwise activations, with the reason."""

    def find(self, name: str, options: dict[str, str]) -> Spelling | None:
        merged = {**self.defaults.get(name, {}), **options}
        for s in self.spellings:
            if s.name == name and {**self.defaults.get(name, {}), **dict(s.options)} == merged:
                return s
        return None

    def written(self, s: Spelling, values: dict[str, str] | None = None) -> str:
        """``prefix:name(options)`` with the options that differ from the framework's defaults: ``jax:gelu`` is
        the tanh form, ``jax:gelu(approximate=False)`` the erf form."""
        defaults = self.defaults.get(s.name, {})
        options = {k: v for k, v in s.options if defaults.get(k) != v}
        return f"{self.key}:{_written(s.name, {**options, **(values or {})})}"

    def names(self) -> list[str]:
        return sorted({self.written(s) for s in self.spellings})


def S(name: str, means: str, call: str, **kw: Any) -> Spelling:
    for k in ("options", "fixed", "numeric"):
        if k in kw:
            kw[k] = tuple(kw[k].items())
    return Spelling(name, means, call, **kw)


_F = "torch.nn.functional"
TORCH = Framework(
    "torch", "PyTorch", "2.13.0", "torch/nn/functional.py and aten/src/ATen/native (GELU, Softplus kernels)",
    (
        S("relu", "relu", f"{_F}.relu(x)", notes="ReLU'(0) = 0."),
        S("relu6", "relu6", f"{_F}.relu6(x)"),
        S("elu", "elu", f"{_F}.elu(x, alpha=1.0)", numeric={"alpha": "alpha"}),
        S("selu", "selu", f"{_F}.selu(x)", fixed=TORCH_SELU,
          notes="λ and α as the doubles of the paper's 32-digit decimals (ATen's SELU constants)."),
        S("celu", "celu", f"{_F}.celu(x, alpha=1.0)", numeric={"alpha": "alpha"}),
        S("gelu", "gelu", f"{_F}.gelu(x)", options={"approximate": "none"},
          notes="approximate='none' is the default: x/2·(1 + erf(x/√2))."),
        S("gelu", "gelu_tanh", f"{_F}.gelu(x, approximate='tanh')", options={"approximate": "tanh"},
          expr=_tanh_form(SQRT_2_OVER_PI, KAPPA),
          notes="kBeta = M_SQRT2·M_2_SQRTPI·0.5 and kKappa = 0.044715 as doubles."),
        S("silu", "silu", f"{_F}.silu(x)"),
        S("mish", "mish", f"{_F}.mish(x)"),
        S("hardswish", "hard_swish", f"{_F}.hardswish(x)"),
        S("hardsigmoid", "hard_sigmoid", f"{_F}.hardsigmoid(x)",
          notes="Backward returns 1/6 rounded to float32 (0.1666666716337204) even in float64: a gradient quirk, "
                "not the value formula."),
        S("hardtanh", "hardtanh", f"{_F}.hardtanh(x, min_val=-1.0, max_val=1.0)"),
        S("leaky_relu", "leaky_relu", f"{_F}.leaky_relu(x, negative_slope=0.01)",
          fixed={"negative_slope": double(0.01)}, numeric={"negative_slope": "negative_slope"}),
        S("logsigmoid", "log_sigmoid", f"{_F}.logsigmoid(x)"),
        S("softplus", "softplus", f"{_F}.softplus(x, beta=1.0, threshold=20.0)",
          expr=sp.Piecewise((x, beta * x > _threshold), (softplus(beta * x) / beta, True)), extra=(_THRESHOLD,),
          numeric={"beta": "beta", "threshold": "threshold"},
          notes="Linear where beta·x > threshold (20): a jump of up to ~2e-9 relative at x = 20 (log1p(e^20) "
                "= 20 + 2.06e-9)."),
        S("softsign", "softsign", f"{_F}.softsign(x)"),
        S("tanhshrink", "tanhshrink", f"{_F}.tanhshrink(x)"),
        S("softshrink", "softshrink", f"{_F}.softshrink(x, lambd=0.5)", numeric={"lambd": "lambd"}),
        S("hardshrink", "hardshrink", f"{_F}.hardshrink(x, lambd=0.5)", numeric={"lambd": "lambd"}),
        S("threshold", "threshold", f"{_F}.threshold(x, threshold=0.0, value=0.0)",
          numeric={"threshold": "threshold", "value": "value"},
          notes="No defaults in PyTorch; symact's are 0 and 0 (ReLU)."),
        S("rrelu", "rrelu", f"{_F}.rrelu(x, training=False)", options={"training": "False"},
          notes="Eval mode: slope (lower + upper)/2 = (1/8 + 1/3)/2; in training the slope is random."),
        S("prelu", "prelu", "torch.nn.PReLU()(x)", numeric={"weight": "weight"},
          notes="nn.PReLU initialises its learned slope to 0.25."),
        S("sigmoid", "sigmoid", "torch.sigmoid(x)"),
        S("tanh", "tanh", "torch.tanh(x)"),
        S("identity", "identity", "torch.nn.Identity()(x)"),
        S("glu", "glu", f"{_F}.glu(x, dim=-1)", layout=Layout("halves", True, "F.glu: first half * sigmoid(second)"),
          notes="A block: the input's last dimension split in halves, first ⊗ σ(second)."),
    ),
    defaults={"gelu": {"approximate": "none"}, "rrelu": {"training": "False"}},
    not_pointwise={"GLU": "a gated block (torch:glu)", "MultiheadAttention": "attention",
                   "Softmax": "normalises over a dimension", "Softmin": "normalises over a dimension",
                   "Softmax2d": "normalises over channels", "LogSoftmax": "normalises over a dimension"},
)

JAX = Framework(
    "jax", "JAX", "0.10.2", "jax/_src/nn/functions.py",
    (
        S("relu", "relu", "jax.nn.relu(x)", notes="A custom JVP makes ReLU'(0) = 0."),
        S("relu6", "relu6", "jax.nn.relu6(x)"),
        S("elu", "elu", "jax.nn.elu(x, alpha=1.0)", numeric={"alpha": "alpha"}),
        S("selu", "selu", "jax.nn.selu(x)", fixed=TORCH_SELU),
        S("celu", "celu", "jax.nn.celu(x, alpha=1.0)", numeric={"alpha": "alpha"}),
        S("gelu", "gelu_tanh", "jax.nn.gelu(x)", options={"approximate": "True"},
          expr=_tanh_form(SQRT_2_OVER_PI, KAPPA),
          notes="approximate=True is the default: the tanh form (np.sqrt(2/np.pi) and 0.044715 as doubles), "
                "unlike PyTorch's and Keras' default."),
        S("gelu", "gelu", "jax.nn.gelu(x, approximate=False)", options={"approximate": "False"},
          notes="Computed as x/2·erfc(−x/√2): the same function as PyTorch's erf form."),
        S("silu", "silu", "jax.nn.silu(x)"),
        S("swish", "silu", "jax.nn.swish(x)", notes="An alias of jax.nn.silu (no beta)."),
        S("mish", "mish", "jax.nn.mish(x)"),
        S("hard_swish", "hard_swish", "jax.nn.hard_swish(x)"),
        S("hard_silu", "hard_swish", "jax.nn.hard_silu(x)"),
        S("hard_sigmoid", "hard_sigmoid", "jax.nn.hard_sigmoid(x)"),
        S("hard_tanh", "hardtanh", "jax.nn.hard_tanh(x)"),
        S("leaky_relu", "leaky_relu", "jax.nn.leaky_relu(x, negative_slope=0.01)",
          fixed={"negative_slope": double(0.01)}, numeric={"negative_slope": "negative_slope"}),
        S("log_sigmoid", "log_sigmoid", "jax.nn.log_sigmoid(x)"),
        S("softplus", "softplus", "jax.nn.softplus(x)", fixed={"beta": sp.S.One},
          notes="jnp.logaddexp(x, 0): exact, no threshold."),
        S("soft_sign", "softsign", "jax.nn.soft_sign(x)"),
        S("squareplus", "squareplus", "jax.nn.squareplus(x, b=4)", numeric={"b": "b"}),
        S("sparse_plus", "sparse_plus", "jax.nn.sparse_plus(x)"),
        S("sparse_sigmoid", "sparse_sigmoid", "jax.nn.sparse_sigmoid(x)"),
        S("sigmoid", "sigmoid", "jax.nn.sigmoid(x)"),
        S("tanh", "tanh", "jax.nn.tanh(x)"),
        S("identity", "identity", "jax.nn.identity(x)"),
        S("glu", "glu", "jax.nn.glu(x, axis=-1)", layout=Layout("halves", True, "jax.nn.glu: first * sigmoid(second)"),
          notes="A block: the input split in halves along axis, first ⊗ σ(second)."),
    ),
    defaults={"gelu": {"approximate": "True"}},
    not_pointwise={"glu": "a gated block (jax:glu)", "softmax": "normalises over an axis",
                   "log_softmax": "normalises over an axis", "logsumexp": "a reduction", "logmeanexp": "a reduction",
                   "standardize": "normalises over an axis", "one_hot": "an encoding",
                   "dot_product_attention": "attention", "scaled_dot_general": "a matrix product",
                   "scaled_matmul": "a matrix product", "get_scaled_dot_general_config": "a configuration helper",
                   "initializers": "a module", "log1mexp": "pointwise, but a numerical helper log(1 − e^−x), "
                                                         "not an activation"},
)

HF = Framework(
    "hf", "Hugging Face transformers", "5.24.0", "src/transformers/activations.py (ACT2CLS)",
    (
        S("gelu", "gelu", "ACT2FN['gelu'] (GELUActivation: F.gelu)"),
        S("gelu_python", "gelu", "ACT2FN['gelu_python'] (x/2·(1 + torch.erf(x/math.sqrt(2.0))))",
          expr=x * Phi(sp.sqrt(2) * x / double(math.sqrt(2.0))),
          notes="Divides by math.sqrt(2.0), a double: up to ~400 ulp from the exact erf form in the left tail."),
        S("gelu_new", "gelu_tanh", "ACT2FN['gelu_new'] (NewGELUActivation)", expr=_tanh_form(SQRT_2_OVER_PI, KAPPA),
          notes="math.sqrt(2.0/math.pi) and 0.044715 as doubles; GPT-2 and BERT-era models."),
        S("gelu_accurate", "gelu_tanh", "ACT2FN['gelu_accurate'] (AccurateGELUActivation)",
          expr=_tanh_form(SQRT_2_OVER_PI, KAPPA),
          notes="Despite the name, the tanh form (MEGA); not the exact erf GELU."),
        S("gelu_python_tanh", "gelu_tanh", "ACT2FN['gelu_python_tanh'] (GELUTanh, Python)",
          expr=_tanh_form(SQRT_2_OVER_PI, KAPPA)),
        S("gelu_pytorch_tanh", "gelu_tanh", "ACT2FN['gelu_pytorch_tanh'] (F.gelu(approximate='tanh'))",
          expr=_tanh_form(SQRT_2_OVER_PI, KAPPA), notes="Gemma's activation: PyTorch's tanh kernel."),
        S("gelu_fast", "gelu_fast", "ACT2FN['gelu_fast'] (FastGELUActivation)",
          expr=_fast_form(TRUNCATED_SQRT_2_OVER_PI, KAPPA),
          notes="√(2/π) truncated to 0.7978845608: 1.4e-11 below the true constant."),
        S("gelu_10", "gelu_10", "ACT2FN['gelu_10'] (ClippedGELUActivation(-10, 10))"),
        S("quick_gelu", "quick_gelu", "ACT2FN['quick_gelu'] (x·torch.sigmoid(1.702x))",
          expr=x * sigma(double(1.702) * x), notes="1.702 as a double."),
        S("laplace", "laplace", "ACT2FN['laplace'] (LaplaceActivation, mu=0.707107, sigma=0.282095)",
          expr=Phi(sp.sqrt(2) * (x - double(0.707107)) / double(0.282095 * math.sqrt(2.0))),
          notes="(x − mu)/(sigma·math.sqrt(2.0)) with sigma·√2 rounded once; MEGA's attention activation."),
        S("leaky_relu", "leaky_relu", "ACT2FN['leaky_relu'] (nn.LeakyReLU())", fixed={"negative_slope": double(0.01)}),
        S("relu", "relu", "ACT2FN['relu']"),
        S("relu2", "relu_squared", "ACT2FN['relu2'] (ReLUSquaredActivation)"),
        S("relu6", "relu6", "ACT2FN['relu6'] (nn.ReLU6)"),
        S("prelu", "prelu", "ACT2FN['prelu'] (nn.PReLU(), slope 0.25 at initialisation)"),
        S("sigmoid", "sigmoid", "ACT2FN['sigmoid']"),
        S("tanh", "tanh", "ACT2FN['tanh']"),
        S("silu", "silu", "ACT2FN['silu']"),
        S("swish", "silu", "ACT2FN['swish'] (nn.SiLU)", notes="SiLU: no beta."),
        S("mish", "mish", "ACT2FN['mish']"),
        S("hardswish", "hard_swish", "ACT2FN['hardswish'] (nn.Hardswish)"),
        S("linear", "identity", "ACT2FN['linear']"),
        S("sqrtsoftplus", "sqrt_softplus", "ACT2FN['sqrtsoftplus'] (F.softplus(x).sqrt())",
          expr=sp.sqrt(sp.Piecewise((x, x > 20), (softplus(x), True))),
          notes="F.softplus's threshold: √x where x > 20 (a jump of ~2e-9/√20 relative)."),
        S("xielu", "xielu", "ACT2FN['xielu'] (XIELUActivation, Python path)",
          fixed={"alpha_p": sp.Rational(0.80078125), "alpha_n": sp.Rational(0.80078125), "beta": sp.S.Half,
                 "eps": sp.Rational(-9.98377799987793e-07)},
          notes="Learned parameters stored through softplus in bfloat16 (the default dtype): alpha_p = "
                "softplus(a_p), alpha_n = beta + softplus(a_n), initialised so that alpha_p = alpha_n = 0.8, which "
                "bfloat16 stores as 0.80078125; eps = -1e-6 in bfloat16 is -9.98377799987793e-07."),
    ),
)

KERAS = Framework(
    "keras", "Keras", "3 (keras-team/keras main, 2026)", "keras/src/activations/activations.py",
    (
        S("relu", "relu", "keras.activations.relu(x)"),
        S("relu6", "relu6", "keras.activations.relu6(x)"),
        S("leaky_relu", "leaky_relu", "keras.activations.leaky_relu(x, negative_slope=0.2)",
          fixed={"negative_slope": double(0.2)}, numeric={"negative_slope": "negative_slope"},
          notes="Keras' default slope is 0.2, PyTorch's and JAX's 0.01."),
        S("elu", "elu", "keras.activations.elu(x, alpha=1.0)", numeric={"alpha": "alpha"}),
        S("selu", "selu", "keras.activations.selu(x)", fixed=TORCH_SELU),
        S("celu", "celu", "keras.activations.celu(x, alpha=1.0)", numeric={"alpha": "alpha"}),
        S("gelu", "gelu", "keras.activations.gelu(x)", options={"approximate": "False"},
          notes="approximate=False is the default (unlike jax.nn.gelu)."),
        S("gelu", "gelu_tanh", "keras.activations.gelu(x, approximate=True)", options={"approximate": "True"},
          expr=_tanh_form(SQRT_2_OVER_PI, KAPPA)),
        S("silu", "silu", "keras.activations.silu(x)"),
        S("swish", "silu", "keras.activations.swish(x)"),
        S("mish", "mish", "keras.activations.mish(x)"),
        S("hard_silu", "hard_swish", "keras.activations.hard_silu(x)"),
        S("hard_swish", "hard_swish", "keras.activations.hard_swish(x)"),
        S("hard_sigmoid", "hard_sigmoid", "keras.activations.hard_sigmoid(x)", notes="Keras 3: relu6(x + 3)/6."),
        S("softplus", "softplus", "keras.activations.softplus(x)", fixed={"beta": sp.S.One}),
        S("softsign", "softsign", "keras.activations.softsign(x)"),
        S("sigmoid", "sigmoid", "keras.activations.sigmoid(x)"),
        S("tanh", "tanh", "keras.activations.tanh(x)"),
        S("linear", "identity", "keras.activations.linear(x)"),
        S("log_sigmoid", "log_sigmoid", "keras.activations.log_sigmoid(x)"),
        S("squareplus", "squareplus", "keras.activations.squareplus(x, b=4)", numeric={"b": "b"}),
        S("sparse_plus", "sparse_plus", "keras.activations.sparse_plus(x)"),
    ),
    defaults={"gelu": {"approximate": "False"}},
)

_V = "vllm/model_executor/layers/activation.py"
VLLM = Framework(
    "vllm", "vLLM", "main (vllm-project/vllm, 2026)", _V,
    (
        S("silu_and_mul", "swiglu_fused", "SiluAndMul: silu(x[..., :d]) * x[..., d:]",
          layout=Layout("halves", True, "vLLM SiluAndMul: first half through silu")),
        S("mul_and_silu", "swiglu_fused", "MulAndSilu: x[..., :d] * silu(x[..., d:])",
          layout=Layout("halves", False, "vLLM MulAndSilu: second half through silu"),
          notes="The gate is the second half: the opposite of silu_and_mul."),
        S("gelu_and_mul", "geglu", "GeluAndMul(approximate='none'): gelu(x[..., :d]) * x[..., d:]",
          layout=Layout("halves", True, "vLLM GeluAndMul: first half through gelu")),
        S("gelu_tanh_and_mul", "geglu_tanh", "GeluAndMul(approximate='tanh')",
          layout=Layout("halves", True, "vLLM GeluAndMul(tanh): first half through gelu_tanh")),
        S("swigluoai_and_mul", "swiglu_oai", "SwigluOAIAndMul(alpha=1.702, limit=7.0)",
          notes="gpt-oss: gate = x[..., ::2], up = x[..., 1::2] (interleaved), clamps, (up + 1)."),
        S("gelu_new", "gelu_tanh", "NewGELU", expr=_tanh_form(SQRT_2_OVER_PI, KAPPA)),
        S("gelu_fast", "gelu_fast", "FastGELU", expr=_fast_form(TRUNCATED_SQRT_2_OVER_PI, KAPPA)),
        S("gelu_pytorch_tanh", "gelu_tanh", "F.gelu(approximate='tanh')", expr=_tanh_form(SQRT_2_OVER_PI, KAPPA)),
        S("quick_gelu", "quick_gelu", "QuickGELU", expr=x * sigma(double(1.702) * x)),
        S("relu2", "relu_squared", "ReLUSquaredActivation"),
    ),
)

GGML = Framework(
    "ggml", "ggml (llama.cpp)", "llama.cpp master (2026)", "ggml/src/ggml-cpu/vec.h, ggml-cuda/unary.cu",
    (
        S("gelu", "gelu_tanh", "ggml_gelu(ctx, a)",
          expr=_fast_form(single(math.sqrt(2 / math.pi)), single(0.044715)),
          notes="The tanh form in float32: SQRT_2_OVER_PI and GELU_COEF_A = 0.044715f as floats. The CPU backend "
                "reads a 65,536-entry float16 table (GGML_GELU_FP16) for float16 input: a kernel convention, not "
                "a formula."),
        S("gelu_erf", "gelu", "ggml_gelu_erf(ctx, a)"),
        S("gelu_quick", "quick_gelu", "ggml_gelu_quick(ctx, a)", expr=x * sigma(single(1.702) * x),
          notes="GELU_QUICK_COEF = -1.702f."),
        S("silu", "silu", "ggml_silu(ctx, a)"),
        S("relu", "relu", "ggml_relu(ctx, a)"),
        S("sigmoid", "sigmoid", "ggml_sigmoid(ctx, a)"),
        S("tanh", "tanh", "ggml_tanh(ctx, a)"),
        S("elu", "elu", "ggml_elu(ctx, a)", fixed={"alpha": sp.S.One}),
        S("hardswish", "hard_swish", "ggml_hardswish(ctx, a)"),
        S("hardsigmoid", "hard_sigmoid", "ggml_hardsigmoid(ctx, a)"),
        S("swiglu", "swiglu_fused", "ggml_swiglu(ctx, a)", layout=Layout("halves", True, "ggml_swiglu: silu(a0)*a1")),
        S("geglu", "geglu_tanh", "ggml_geglu(ctx, a)", layout=Layout("halves", True, "ggml_geglu: gelu(a0)*a1")),
        S("swiglu_oai", "swiglu_oai", "ggml_swiglu_oai(ctx, a, b, alpha=1.702, limit=7.0)"),
    ),
)

FRAMEWORKS: dict[str, Framework] = {f.key: f for f in (TORCH, JAX, HF, KERAS, VLLM, GGML)}
"""Prefix → table. ``transformers`` and ``pytorch`` are accepted for ``hf`` and ``torch``."""
PREFIX_ALIASES = {"transformers": "hf", "huggingface": "hf", "pytorch": "torch", "llama.cpp": "ggml",
                  "llamacpp": "ggml", "tf": "keras"}

_QUALIFIED = re.compile(r"^\s*([A-Za-z][\w.]*)\s*:\s*([A-Za-z_]\w*)\s*(?:\((.*)\))?\s*$", re.S)
_OPTION = re.compile(r"^\s*([A-Za-z_]\w*)\s*=\s*(.+?)\s*$")


@dataclass(frozen=True)
class Resolved:
    """A qualified name resolved: the framework, its spelling, and the definition it computes."""

    framework: Framework
    spelling: Spelling
    definition: Activation | Block
    qualified: str


def _option_value(v: str) -> str:
    v = v.strip()
    if len(v) >= 2 and v[0] == v[-1] and v[0] in "'\"":
        v = v[1:-1]
    return {"true": "True", "false": "False"}.get(v.lower(), v)


def parse(name: str) -> tuple[str, str, dict[str, str]]:
    """``"torch:gelu(approximate='tanh')"`` → ``("torch", "gelu", {"approximate": "tanh"})``."""
    m = _QUALIFIED.match(name)
    if not m:
        raise UnknownActivationError(
            f"cannot read {name!r} as framework:name, e.g. torch:gelu or torch:gelu(approximate='tanh')")
    prefix, fname, opts = m.group(1).lower(), m.group(2).lower(), m.group(3)
    options: dict[str, str] = {}
    for part in (opts or "").split(","):
        if not part.strip():
            continue
        om = _OPTION.match(part)
        if not om:
            raise UnknownActivationError(f"{name!r}: options are written key=value, got {part.strip()!r}")
        options[om.group(1)] = _option_value(om.group(2))
    return PREFIX_ALIASES.get(prefix, prefix), fname, options


def framework(prefix: str) -> Framework:
    key = PREFIX_ALIASES.get(prefix.lower(), prefix.lower())
    if key not in FRAMEWORKS:
        close = difflib.get_close_matches(key, [*FRAMEWORKS, *PREFIX_ALIASES], n=1, cutoff=0.5)
        hint = f" (did you mean {close[0]!r}?)" if close else ""
        raise UnknownActivationError(
            f"unknown framework prefix {prefix!r}{hint}; known: {', '.join(sorted(FRAMEWORKS))}")
    return FRAMEWORKS[key]


@lru_cache(maxsize=512)
def resolve(name: str) -> Resolved:
    """The definition ``framework:name(options)`` computes; numeric options set parameter values."""
    prefix, fname, options = parse(name)
    fw = framework(prefix)
    candidates = [s for s in fw.spellings if s.name == fname]
    if not candidates:
        close = difflib.get_close_matches(fname, sorted({s.name for s in fw.spellings}), n=1, cutoff=0.5)
        hint = f"did you mean {prefix}:{close[0]}? " if close else ""
        raise UnknownActivationError(
            f"{fw.label} {fw.version} has no activation {fname!r} in symact's table: {hint}"
            f"known: {', '.join(fw.names())}")
    numeric_names = {k for s in candidates for k, _ in s.numeric}
    values = {k: v for k, v in options.items() if k in numeric_names}
    spelling = fw.find(fname, {k: v for k, v in options.items() if k not in numeric_names})
    if spelling is None:
        known = ", ".join(fw.written(s) for s in candidates)
        raise UnknownActivationError(f"{prefix}:{fname} has no variant with options {options}: known {known}")
    qualified = fw.written(spelling, values)
    definition = _definition(fw, spelling, values, qualified)
    return Resolved(fw, spelling, definition, qualified)


def _definition(fw: Framework, s: Spelling, values: dict[str, str], qualified: str) -> Activation | Block:
    note = f"{fw.label} {fw.version}: {s.call}." + (f" {s.notes}" if s.notes else "")
    if s.means in registry.REGISTRY or s.means in registry.ALIASES:
        base = registry.get(s.means)
        fixed = dict(s.fixed)
        symbols = {**{p.name: p.symbol for p in base.parameters}, **{p.name: p.symbol for p in s.extra}}
        expr = s.expr if s.expr is not None else base.expr
        expr = expr.xreplace({symbols[k]: v for k, v in fixed.items() if k in symbols})
        params = tuple(p for p in (*base.parameters, *s.extra) if p.name not in fixed and p.symbol in expr.free_symbols)
        act = Activation(qualified, expr, base.latex_name, s.call, params, (),
                         (*base.references, f"{fw.label} {fw.version}, {fw.source}"), note,
                         tuple((k, v) for k, v in fixed.items()))
        numeric = dict(s.numeric)
        if values:
            act = act.with_defaults(**{numeric[k]: sp.Rational(float(v)) for k, v in values.items()})
        return act
    block = get_block(s.means)
    layout = s.layout or block.layout
    return replace(block, name=qualified, notes=f"{note} {block.notes}".strip(), layout=layout, aliases=())


def which(name: str) -> Which:
    """Every framework spelling of the definition ``name`` means in symact, and every definition the bare name
    ``name`` means in the frameworks."""
    key = name.strip().lower()
    try:
        canonical: str | None = _canonical(key)
    except UnknownActivationError:
        canonical = None
    meanings = [(fw.written(s), s.means, s.call, s.notes) for fw in FRAMEWORKS.values()
                for s in fw.spellings if s.name == key]
    spellings = [(fw.written(s), s.means, s.call, s.notes) for fw in FRAMEWORKS.values()
                 for s in fw.spellings if canonical is not None and _canonical(s.means) == canonical]
    if canonical is None and not meanings:
        raise UnknownActivationError(f"{name!r} is neither a symact name nor any framework's spelling; "
                                     "see symact list and symact which --frameworks")
    return Which(key, canonical, tuple(meanings), tuple(spellings))


def _canonical(means: str) -> str:
    """The registered activation's or block's canonical name (raises for neither)."""
    try:
        return registry.get(means).name
    except UnknownActivationError:
        return get_block(means).name


@dataclass(frozen=True)
class Which:
    """The answer of :func:`which`: ``meanings`` are (qualified, definition, call, notes) rows where the bare
    name is spelled by a framework; ``spellings`` the rows that compute symact's definition ``canonical``."""

    name: str
    canonical: str | None
    meanings: tuple[tuple[str, str, str, str], ...]
    spellings: tuple[tuple[str, str, str, str], ...]

    @property
    def ambiguous(self) -> bool:
        return len({m[1] for m in self.meanings}) > 1


def _install() -> None:
    # registry.get and the blocks' lookup consult this for names with a ':' (no import upwards)
    registry.QUALIFIED_RESOLVER[:] = [lambda n: resolve(n).definition]


_install()

__all__ = ["FRAMEWORKS", "Framework", "Resolved", "Spelling", "Which", "double", "framework", "parse", "resolve",
           "single", "which"]
