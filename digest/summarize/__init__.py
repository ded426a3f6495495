"""Story -> attributed extractive summary (only its `ranking` module imports sumy).

Every article of a story is split into sentences; a sentence carried word for
word by several articles becomes one unit credited to all of them. A method
ranks the units; selection then walks the ranking, skipping any sentence that
says what an already chosen one says (its articles are noted as `similar`),
until the length budget is used. Chosen sentences are printed in story order
(earliest article first, then position in the article).

sumy's summarizers are used as they come for every method named after them.
Its graph methods are quadratic in pure Python, so digest's own methods do
the same maths on SciPy sparse matrices: `fast-lexrank` is sumy's LexRank,
vectorized; `digest` (the default) scores centrality against the story
centroid, lead position and corroboration by several outlets, then selects
with `select_novel`: each sentence's score is discounted by the share of its
word pairs (reported by several articles) that chosen sentences already
cover, so the summary spends its budget on what has not been said yet.
(An exact integer program over the same word pairs, Gillick & Favre style,
was tried and scored lower on the development sets: see docs/benchmarks.md.)

An *update* (`summarize_for_reader`) is what a reader who already has some of the story's
articles has not read: only sentences of the articles new to them are candidates, ranked
against the new articles' centroid; the sentences of the articles they have are already-said
context in the same selection (their word pairs count half, a candidate close to one of them
loses rank), and a candidate that restates a sentence they were actually sent is never
taken. The headline is the newest article's, its sentences come first, and at most
one earlier sentence is kept as context.

A *focus* (what a reader following a topic wants to know: the topic's description and
terms, `topics.Topic.focus`) tilts the `digest` ranking towards the sentences that answer
it: each sentence's centrality to the centroid is blended with its cosine to the focus,
weighed in the same TF-IDF space (the story's idf), so a sentence sharing the focus's rare
words gains most. Without a focus the summary is exactly the generic one.

The package, each module building on those before it: `settings`, `units`, `ranking`,
`selection`, `story`, `updates` (each module says what it reads).
"""

from digest.summarize.ranking import rank
from digest.summarize.selection import UpdateWeights
from digest.summarize.settings import DEFAULT_METHOD, FOCUS_WEIGHT, METHODS
from digest.summarize.story import check_method, summarize_story
from digest.summarize.units import eligible, sentence_key, units_of
from digest.summarize.updates import summarize_for_reader

__all__ = [
    "DEFAULT_METHOD", "FOCUS_WEIGHT", "METHODS", "UpdateWeights", "check_method", "eligible",
    "rank", "sentence_key", "summarize_for_reader", "summarize_story", "units_of",
]
