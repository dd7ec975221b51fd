"""The symbolic layer: calculus (and the preparation of expressions for the numeric layer), approximation
analysis, claims. Pure functions of definitions and SymPy expressions."""
