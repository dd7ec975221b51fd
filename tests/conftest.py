from __future__ import annotations

import mpmath
import pytest


@pytest.fixture(autouse=True)
def _mp_precision():
    """Every test starts at 40 significant digits and cannot leak another precision."""
    with mpmath.workdps(40):
        yield
