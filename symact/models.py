"""The FFN of today's open models, as data: one row per model (one representative size, named), with its block,
its activation as the framework spells it, d_model, the hidden width and the rule that produces it, and the
configuration each row was read from. Sizes and FLOPs are computed from the block, never typed in.

FLOPs per token of one FFN: 2 per multiply-add of the matrix products (``2 × weights``), the elementwise work
(one activation and, for gated blocks, one product per hidden unit) counted separately; the backward pass of the
products costs 2× the forward (the gradients of the input and of the weights).
"""

from __future__ import annotations

import difflib
from collections.abc import Callable
from dataclasses import dataclass

from .blocks.model import get_block
from .blocks.sizes import llama_hidden_dim, param_count
from .errors import UnknownActivationError

_HF = "huggingface/transformers 5.24.0, src/transformers/models/{m}/configuration_{m}.py (defaults)"


def grok_ffn_size(emb_size: int, widening_factor: float) -> int:
    """xai-org/grok-1 model.py: int(widening_factor·d)·2//3, rounded up to a multiple of 8."""
    size = int(widening_factor * emb_size) * 2 // 3
    return size + (8 - size) % 8


@dataclass(frozen=True)
class Model:
    name: str
    size: str
    """Which model the numbers are for."""
    block: str
    activation: str
    """The activation (or gated kernel) as the framework spells it: a qualified symact name."""
    d_model: int
    hidden: int
    source: str
    rule: tuple[str, Callable[[], int]] | None = None
    """(description, width from the rule) where the hidden width follows a published rule."""
    bias: bool = False
    routed: int = 0
    """Routed experts active per token (0: dense)."""
    routed_total: int = 0
    shared: int = 0
    notes: str = ""

    @property
    def experts_active(self) -> int:
        return self.routed + self.shared if self.routed else 1

    def ffn_params(self) -> int:
        """Weights (and biases) of one FFN (one expert's for a mixture of experts)."""
        return int(param_count(self.block, self.d_model, self.hidden, bias=self.bias))

    def matmul_weights(self) -> int:
        return int(param_count(self.block, self.d_model, self.hidden, bias=False))

    def flops_forward(self) -> int:
        """Matrix-product FLOPs per token of one FFN (2 per multiply-add)."""
        return 2 * self.matmul_weights()

    def elementwise(self) -> int:
        """Elementwise operations per token of one FFN: an activation per hidden unit, and a product if gated."""
        return self.hidden * (2 if get_block(self.block).gated else 1)

    def sizes(self) -> dict[str, int]:
        one = self.ffn_params()
        out = {"d_model": self.d_model, "hidden": self.hidden, "ffn_params": one,
               "flops_forward": self.flops_forward(), "flops_backward": 2 * self.flops_forward(),
               "elementwise": self.elementwise()}
        if self.routed:
            out |= {"experts_active": self.experts_active, "active_params": self.experts_active * one,
                    "total_params": (self.routed_total + self.shared) * one,
                    "active_flops_forward": self.experts_active * self.flops_forward()}
        return out


