"""The summarizers' names and the constants of digest's own method, measured in
docs/benchmarks.md (section 2).
"""

from __future__ import annotations

SUMY_METHODS = ("lexrank", "textrank", "lsa", "luhn", "kl", "sumbasic")
OWN_METHODS = ("digest", "fast-lexrank")
METHODS = (*OWN_METHODS, *SUMY_METHODS)
DEFAULT_METHOD = "digest"
DEFAULT_WORDS = 120
REDUNDANT = 0.5  # cosine above which two sentences say the same thing
MIN_WORDS, MAX_WORDS = 6, 80
WHOLE = (".", "!", '"', "”", "’", "'", ")", "…")  # how a whole sentence ends (a cut one does not)
MAX_CANDIDATES = 150  # best-ranked sentences the selection considers (bounds work on big stories)
MAX_CONCEPTS = 2000
CONCEPT_FLOOR = 2  # a word pair counts when this many articles report it
LEAD_SENTENCES = 3
LEAD_BONUS = 1.0  # a pair reported in an article's first sentences counts once more
NOVELTY_FLOOR = 0.6  # what a sentence saying nothing new keeps of its rank score
# Share of a sentence's centrality taken from its cosine to the reader's focus (the rest from
# the centroid): chosen on DUC 2007 update stories D0703A-D0721E (docs/benchmarks.md, 2b).
FOCUS_WEIGHT = 0.4
