"""Lowering: a SymPy expression → the equivalent expression array code evaluates accurately.

:mod:`~symact.lowering.ir` holds the lowered functions (one class each, with meaning and flags),
:mod:`~symact.lowering.rules` the rewrite rules as tables, :mod:`~symact.lowering.lower` the driver.
"""

from .ir import LOWERED, Lowered, meaning, names_where
from .lower import lower, rules, with_roots
from .rules import FAST_FUNCTION_RULES, FUNCTION_RULES, FUSIONS, NODE_RULES, PAIR_RULES, SUM_FUSIONS, TREE_FUSIONS

__all__ = ["FAST_FUNCTION_RULES", "FUNCTION_RULES", "FUSIONS", "LOWERED", "NODE_RULES", "PAIR_RULES", "SUM_FUSIONS",
           "TREE_FUSIONS", "Lowered", "lower", "meaning", "names_where", "rules", "with_roots"]