_MODELS = (
    Model("llama-2", "Llama-2-7B", "swiglu", "hf:silu", 4096, 11008, _HF.format(m="llama"),
          ("LLaMA: int(2·4d/3) rounded up to multiple_of = 256", lambda: llama_hidden_dim(4096))),
    Model("llama-3", "Llama-3-8B", "swiglu", "hf:silu", 4096, 14336,
          "meta-llama/llama3 llama/model.py (multiple_of = 1024, ffn_dim_multiplier = 1.3 in params.json)",
          ("LLaMA: int(1.3·int(2·4d/3)) rounded up to multiple_of = 1024",
           lambda: llama_hidden_dim(4096, multiple_of=1024, ffn_dim_multiplier=1.3))),
    Model("llama-4", "Llama-4-Scout (MoE layers)", "swiglu_fused", "hf:silu", 5120, 8192, _HF.format(m="llama4"),
          routed=1, routed_total=16, shared=1,
          notes="Experts store gate_up_proj fused, gate = first half; one shared expert of the same width."),
    Model("qwen-2", "Qwen2 configuration default (d = 4096)", "swiglu", "hf:silu", 4096, 22016,
          _HF.format(m="qwen2")),
    Model("qwen-3", "Qwen3-30B-A3B (MoE; the Qwen3MoeConfig default)", "swiglu", "hf:silu", 2048, 768,
          _HF.format(m="qwen3_moe"), routed=8, routed_total=128),
    Model("deepseek-v3", "DeepSeek-V3 (671B; MoE layers)", "swiglu", "hf:silu", 7168, 2048,
          _HF.format(m="deepseek_v3"), routed=8, routed_total=256, shared=1),
    Model("deepseek-v4", "DeepSeek-V4 configuration default (MoE layers)", "swiglu_clamped", "hf:silu", 4096, 2048,
          _HF.format(m="deepseek_v4"), routed=6, routed_total=256, shared=1,
          notes="swiglu_limit = 10: silu(min(gate, 10))·clamp(up, −10, 10)."),
    Model("gemma-2", "Gemma-2-2B (the Gemma2Config default)", "geglu_tanh", "hf:gelu_pytorch_tanh", 2304, 9216,
          _HF.format(m="gemma2")),
    Model("gemma-3", "Gemma3TextConfig default (d = 2304)", "geglu_tanh", "hf:gelu_pytorch_tanh", 2304, 9216,
          _HF.format(m="gemma3")),
    Model("mistral", "Mistral-7B", "swiglu", "hf:silu", 4096, 14336, _HF.format(m="mistral")),
    Model("mixtral", "Mixtral-8x7B", "swiglu", "hf:silu", 4096, 14336, _HF.format(m="mixtral"),
          routed=2, routed_total=8),
    Model("phi-3", "Phi-3-mini", "swiglu_fused", "hf:silu", 3072, 8192, _HF.format(m="phi3"),
          notes="gate_up_proj fused: gate, up = chunk(2) (the first half is the gate)."),
    Model("gpt-oss", "gpt-oss-120b", "swiglu_oai", "vllm:swigluoai_and_mul", 2880, 2880, _HF.format(m="gpt_oss"),
          bias=True, routed=4, routed_total=128,
          notes="g = min(xW + b, 7), u = clamp(xV + c, −7, 7), out = g·σ(1.702g)·(u + 1); gate and up interleaved "
                "in gate_up_proj (even columns are the gate)."),
    Model("nemotron-4", "Nemotron-4-15B", "ffn_relu_squared", "hf:relu2", 6144, 24576, _HF.format(m="nemotron"),
          notes="Not gated: down(relu(up x)²)."),
    Model("olmo-2", "OLMo-2-7B", "swiglu", "hf:silu", 4096, 11008, _HF.format(m="olmo2")),
    Model("apertus", "Apertus-8B (the ApertusConfig default)", "ffn_xielu", "hf:xielu", 4096, 14336,
          _HF.format(m="apertus"), notes="Not gated: down(xielu(up x)), alpha_p and alpha_n learned per layer."),
    Model("grok-1", "Grok-1 (314B)", "geglu_tanh", "jax:gelu", 6144, 32768,
          "xai-org/grok-1 model.py (ffn_size, widening_factor = 8; 8 experts, 2 per token)",
          ("int(8·d)·2//3 rounded up to a multiple of 8", lambda: grok_ffn_size(6144, 8)), routed=2, routed_total=8,
          notes="jax.nn.gelu's default: the tanh form."),
    Model("t5-v1.1", "T5 v1.1 base", "geglu_tanh", "hf:gelu_new", 768, 2048,
          "google-research/text-to-text-transfer-transformer, T5.1.1 base (feed_forward_proj = 'gated-gelu')",
          notes="Gated GELU with the tanh form (gelu_new), no biases."),
    Model("gpt-2", "GPT-2 (124M)", "ffn_gelu_tanh", "hf:gelu_new", 768, 3072, _HF.format(m="gpt2"),
          ("n_inner = 4·n_embd", lambda: 4 * 768), bias=True),
    Model("bert", "BERT-base", "ffn_gelu", "hf:gelu", 768, 3072, _HF.format(m="bert"),
          ("intermediate = 4·hidden", lambda: 4 * 768), bias=True),
)
MODELS: dict[str, Model] = {m.name: m for m in _MODELS}
_ALIASES = {"llama2": "llama-2", "llama3": "llama-3", "llama4": "llama-4", "qwen2": "qwen-2", "qwen3": "qwen-3",
            "deepseek-v3": "deepseek-v3", "deepseekv3": "deepseek-v3", "deepseekv4": "deepseek-v4",
            "gemma2": "gemma-2", "gemma3": "gemma-3", "phi3": "phi-3", "gptoss": "gpt-oss",
            "gpt_oss": "gpt-oss", "nemotron": "nemotron-4", "olmo2": "olmo-2", "grok": "grok-1", "t5": "t5-v1.1",
            "gpt2": "gpt-2", "bert-base": "bert", "llama-2-7b": "llama-2"}


def model(name: str) -> Model:
    key = name.strip().lower().replace("_", "-")
    key = _ALIASES.get(key, _ALIASES.get(key.replace("-", ""), key))
    if key in MODELS:
        return MODELS[key]
    close = difflib.get_close_matches(key, [*MODELS, *_ALIASES], n=1, cutoff=0.5)
    hint = f"did you mean {close[0]!r}? " if close else ""
    raise UnknownActivationError(f"unknown model {name!r}: {hint}known: {', '.join(MODELS)}")


__all__ = ["MODELS", "Model", "grok_ffn_size", "model"]
