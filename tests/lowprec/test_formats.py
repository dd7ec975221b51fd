"""Formats: names, every input, the grid arithmetic — checked against ml_dtypes' and NumPy's own conversions and
the formats' definitions (IEEE 754 binary16, bfloat16, OCP FP8 E4M3FN/E5M2)."""

from __future__ import annotations

import ml_dtypes
import numpy as np
import pytest

from symact.errors import InvalidArgumentError, SymactError
from symact.lowprec.formats import (
    FORMATS,
    UnknownDTypeError,
    every_input,
    finish,
    get_format,
    round_float64,
    ulp_distance,
)

# finite values: 2^bits minus NaN and inf patterns (binary16: exponent all ones, 2·2^10; bfloat16: 2·2^7; E4M3FN:
# only S.1111.111 is NaN; E5M2: exponent all ones, 2·2^2)
FINITE = {"float16": 65536 - 2 * 1024, "bfloat16": 65536 - 2 * 128, "float8_e4m3fn": 256 - 2, "float8_e5m2": 256 - 8}


@pytest.mark.parametrize("name", list(FINITE))
def test_every_input_is_every_finite_value_once(name):
    values = every_input(get_format(name))
    assert values.size == FINITE[name]
    bits = values.view(np.uint16 if values.itemsize == 2 else np.uint8)
    assert np.unique(bits).size == values.size
    assert np.isfinite(values.astype(np.float64)).all()


@pytest.mark.parametrize("spelling, name", [("bf16", "bfloat16"), ("fp16", "float16"), ("half", "float16"),
                                            ("e4m3", "float8_e4m3fn"), ("torch.bfloat16", "bfloat16"),
                                            (np.float32, "float32"), (ml_dtypes.float8_e5m2, "float8_e5m2")])
def test_dtype_spellings(spelling, name):
    assert get_format(spelling).name == name


@pytest.mark.parametrize("bad", ["float64", "int8", "bfloat17", np.float64])
def test_unknown_dtype_names_the_choices(bad):
    with pytest.raises(UnknownDTypeError) as info:
        get_format(bad)
    assert isinstance(info.value, SymactError) and "bfloat16" in str(info.value)


def test_float32_cannot_be_listed():
    with pytest.raises(InvalidArgumentError, match="sample"):
        every_input(get_format("float32"))


@pytest.mark.parametrize("name", list(FORMATS))
def test_rounding_a_double_agrees_with_the_libraries_conversion(name):
    """ml_dtypes and NumPy convert a float64 to the format with one rounding (ties to even): ours must agree on
    random doubles, midpoints (exact ties) and their neighbours, and subnormals."""
    fmt = get_format(name)
    rng = np.random.default_rng(3)
    y = rng.standard_normal(20000) * 2.0 ** rng.integers(-30, 12, 20000)
    grid = every_input(fmt).astype(np.float64) if fmt.enumerable else rng.standard_normal(2000).astype(np.float32)
    grid = np.sort(np.unique(np.asarray(grid, dtype=np.float64)))
    mids = (grid[1:] + grid[:-1]) / 2
    y = np.concatenate([y, mids, np.nextafter(mids, np.inf), np.nextafter(mids, -np.inf), [fmt.tiny / 2, fmt.tiny]])
    y = y[np.abs(y) < fmt.max]
    ours = finish(fmt, round_float64(fmt, y)).astype(np.float64)
    theirs = y.astype(fmt.dtype).astype(np.float64)
    assert np.array_equal(ours, theirs)


@pytest.mark.parametrize("name, big, want", [("float8_e4m3fn", 500.0, np.nan), ("float8_e5m2", 1e6, np.inf),
                                             ("bfloat16", 1e39, np.inf), ("float16", 7e4, np.inf)])
def test_overflow_follows_ml_dtypes_unless_saturated(name, big, want):
    fmt = get_format(name)
    out = finish(fmt, np.array([big, -big])).astype(np.float64)
    assert np.array_equal(out, np.array([want, -want]), equal_nan=True)
    sat = finish(fmt, np.array([big, -big]), saturate=True).astype(np.float64)
    assert sat.tolist() == [fmt.max, -fmt.max]


def test_ulp_distance_counts_values_between_zeros_once():
    fmt = get_format("float16")
    one = np.float16(1)
    up = np.nextafter(one, np.float16(2))
    assert ulp_distance(fmt, np.array([one]), np.array([up]))[0] == 1
    tiny = np.float16(fmt.tiny)
    assert ulp_distance(fmt, np.array([np.float16(0)]), np.array([np.float16(-0.0)]))[0] == 0
    assert ulp_distance(fmt, np.array([tiny]), np.array([-tiny]))[0] == 2
    assert np.isnan(ulp_distance(fmt, np.array([np.float16(np.nan)]), np.array([one]))[0])


def test_importing_symact_leaves_ml_dtypes_unimported():
    """ml_dtypes takes ~0.5 s to import: only bfloat16/float8 work pays for it (and tqdm only a progress bar).
    python-flint is another matter: SymPy ≥ 1.13 imports it as its ground types whenever it is installed."""
    import subprocess
    import sys

    code = "import sys, symact; print(sorted(m for m in ('ml_dtypes', 'tqdm') if m in sys.modules))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert out.returncode == 0 and out.stdout.strip() == "[]", out.stdout + out.stderr
