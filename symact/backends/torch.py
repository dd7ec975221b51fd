"""The PyTorch backend: a generated module of torch code, differentiable through ``torch.autograd.Function``."""

from __future__ import annotations

from typing import Any

import sympy as sp

from .base import register_backend
from .generated import DD_CALLS, GeneratedBackend, forms


class TorchBackend(GeneratedBackend):
    """Torch tensors on any device; the gradient is our next derivative, lowered like the value."""

    name = "torch"
    label = "PyTorch"
    requires = "torch"
    install = "pip install -e '.[torch]' (torch==2.13.0)"
    module = "torch"
    imports = ("import math", "", "import torch")
    functions = {"expit": "torch.sigmoid", "erfc_stable": "torch.special.erfc", "erf": "torch.special.erf",
             "log1p": "torch.log1p", "expm1": "torch.expm1",
             "hypot": "torch.hypot(_t({0}), _t({1}))",
             "expit_softplus_pow":
                 "torch.where({0} < -37, torch.exp(({1} + {2}) * {0}), "
                 "torch.sigmoid({0}) ** {1} * torch.logaddexp(torch.zeros_like({0}), {0}) ** {2})",
             "softplus_stable": "torch.logaddexp(torch.zeros_like({0}), {0})",
             "maximum": "torch.maximum(_t({0}), _t({1}))",
             "minimum": "torch.minimum(_t({0}), _t({1}))",
             "where": "torch.where({0}, _t({1}), _t({2}))",
             **forms("torch.sigmoid", "torch.clamp", "torch.logaddexp(torch.zeros_like({0}), {0})", "torch.tanh",
                   "torch.expm1", "torch.hypot(_t({0}), _t({1}))"),
             **DD_CALLS}
    namespace = ("exp, abs, where, isfinite = torch.exp, torch.abs, torch.where, torch.isfinite",
             "erfc, erfcx, expit = torch.special.erfc, torch.special.erfcx, torch.sigmoid",
             "",
             "@staticmethod",
             "def finite_or_zero(e):",
             "    return torch.where(torch.isfinite(e), e, 0.0)",
             "",
             "@staticmethod",
             "def one_where_nonneg(h, t):",
             "    return torch.where(h >= 0, 1.0, t)")
    prologue = ("dtype = x.dtype", "x = x.to(torch.float64)",
             "def _t(v):  # constants on x's device: a CPU tensor next to a CUDA one is an error",
             "    return torch.as_tensor(v, dtype=x.dtype, device=x.device)",
             "if True:")
    epilogue = ("    out = torch.broadcast_to(torch.as_tensor(out, dtype=torch.float64, device=x.device), x.shape)",
             "    tail = torch.isnan(out) & (torch.abs(x) >= 1e8)",
             "    out = torch.where(tail, torch.where(x < 0, {tail_lo}, {tail_hi}), out)",
             "    out = torch.where(x == math.inf, {hi}, torch.where(x == -math.inf, {lo}, out))",
             "    out = torch.where(torch.isnan(x), math.nan, out)",
             "return out.to(dtype)")
    extra = "Elementwise on a torch tensor; differentiable (autograd); float32 is computed in float64."
    table_namespace = ("@staticmethod", "def minimum(a, b):", "    return torch.clamp(a, max=b)", "",
                       "@staticmethod", "def index(v, top):",
                       "    return torch.nan_to_num(v, nan=0.0).clamp(0, top).long()")
    table_array = "torch.tensor({0}, dtype=torch.float64, device=device)"
    device = "u.device"

    def print_piecewise(self, printer: Any, expr: sp.Piecewise) -> str:
        # torch has no select: nest where(), last branch innermost
        out = None
        for value, cond in reversed(expr.args):
            v = printer._print(value)
            v = f"_t({v})" if not value.has(sp.Symbol) else v
            out = v if out is None or cond == sp.true else f"torch.where({printer._print(cond)}, {v}, {out})"
        return out or "0"

    def wrappers(self, names: list[str], impl: list[str], exprs: list[sp.Expr]) -> list[str]:
        lines: list[str] = []
        for k in (1, 0):  # the derivative's wrapper first: the value's gradient calls it
            grad_call = names[k + 1] if k == 0 else impl[k + 1]
            lines += [
                f"class _{names[k]}_autograd(torch.autograd.Function):",
                f'    """d/dx of this is {sp.sstr(exprs[k + 1])}, evaluated in its own stable form."""',
                "",
                "    @staticmethod",
                "    def forward(ctx, x):",
                "        ctx.save_for_backward(x)",
                f"        return {impl[k]}(x)",
                "",
                "    @staticmethod",
                "    def backward(ctx, grad):",
                "        (x,) = ctx.saved_tensors",
                f"        return grad * {grad_call}(x)",
                "",
                "",
                f"def {names[k]}(x):",
                f'    """{self.extra}"""',
                f"    return _{names[k]}_autograd.apply(x)",
                "",
                "",
            ]
        return lines


TORCH = register_backend(TorchBackend())

__all__ = ["TORCH", "TorchBackend"]
