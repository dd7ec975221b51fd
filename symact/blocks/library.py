"""The registered blocks: one entry each (GLU … SwiGLU), nothing else."""

from __future__ import annotations

from .model import DAUPHIN_2017, SHAZEER_2020, TOUVRON_2023, Block, ffn, register_block

FFN_RELU = register_block(ffn("relu"))
FFN_GELU = register_block(ffn("gelu"))
FFN_SWISH = register_block(ffn("swish"))
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


__all__ = ["BILINEAR", "FFN_GELU", "FFN_RELU", "FFN_SWISH", "GEGLU", "GLU", "REGLU", "SWIGLU"]
