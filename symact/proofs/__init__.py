"""Certified numbers: rigorous enclosures with ball arithmetic (python-flint's Arb).

:mod:`.arb` evaluates a SymPy expression on an interval with a guaranteed enclosure of its image;
:mod:`.enclose` builds on it: roots isolated and refined, extrema and suprema enclosed on finite intervals.
"""
