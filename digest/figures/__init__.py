"""Figures of a story over time: each article's current claim per subject and scope, in time order.

A line that only rises is a timeline (32 -> 357 -> about 7,000); a later lower figure said to be
revised is "revised"; figures that cannot both be true at about the same time, or a later lower
one given without a word of revision, are a disagreement. Compatible figures ("over 140" and
144) never are. The claims themselves are read by `claims/`.

The modules, in the order a story's claims go through them:

- `current`: an article's one current figure per subject and scope;
- `scopes`: which line each claim belongs to (one place, one period, the doers);
- `counts`: what the whole story says about which figures are different counts (a part an
  article states below its toll, two figures stated side by side);
- `lines`: the lines themselves: claims keyed by subject and scope, each article's pick, the
  points in time order without other incidents' and other counts' figures; the header's line;
- `verdicts`: the judging of a line (rising, revised, disagree, agree) and its disagreements.
"""

from digest.figures.lines import figure_lines, header_line, story_figures
from digest.figures.verdicts import discrepancies, judge

__all__ = ["discrepancies", "figure_lines", "header_line", "judge", "story_figures"]
