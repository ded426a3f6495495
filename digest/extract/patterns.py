"""The words and shapes of page chrome: navigation, appeals, captions and their credits,
teasers, comments, legal lines, datelines and bylines.
"""

from __future__ import annotations

import re

NAV = re.compile(r"^(?:\d+\.\s*)?skip to\b|^(?:menu|search|share|sign in|log in|subscribe)$", re.I)
DONATION = re.compile(
    r"^support (?:the |our )?[A-Z][\w .'-]{1,40}!?$|^contribute today|^donate\b|small favou?r to ask"
    r"|please support us|your support, no matter how small|become a (?:member|subscriber)",
    re.I,
)
# Every DONATION match contains one of these (lowercased): a paragraph without any is not
# searched (the case-insensitive search costs more than the rest of a paragraph's checks).
DONATION_WORDS = ("support", "contribute today", "donate", "favo", "become a ")
# After one of these, the rest of the page is teasers, appeals and links.
END_OF_ARTICLE = re.compile(
    r"^(?:read more about:?|read more|recommended articles?|related (?:articles|stories|content)"
    r"|more from [\w ]+|most read|you may also like|… we have a small favou?r to ask\.?"
    r"|\.\.\. we have a small favou?r to ask\.?)\b",
    re.I,
)
# Where readers' comments begin; unlike a box of links, nothing after it is the article again.
COMMENTS = re.compile(
    r"^(?:(?:(?:\d+\s+)?(?:reader'?s'?\s+)?comments?(?:\s*\(\d+\))?"
    r"|(?:leave|post|add|write|submit) (?:a|your) (?:comment|reply|response)"
    r"|have your say|what you think|readers'? (?:comments|views)|join the (?:discussion|conversation)"
    r"|(?:show|view|read) (?:all )?comments|\d+ (?:responses|replies) to .{1,120})\W*$"
    r"|comments (?:are|have been) (?:now )?closed\b|we welcome your comments\b)",
    re.I,
)
COMMENTS_AFTER = 3  # body paragraphs before a comments marker: before that it is a widget
# The heading of the form that closes the comments ("Post a comment").
COMMENT_FORM = re.compile(r"^(?:leave|post|add|write|submit) (?:a|your) (?:comment|reply|response)\W*$",
                          re.I)
# The publisher's legal lines: copyright, reuse, terms of the site. Not the article's text.
LEGAL = re.compile(
    r"all rights reserved|republication or redissemination|may not be (?:re)?published,? broadcast"
    r"|^(?:copyright\b|©|\(c\)\s*(?:19|20)\d\d)|(?:read|see|to) our (?:terms|privacy)"
    r"|terms (?:and|&) conditions\W+(?:\w+\W+){0,6}privacy"
    r"|is not responsible for the content of external (?:web)?sites",
    re.I,
)
# The site's note on browsers: "This page is best viewed in an up-to-date web browser ...".
BROWSER_NOTE = re.compile(r"^this (?:page|site|website) is best viewed (?:in|with|using)\b", re.I)
LEGAL_MAX_WORDS = 60  # a longer paragraph that says "all rights reserved" is an article's
TEASER = re.compile(r"^(?:related(?: article)?s?:|see also:|read also:|watch:|listen:|\d+ min read$)", re.I)
FOLLOW = re.compile(r"^follow .{0,60}\bcoverage\b", re.I)
WIRE_CREDIT = re.compile(r"^[a-z]{2,3}(?:/[a-z]{2,3})+\s*\((?:[A-Za-z]+(?:,\s*)?)+\)$")
CAPTION_CREDIT = re.compile(
    r"\((?P<credit>(?=[^()]*\b(?:AP|AFP|Reuters|Getty|Photo|photo|Pool|File|Sputnik|EPA|Images?)\b)"
    r"[^()]*)\)\.?$"
)
# A credit is a few names and these words: "(AP Photo/Jane Doe)", "(Photo by J. Doe for Reuters)".
# A parenthesis that says more is the writer's aside ("(or AP flour)", "(that photo was edited)").
CREDIT_WORDS = frozenset({"by", "via", "of", "for", "from", "the", "and", "photo", "photos", "file",
                          "images", "image", "courtesy", "handout", "pool", "staff"})
