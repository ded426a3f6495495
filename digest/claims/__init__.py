"""Claims: the counts of people a news sentence states, read with their words around them.

`read_claims(sentence)`: every count a casualty word (or another common news count: hostages,
rescued, evacuated...) is about becomes a `Claim`: subject, scope ("in Honduras", "soldiers"),
the value with its qualifier as an interval (at least 5 -> [5, open)), and its role: the
article's `current` figure, an `earlier` one it recounts ("up from 95"), or one about
`other_event` ("when Gilbert killed 300 in 1988"). Ages, dates, times, money, speeds and
measures are not counts of anyone and are skipped. `article_claims` reads an article's
headline, body and captions (a caption is not prose to summarize, but a figure in it is still
the outlet's claim). `digest.figures` turns the claims of a story into lines over time.

The reading is a cascade of patterns around each number, in this order: what the number is
not (`_excluded`), what it counts (`_subject`: "the bodies of N", a toll noun, "N people were
killed", "killing N"), where or whom (`_scope`), and whether it is the article's figure now
(`_role`). Labelled sentences and the scores: docs/benchmarks.md, "Figures".

`learned_claims` is the same reading weighed by a model learnt from the labelled sentences
(`claim_model`; module `learned`): measured, not digest's default, since on
story-level folds it did not beat the rules. A reader that decides what a count counts from a
dependency parse (spaCy) was measured too and is kept beside the benchmarks, not here
(`bench/parse_reader`; docs/benchmarks.md, section 6, fifteenth session).

The package, each module building on those before it: `numbers`, `words`, `patterns`, `scope`,
`context`, `subject`, `reader`, `learned`, `article` (each module says what it reads).
"""

from digest.claims.article import _units, article_claims
from digest.claims.context import ArticleContext, article_context, sentences
from digest.claims.learned import learned_claims, proposals
from digest.claims.numbers import point, span
from digest.claims.patterns import CURRENT_BEFORE
from digest.claims.reader import _may_hold_figure, read_claims

__all__ = [
    "CURRENT_BEFORE",
    "ArticleContext",
    "_may_hold_figure",
    "_units",
    "article_claims",
    "article_context",
    "learned_claims",
    "point",
    "proposals",
    "read_claims",
    "sentences",
    "span",
]
