"""RawDocument -> clean Article(s): boilerplate, captions, teasers, metadata.

Web scrapes mix the news with page chrome. Each paragraph is classified
(navigation, donation appeal, caption, teaser, heading, body ...) and only
body paragraphs become article text. Captions are kept aside: they are not
prose to summarize, but they are still the outlet's claims (figures).
A second wire dateline ("KYIV, Ukraine (AP) —") after the body has started
begins another article that a scraper glued on: it is split off. A web page is
first cut to its main content by trafilatura, and its short lines are judged
more gently (see classify); a page that is only other stories' teasers (a
section's index page) gives no article.

Metadata never comes from the file name: the outlet is the front matter's, else the page's
(site name in an appeal or navigation, a copyright line, an "(AP) —" dateline, "By AFP"),
else UNKNOWN_OUTLET. Dates keep their time zone and are stored as naive UTC (the zone of
`cli.utcnow`); a date without a zone is taken as UTC. A bad date leaves the article undated
with a warning: it never drops the article.

The package, each module building on those before it: `patterns`, `metadata`, `blocks`,
`markdown_text`, `pages`, `articles` (each module says what it reads).
"""

from digest.extract.articles import article_dict, articles_from_text, explain, extract, html_fragment_text
from digest.extract.blocks import Block, classify
from digest.extract.metadata import find_date
from digest.extract.pages import (
    TRAFILATURA_SETTINGS,
    _close_doctype,
    _close_title,
    _default_mode_wins,
    page_lines,
)
from digest.extract.patterns import LINK_MARK

# The article reader's version, kept per file in the files ledger. Raise it with any change
# that makes an unchanged file give other metadata (outlet, date, byline, link, captions) or
# other articles: the next run reads every file an older reader read once more, and takes the
# new metadata in (pipeline.ingesting). 1: outlets never from file names, dates with zones.
READER_VERSION = 1

__all__ = [
    "LINK_MARK",
    "READER_VERSION",
    "TRAFILATURA_SETTINGS",
    "Block",
    "_close_doctype",
    "_close_title",
    "_default_mode_wins",
    "article_dict",
    "articles_from_text",
    "classify",
    "explain",
    "extract",
    "find_date",
    "html_fragment_text",
    "page_lines",
]
