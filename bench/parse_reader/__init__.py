"""A claim reader built on a dependency parse: `parsed` (claims), `tree` (what a count counts).

Measured, not adopted (docs/benchmarks.md, section 6, fifteenth session); used by bench/ only.
"""
