"""An article's one current figure for a subject and scope, of the claims it states."""

from __future__ import annotations

import functools
from collections.abc import Sequence

from digest.claims import CURRENT_BEFORE, point, span
from digest.models import Claim


@functools.lru_cache(maxsize=4096)
def _said_to_be_new(sentence: str, value: str) -> bool:
    """ "has risen to N": the sentence marks N as the new figure (a story's lines ask this of
    an article's claims more than once: kept)."""
    return value in sentence and bool(CURRENT_BEFORE.search(sentence[:sentence.find(value)]))


def pick_current(claims: Sequence[Claim]) -> Claim:
    """An article's one current figure for a subject: the first it states (news leads with the
    toll; later counts are often parts, other places or recounted ones), unless a later one is
    said to be the new figure ("has risen to"); of its compatible peers, the most precise."""
    marked = [c for c in claims if _said_to_be_new(c.sentence, c.value)]
    pool = marked or list(claims)
    top = pool[0]
    lo, hi = span(top)
    peers = [c for c in pool if span(c)[0] <= hi and span(c)[1] >= lo]
    return min(peers, key=lambda c: (span(c)[1] - span(c)[0], -point(c)))