CREDIT_MAX_WORDS = 8
CAPTION_START = re.compile(r"^(?:FILE\s*[-–—]|In this (?:photo|image|handout)|This (?:photo|image) )")
IMAGE_CREDIT = re.compile(r"Image:\s*\S")
# "... deadly attack. Sergei Vedyashkin / Moskva News Agency" (photographer / agency, no full stop)
NAME_CREDIT = re.compile(r"[.!?]\s+[A-Z][\w'-]+(?:\s[A-Z][\w'-]+)+\s?/\s?[A-Z][\w .'-]+$")
DATELINE = re.compile(
    r"^(?P<place>[A-Z][A-Z.'’ -]{2,}(?:,\s[A-Z][\w.'’ -]+)?)\s+"
    r"\((?P<wire>AP|AFP|Reuters|dpa|UPI|AAP)\)\s*[—–-]+\s*"
)
CONTINUE_MARK = re.compile(r"\s*\[(?:continue reading|read more)[^\]]*\]\s*$", re.I)
BYLINE = re.compile(r"^by\s+(?P<name>[A-Z][\w.'’-]*(?:\s+(?:[A-Z][\w.'’-]*|and|&)){0,5})$", re.I)
WIRES = {"AP", "AFP", "REUTERS", "DPA", "UPI", "AAP"}

MONTHS = ("january|february|march|april|may|june|july|august|september|october|november|december"
          "|jan|feb|mar|apr|jun|jul|aug|sep|sept|oct|nov|dec")
DATE_ISO = re.compile(r"(?<!\d)(\d{4})-(\d{2})-(\d{2})(?:[ T](\d{2}):(\d{2})(?::(\d{2}))?(?:\.\d+)?"
                      r"\s*(Z|[+-]\d{2}:?\d{2}\b)?)?")
DATE_WORDS = re.compile(rf"\b({MONTHS})\.? (\d{{1,2}}),? (\d{{4}})\b", re.I)
DATE_PREFIX = re.compile(r"^\s*(?:date|published|posted|updated|last updated(?: at)?)\s*:?\s*", re.I)
# (pattern, words every match contains, lowercased): without them it is not searched.
SITE_SIGNALS = [
    (re.compile(r"\b[Ss]upport (?P<o>The [A-Z][\w.'-]+(?: [A-Z][\w.'-]+){0,3}"
                r"|[A-Z][\w.'-]+(?: [A-Z][\w.'-]+){0,3})!"), ("upport ", "!")),
    (re.compile(r"\bskip to more (?P<o>[A-Z][\w]{1,20}) sites", re.I), ("skip to more",)),
    (re.compile(r"©\s*(?:\d{4}(?:\s*[-–]\s*\d{4})?,?\s*)?(?P<o>[A-Z][\w .&'-]{1,40}?)(?:\.|,|$)"),
     ("©",)),
    (re.compile(r"^(?:[Cc]opyright|COPYRIGHT)\s+(?:\(c\)\s*)?(?:\d{4}(?:\s*[-–]\s*\d{4})?,?\s+)?"
                r"(?P<o>[A-Z][\w .&'-]{1,40}?)(?:\.|,|$)"), ("copyright",)),
]
LETTER = re.compile(r"[^\W\d_]")
MENU_ITEMS = 3  # items between bars in a row of links
MENU_ITEM_WORDS = 5  # words of the longest item: longer ones are a headline and its source
CAPTION_MAX = 2000  # characters: longer paragraphs are not captions
PROSE_WORDS = 20  # a paragraph this long with a full stop is article prose, not a link
TERMINAL = ('.', '!', '?', '"', '”', '’', "'", ')', '…', ':')
SENTENCE_END = re.compile(r"[.!?][\"'”’)]?(?:\s|$)")
TEASER_LIST_MIN = 4  # headlines a page of teasers holds at the least (see blocks._teaser_list)
VERSE_ENDS = (",", ";")  # a short line ending so is a line of verse or a list, not a headline


LINK_MARK = "\x00link\x00"  # a line of a page that is all link text (see page_lines)
LINK_SLACK = 0.1  # share of a link line's letters that may sit outside its links ("1." , "|")
