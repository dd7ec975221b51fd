"""The installed console script, run as a user runs it."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys

import pytest

import symact

EXE = shutil.which("symact")
CMD = [EXE] if EXE else [sys.executable, "-m", "symact"]


def run(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([*CMD, *args], capture_output=True, text=True, timeout=120)


def test_console_script_is_installed():
    assert EXE is not None, "pip install -e . must install the `symact` console script"


def test_show_gelu():
    out = run("show", "gelu")
    assert out.returncode == 0, out.stderr
    assert "gelu'(x) = x*phi(x) + Phi(x)" in out.stdout
    assert "limit_-oo        0" in out.stdout
    assert "series_0" in out.stdout and "x/2" in out.stdout


def test_show_json_and_latex():
    data = json.loads(run("show", "swish", "--json").stdout)
    assert data["limit_beta->0"] == "x/2"
    assert data["limit_beta->oo"] == "Piecewise((x, x > 0), (0, True))"
    latex = run("show", "gelu", "--latex").stdout
    assert r"x \Phi\left(x\right)" in latex


def test_show_with_parameter():
    out = run("show", "swish", "--param", "beta=2")
    assert out.returncode == 0 and "x*sigma(2*x)" in out.stdout


def test_list():
    out = run("list")
    assert out.returncode == 0
    assert [line.split()[0] for line in out.stdout.splitlines()] == symact.names()


@pytest.mark.parametrize(("args", "message"), [
    (("show", "gleu"), "did you mean 'gelu'"),
    (("show", "swish", "--param", "bta=2"), "did you mean 'beta'"),
    (("show", "swish", "--param", "beta=abc"), "is not a number"),
    (("show", "swish", "--param", "beta=-1"), "must lie in"),
    (("show", "swish", "--param", "beta"), "NAME=VALUE"),
])
def test_bad_input_is_one_line_without_traceback(args, message):
    out = run(*args)
    assert out.returncode != 0
    assert message in out.stderr and "Traceback" not in out.stderr
    assert len(out.stderr.strip().splitlines()) == 1


def test_help():
    for args in (("--help",), ("show", "--help"), ("list", "--help")):
        out = run(*args)
        assert out.returncode == 0 and "usage: symact" in out.stdout


def test_help_on_every_command():
    for command in ("list", "show", "check", "plot", "catalog", "export", "derivation"):
        out = run(command, "--help")
        assert out.returncode == 0 and f"usage: symact {command}" in out.stdout


@pytest.mark.parametrize(("claim", "code", "word"), [
    ("diff(gelu(x), x) == Phi(x) + x*phi(x)", 0, "PROVED"),
    ("diff(gelu(x), x) == Phi(x)", 1, "DISPROVED"),
    ("gelu_tanh(x) ~ gelu(x)", 0, "PROVED"),
    ("limit(LambertW(x), x, -oo) == 0", 3, "UNDECIDED"),
])
def test_check_verdicts_and_exit_codes(claim, code, word):
    out = run("check", claim)
    assert out.returncode == code, out.stderr
    assert out.stdout.startswith(word)


def test_check_json_and_options():
    data = json.loads(run("check", "quick_gelu(x) ~ gelu(x)", "--tol", "0.05", "--json").stdout)
    assert data["verdict"] == "PROVED" and float(data["max_error"]) < 0.05
    out = run("check", "silu(x) ~ relu(x)", "--interval", "8,12")
    assert out.returncode == 0


def test_plot_and_export(tmp_path):
    png = tmp_path / "cmp.png"
    out = run("plot", "gelu", "relu", "swish", "swish:beta=0.5", "swiglu", "--derivative", "-o", str(png))
    assert out.returncode == 0 and png.read_bytes()[:4] == b"\x89PNG"
    code = run("export", "gelu", "--to", "numpy").stdout
    assert code.startswith('"""gelu(x) = ') and "def gelu(x):" in code and "_k.x_ncdf(x" in code


@pytest.mark.parametrize(("args", "message"), [
    (("check", "gelu(x)"), "needs '=='"),
    (("check", "__import__('os') == 1"), "unknown function '__import__'"),
    (("check", "gelu(x) ~ silu(x)", "--interval", "5"), "--interval takes A,B"),
    (("plot", "nope", "-o", "/tmp/x.png"), "unknown activation or block"),
    (("plot", "gelu", "-o", "/nonexistent-dir/x.png"), "No such file or directory"),
    (("export", "gelux"), "did you mean 'gelu'"),
    (("export", "swish", "--param", "beta=-2"), "must lie in"),
    (("derivation", "nope"), "unknown derivation"),
])
def test_more_bad_input(args, message):
    out = run(*args)
    assert out.returncode != 0
    assert message in out.stderr and "Traceback" not in out.stderr
