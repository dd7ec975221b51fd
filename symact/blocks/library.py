"""The registered blocks: one entry each (GLU … SwiGLU, today's LLM variants), nothing else."""

from __future__ import annotations

import sympy as sp

from ..functions import sigma
from ..symbols import x
from .model import DAUPHIN_2017, SHAZEER_2020, TOUVRON_2023, Block, Layout, clamp, clamp_above, ffn, register_block

GPT_OSS_2025 = ("OpenAI 2025, gpt-oss-120b & gpt-oss-20b Model Card (transformers: models/gpt_oss/modeling_gpt_oss.py, "
                "GptOssExperts._apply_gate: alpha = 1.702, limit = 7.0)")
DEEPSEEK_V4 = ("DeepSeek-V4 (transformers model code: SwiGLU with swiglu_limit = 10, "
               "silu(min(gate, L)) * clamp(up, -L, L))")
GEMMA_2024 = "Gemma Team 2024, Gemma: Open Models Based on Gemini Research and Technology (GeGLU, gelu_pytorch_tanh)"
NEMOTRON_2024 = "Nvidia 2024, Nemotron-4 15B Technical Report, arXiv:2402.16819 (squared ReLU, no gating)"

FFN_RELU = register_block(ffn("relu"))
FFN_GELU = register_block(ffn("gelu"))
FFN_SWISH = register_block(ffn("swish"))
FFN_GELU_TANH = register_block(ffn("gelu_tanh"))  # GPT-2's MLP (gelu_new)
GLU = register_block(Block(
    "glu", "identity", "sigmoid", r"\operatorname{GLU}", "(xW + b) * sigmoid(xV + c)", (DAUPHIN_2017, SHAZEER_2020),
    notes="Dauphin's order (gate on the second projection); Shazeer's eq. 4 gates the first.",
))
BILINEAR = register_block(Block(
    "bilinear", "identity", "identity", r"\operatorname{Bilinear}", "(xW + b) * (xV + c)", (SHAZEER_2020,),
))
REGLU = register_block(Block(
    "reglu", "relu", "identity", r"\operatorname{ReGLU}", "max(0, xW + b) * (xV + c)", (SHAZEER_2020,),
))
GEGLU = register_block(Block(
    "geglu", "gelu", "identity", r"\operatorname{GEGLU}", "GELU(xW + b) * (xV + c)", (SHAZEER_2020,),
))
SWIGLU = register_block(Block(
    "swiglu", "swish", "identity", r"\operatorname{SwiGLU}", "Swish_beta(xW + b) * (xV + c)",
    (SHAZEER_2020, TOUVRON_2023), aliases=("ffn_swiglu",),
    notes="LLaMA: w2(silu(w1 x) * w3 x), no biases, i.e. beta = 1 with W = w1, V = w3, W2 = w2.",
))

_L_OAI = 7
_G = clamp_above(x, _L_OAI)
SWIGLU_OAI = register_block(Block(
    "swiglu_oai", _G * sigma(sp.Rational("1.702") * _G), clamp(x, -_L_OAI, _L_OAI) + 1,
    r"\operatorname{SwiGLU}_{\text{oai}}", "g sigma(1.702 g) * (u + 1), g = min(xW + b, 7), u = clamp(xV + c, -7, 7)",
    (GPT_OSS_2025,), layout=Layout("interleaved", True, "gpt-oss: gate, up = gate_up[..., ::2], gate_up[..., 1::2]"),
    notes="gpt-oss's experts: the gate clamped above, the value clamped both ways and offset by 1; both "
          "projections biased. Clamps differentiate as torch.clamp does (the gradient passes at equality).",
))
_L_V4 = 10
_G4 = clamp_above(x, _L_V4)
SWIGLU_CLAMPED = register_block(Block(
    "swiglu_clamped", _G4 * sigma(_G4), clamp(x, -_L_V4, _L_V4), r"\operatorname{SwiGLU}_{L}",
    "silu(min(xW, 10)) * clamp(xV, -10, 10)", (DEEPSEEK_V4,),
    notes="DeepSeek-V4's clamped SwiGLU (swiglu_limit = 10; the model has no biases). Clamps differentiate as "
          "torch.clamp does (the gradient passes at equality).",
))
GEGLU_TANH = register_block(Block(
    "geglu_tanh", "gelu_tanh", "identity", r"\operatorname{GEGLU}_{\tanh}", "GELU_tanh(xW + b) * (xV + c)",
    (GEMMA_2024, SHAZEER_2020), layout=Layout("halves", True, "Gemma's gate_proj/up_proj; fused checkpoints: "
                                                                "gate, up = chunk(2)"),
    notes="Gemma 1/2/3: down(gelu_pytorch_tanh(gate x) * up x).",
))
REGLU_SQUARED = register_block(Block(
    "reglu_squared", "relu_squared", "identity", r"\operatorname{ReGLU}^2", "max(0, xW + b)^2 * (xV + c)",
    ("So et al. 2021, Primer, arXiv:2109.08668 (squared ReLU)", SHAZEER_2020),
))
FFN_RELU_SQUARED = register_block(Block(
    "ffn_relu_squared", "relu_squared", None, r"\operatorname{FFN}_{\operatorname{ReLU}^2}",
    "relu(xW1 + b1)^2 W2 + b2", (NEMOTRON_2024,), notes="Nemotron-4 / Nemotron-H: down(relu(up x)^2), not gated.",
))
FFN_XIELU = register_block(Block(
    "ffn_xielu", "xielu", None, r"\operatorname{FFN}_{\operatorname{xIELU}}", "xielu(xW1 + b1) W2 + b2",
    ("Huang & Schlag 2024, arXiv:2411.13010 (xIELU)", "Swiss AI 2025, Apertus (transformers: models/apertus)"),
    notes="Apertus: down(xielu(up x)), not gated; alpha_p, alpha_n learned per layer.",
))
SWIGLU_FUSED = register_block(Block(
    "swiglu_fused", "swish", "identity", r"\operatorname{SwiGLU}", "Swish_beta(xW + b) * (xV + c), W and V fused",
    (SHAZEER_2020,), layout=Layout("halves", True, "Phi-3 / Llama 4 experts: gate, up = gate_up_proj(x).chunk(2)"),
    notes="SwiGLU as Phi-3 and Llama 4's experts store it: one gate_up_proj whose first half is the gate.",
))

__all__ = ["BILINEAR", "FFN_GELU", "FFN_GELU_TANH", "FFN_RELU", "FFN_RELU_SQUARED", "FFN_SWISH", "FFN_XIELU",
           "GEGLU", "GEGLU_TANH", "GLU", "REGLU", "REGLU_SQUARED", "SWIGLU", "SWIGLU_CLAMPED", "SWIGLU_FUSED",
           "SWIGLU_OAI"]
