"""The model table (symact.models): widths from their published rules, every row's block and activation resolve,
the hidden widths of rows read from transformers' configuration defaults match the installed (pinned) classes,
and sizes agree with counts written out here."""

from __future__ import annotations

import importlib

import pytest

import symact
from symact.cli import main
from symact.errors import UnknownActivationError
from symact.models import MODELS, grok_ffn_size, model


@pytest.mark.parametrize("name", list(MODELS))
def test_row_resolves_and_its_rule_gives_its_width(name):
    m = MODELS[name]
    symact.blocks.get_block(m.block)
    try:
        symact.get(m.activation)
    except UnknownActivationError:
        symact.blocks.get_block(m.activation)  # a gated kernel (vllm:swigluoai_and_mul)
    if m.rule is not None:
        assert m.rule[1]() == m.hidden


CONFIGS = {  # row → (transformers module, config class, width attribute)
    "llama-2": ("llama", "LlamaConfig", "intermediate_size"),
    "qwen-3": ("qwen3_moe", "Qwen3MoeConfig", "moe_intermediate_size"),
    "deepseek-v3": ("deepseek_v3", "DeepseekV3Config", "moe_intermediate_size"),
    "deepseek-v4": ("deepseek_v4", "DeepseekV4Config", "moe_intermediate_size"),
    "gemma-2": ("gemma2", "Gemma2Config", "intermediate_size"),
    "mistral": ("mistral", "MistralConfig", "intermediate_size"),
    "mixtral": ("mixtral", "MixtralConfig", "intermediate_size"),
    "phi-3": ("phi3", "Phi3Config", "intermediate_size"),
    "gpt-oss": ("gpt_oss", "GptOssConfig", "intermediate_size"),
    "nemotron-4": ("nemotron", "NemotronConfig", "intermediate_size"),
    "olmo-2": ("olmo2", "Olmo2Config", "intermediate_size"),
    "apertus": ("apertus", "ApertusConfig", "intermediate_size"),
    "llama-4": ("llama4", "Llama4TextConfig", "intermediate_size"),
}


@pytest.mark.parametrize("name", sorted(CONFIGS))
def test_width_matches_the_pinned_transformers_configuration(name):
    pytest.importorskip("transformers")
    module, cls, attr = CONFIGS[name]
    config = getattr(importlib.import_module(f"transformers.models.{module}.configuration_{module}"), cls)()
    m = MODELS[name]
    assert (config.hidden_size, getattr(config, attr)) == (m.d_model, m.hidden)
    experts = getattr(config, "n_routed_experts", None) or getattr(config, "num_local_experts", None)
    if m.routed:
        assert (config.num_experts_per_tok, experts) == (m.routed, m.routed_total)


def test_sizes_written_out():
    assert MODELS["llama-2"].ffn_params() == 3 * 4096 * 11008  # gate, up, down; no biases
    gpt_oss = MODELS["gpt-oss"].sizes()
    assert gpt_oss["ffn_params"] == 3 * 2880 * 2880 + 2 * 2880 + 2880  # biased gate, up and down
    assert gpt_oss["flops_forward"] == 2 * 3 * 2880 * 2880 and gpt_oss["flops_backward"] == 4 * 3 * 2880 * 2880
    v3 = MODELS["deepseek-v3"].sizes()
    assert v3["experts_active"] == 9 and v3["total_params"] == 257 * 3 * 7168 * 2048
    assert MODELS["nemotron-4"].ffn_params() == 2 * 6144 * 24576  # not gated
    assert grok_ffn_size(6144, 8) == 32768


def test_cli_model_gpt_oss_shows_the_clamp_and_the_plus_one(capsys):
    assert main(["model", "gpt-oss"]) == 0
    out = capsys.readouterr().out
    assert "min(xW + b, 7)" in out and "(u + 1)" in out and "interleaved" in out and "24,891,840" in out


def test_cli_model_list_and_bad_name(capsys):
    assert main(["model", "--list"]) == 0
    assert "deepseek-v3" in capsys.readouterr().out
    assert main(["model", "lama-3"]) == 2
    assert "did you mean" in capsys.readouterr().err
    with pytest.raises(UnknownActivationError):
        model("nosuch")
