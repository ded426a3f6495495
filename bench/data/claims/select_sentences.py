"""Rebuild the unlabelled sentence sample of the claims set (the selection rule of README.md).

Run from the repository root: python bench/data/claims/select_sentences.py > /tmp/sample.jsonl
It reads ../shared/eval (never copied here) and prints one JSON object per selected sentence,
in the order and with the ids used by sentences.jsonl (the train2 and train3 splits: web pages
of ../shared/eval/extraction, their gold texts). No claim extraction happens here: the
labels in sentences.jsonl were written by reading each sentence.
"""

from __future__ import annotations

import html
import json
import re
import sys
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
from claims_data import HAS_NUMBER  # the selection rule lives with the validator

REPO = Path(__file__).resolve().parents[3]
# ../shared/eval beside the checkout; a git worktree one level deeper finds it one more level up
EVAL = next((p / "shared" / "eval" for p in (REPO.parent, REPO.parent.parent)
             if (p / "shared" / "eval").is_dir()), REPO.parent / "shared" / "eval")

STORIES = {
    "duc2003": ("duc2003_task2", "dev", [
        "d31022t", "d31011t", "d31050t", "d31028t", "d31010t", "d30010t", "d31013t", "d30034t",
        "d31038t", "d30056t", "d30016t", "d30005t", "d30025t", "d31031t"]),
    "duc2006": ("duc2006", "dev", [
        "D0626H", "D0622D", "D0616G", "D0639C", "D0620B", "D0621C", "D0631D", "D0640D",
        "D0633F", "D0635H", "D0617H", "D0614E", "D0649D", "D0636I"]),
    "duc2007": ("duc2007", "validation", [
        "D0741I", "D0743J", "D0729G", "D0735H", "D0705A", "D0710C", "D0701A", "D0721E",
        "D0706B", "D0742J", "D0704A", "D0717D", "D0720E", "D0740I", "D0715D", "D0719E",
        "D0703A", "D0718D", "D0732H"]),
}
# The test split (session 6, a helper blind to the extractor): stories chosen after dev and
# validation were labelled and looked at. Whole stories again; none is in STORIES above.
TEST_STORIES = {
    "duc2006": ("duc2006", "test", [
        "D0647B", "D0624F", "D0608H", "D0607G", "D0643G", "D0644H", "D0638B"]),
    # MultiLing 2011: topic t is the ten files M00<t>0 ... M00<t>9; story id M00<t> (as the
    # corpus names its reference summaries), doc id the file's stem M00<t><n>
    "multiling2011": ("multiling2011_en", "test", [f"M00{t}" for t in range(10)]),
}
# The train split (session 8, a helper blind to the extractor): more labelled data to tune on,
# from stories in no other split. TRAIN_CASUALTY stories give sample "casualty_all", the others
# sample "numbers" (the first TRAIN_PER_ARTICLE sentences with a number of the first and last article).
TRAIN_STORIES = {
    "duc2003": ("duc2003_task2", "train", [
        "d30003t", "d30042t", "d30044t", "d30051t", "d31001t", "d31002t",
        "d30028t", "d30040t", "d31027t"]),
    "duc2006": ("duc2006", "train", [
        "D0601A", "D0602B", "D0618I", "D0625G", "D0629B", "D0646A", "D0648C",
        "D0605E", "D0606F", "D0609I", "D0610A", "D0642F", "D0603C", "D0637A"]),
    "duc2007": ("duc2007", "train", [
        "D0712C", "D0716D", "D0724F", "D0728G", "D0745J", "D0723F", "D0738I",
        "D0708B", "D0730G", "D0737I", "D0713C", "D0731G"]),
}
TRAIN_CASUALTY = {
    "d30003t", "d30042t", "d30044t", "d30051t", "d31001t", "d31002t",
    "D0601A", "D0602B", "D0618I", "D0625G", "D0629B", "D0646A", "D0648C",
    "D0605E", "D0606F", "D0609I", "D0610A", "D0642F",
    "D0712C", "D0716D", "D0724F", "D0728G", "D0745J", "D0723F", "D0738I",
    "D0708B", "D0730G", "D0737I"}
TRAIN_PER_ARTICLE = 2
PER_STORY_CASUALTY_ALL = 15
PER_ARTICLE = 4  # the first 4 sentences with a number, in reading order, of each sampled article

# Sample "casualty": in these stories, every other article gives its first sentence holding both a
# number and one of these words, so that claims (and each article's current figure) are well
# represented; at most PER_STORY_CASUALTY of them per story, evenly spaced in time.
CASUALTY_STORIES = {
    "d31022t", "d31011t", "d31028t", "d31010t", "d30010t", "d30034t", "d31038t", "d30056t",
    "D0626H", "D0622D", "D0616G", "D0631D", "D0640D", "D0617H",
    "D0741I", "D0743J", "D0705A", "D0710C", "D0704A", "D0742J", "D0729G", "D0715D", "D0721E",
    # test: the DUC 2006 stories with counts of people, and the MultiLing topics about a disaster,
    # an attack, a capture, a crash or a prison (not the Tour, the climate talks, the Olympics)
    "D0647B", "D0624F", "D0608H", "D0607G", "D0643G",
    "M000", "M001", "M002", "M005", "M006", "M007", "M008"}
CASUALTY = re.compile(
    r"\b(?:kill\w*|dead|deaths?|died|dies|toll|bodies|injur\w*|wounded|hurt|missing|arrest\w*|"
    r"detain\w*|custody|evacuat\w*|homeless|displaced|fled|refugees|hostages?|kidnap\w*|"
    r"abduct\w*|rescued|survivors?|victims|casualties|sick\w*|infected)\b", re.I)
PER_STORY_CASUALTY = 12

# Sample "revision": in every article of every chosen story, each sentence holding a number, a word
# of CASUALTY and one of these words, so that earlier and revised figures are represented.
REVISION = re.compile(
    r"\b(?:earlier|initially|initial|revised?|previous(?:ly)?|up from|down from|lowered|raised|"
    r"risen|rose|climbed|increased|jumped)\b", re.I)

ABBREV = {
    "mr", "mrs", "ms", "dr", "gen", "sen", "rep", "gov", "lt", "col", "sgt", "capt", "maj", "cmdr",
    "adm", "rev", "gens", "jan", "feb", "mar", "apr", "aug", "sept", "sep", "oct", "nov", "dec",
    "st", "jr", "sr", "co", "corp", "inc", "ltd", "no", "vs", "mt", "ft", "pres", "atty",
    "u.s", "u.n", "d.c", "calif", "ala", "ariz", "ark", "colo", "conn", "del", "fla", "ga", "ill",
    "ind", "kan", "ky", "la", "md", "mass", "mich", "minn", "miss", "mo", "mont", "neb", "nev",
    "n.h", "n.j", "n.m", "n.y", "n.c", "n.d", "okla", "ore", "pa", "r.i", "s.c", "s.d", "tenn",
    "tex", "va", "vt", "wash", "wis", "wyo", "p.m", "a.m", "e.g", "i.e"}
# a sentence ends at . ! or ? (and any closing quotes/brackets) followed by space and a capital,
# a digit or an opening quote
BOUNDARY = re.compile(r"(?<=[.!?])(['\"’”`)]*)\s+(?=[A-Z0-9\"'“`(])")


def split_sentences(paragraph: str) -> list[str]:
    out: list[str] = []
    start = 0
    for m in BOUNDARY.finditer(paragraph):
        end = m.end(1)
        head = paragraph[start:m.start()]
        word = head.rsplit(None, 1)[-1] if head.split() else ""
        token = word.rstrip(".!?").lstrip("(\"'`“").lower()
        if head.endswith(".") and (token in ABBREV or re.fullmatch(r"[a-z]", token)):
            continue  # Mr. Smith, Gen. X, U.S. Embassy, J. Smith
        out.append(paragraph[start:end].strip())
        start = m.end()
    tail = paragraph[start:].strip()
    if tail:
        out.append(tail)
    return [s for s in out if s]


def clean(fragment: str) -> str:
    fragment = re.sub(r"<[^>]+>", " ", fragment)
    fragment = re.sub(r"&(?:QL|UR|LR|QC|MD|HT|TF|Cx[0-9a-f]{2});", " ", fragment)
    return html.unescape(fragment)


def paragraphs(raw: str) -> list[str]:
    m = re.search(r"<TEXT>(.*?)</TEXT>", raw, re.S)
    body = m.group(1) if m else ""
    parts = re.split(r"</?P>|\n(?=[ \t])", body)
    return [" ".join(clean(p).split()) for p in parts if clean(p).strip()]


# A WikiNews article of MultiLing 2011 is plain text: the title on its first line, then one
# paragraph a line; the line that is only the article's date ("Tuesday, July 12, 2005") is its
# date stamp, read as the date and left out of the text (as DUC's <DATE_TIME> is).
MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August", "September",
          "October", "November", "December")
DATE_LINE = re.compile(rf"(?:[A-Z][a-z]+day, )?({'|'.join(MONTHS)}) (\d{{1,2}}), (\d{{4}})")


def _multiling_lines(path: Path) -> tuple[str, list[str]]:
    """(day YYYYMMDD or "", the lines of text: title first) of a MultiLing article."""
    lines = [" ".join(line.split()) for line in path.read_text(encoding="utf-8").splitlines()]
    lines = [line for line in lines if line]
    day, text = "", lines[:1]
    for line in lines[1:]:
        m = DATE_LINE.fullmatch(line)
        if m and not day:
            day = f"{m.group(3)}{MONTHS.index(m.group(1)) + 1:02d}{int(m.group(2)):02d}"
            continue
        text.append(line)
    return day, text


def articles(folder: str, story: str) -> list[tuple[str, str, str, str]]:
    """(day, docno, source, path) of every article of a story, by date.

    MultiLing has no metadata: its articles go in file order (M00<t>0 ... M00<t>9), which is the
    corpus's order, not time's; day is the stated date or "" (then the sentence's date is null).
    """
    if folder == "multiling2011_en":
        files = sorted((EVAL / folder / "source").glob(f"{story}?.english"))
        return [(_multiling_lines(f)[0], f.name.split(".")[0], "WikiNews", f"source/{f.name}")
                for f in files]
    rows = []
    for line in (EVAL / folder / "clusters.tsv").read_text().splitlines()[1:]:
        cluster, docno, source, day, path = line.split("\t")[:5]
        if cluster == story:
            rows.append((day, docno, source, path))
    return sorted(rows)


def units(folder: str, path: str) -> list[tuple[str, str]]:
    """(part, sentence) of an article in reading order: the headline, then the body."""
    if folder == "multiling2011_en":
        title, *body = _multiling_lines(EVAL / folder / path)[1]
        return [("headline", title)] + [("body", s) for p in body for s in split_sentences(p)]
    raw = (EVAL / folder / path).read_text(encoding="utf-8", errors="replace")
    out: list[tuple[str, str]] = []
    h = re.search(r"<HEADLINE>(.*?)</HEADLINE>", raw, re.S)
    if h and " ".join(clean(h.group(1)).split()):
        out.append(("headline", " ".join(clean(h.group(1)).split())))
    for p in paragraphs(raw):
        out.extend(("body", s) for s in split_sentences(p))
    return out


def sample() -> list[dict[str, object]]:
    """The dev and validation sample (STORIES), the test sample (TEST_STORIES), train, train2,
    train3 (which skips a sentence whose text an earlier split already holds)."""
    earlier = _sample(STORIES) + _sample(TEST_STORIES) + train_sample() + train2_sample()
    earlier += train3_sample({str(r["sentence"]) for r in earlier})
    return earlier + validation2_sample()


# The train2 split (session 11): modern web news, the gold main texts of the extraction page sets
# (../shared/eval/extraction/<subset>/gold/<name>.txt; the HTML is not read). A page is its own
# story and its own article: story id "<prefix>-<page>", doc id the page's short name.
PAGE_SETS = {"gn1": "L3S-GN1", "dragnet": "Dragnet", "cleanportal": "CleanPortalEval"}
# a page is drawn when the md5 of "<subset>/<name>" starts with a hex digit below this (about half
# of the pages that hold a casualty sentence): a fixed, content-blind draw
PAGE_DRAW = "8"
HEADLINE_WORDS = 20


def page_name(set_name: str, path: Path) -> str:
    """The short id of a page: the first 8 characters of L3S-GN1's UUID, else the file stem."""
    return path.stem[:8] if set_name == "gn1" else path.stem


def page_text(path: Path) -> tuple[str, list[str]]:
    """(headline or "", paragraphs) of a gold page text: every non-empty line is a paragraph; the
    first line is the headline when it has at most HEADLINE_WORDS words and does not end like a
    sentence (". ! ? :"), else it is body text like the others."""
    lines = [" ".join(line.split())
             for line in path.read_text(encoding="utf-8", errors="replace").splitlines()]
    lines = [line for line in lines if line]
    if lines and len(lines[0].split()) <= HEADLINE_WORDS and not lines[0].endswith((".", "!", "?", ":")):
        return lines[0], lines[1:]
    return "", lines


def page_units(path: Path) -> list[tuple[str, str]]:
    """(part, sentence) of a gold page text in reading order: its headline, then the body."""
    title, body = page_text(path)
    return [("headline", title)] * bool(title) + [("body", s) for p in body for s in split_sentences(p)]


def page_path(set_name: str, story: str, eval_root: Path = EVAL) -> Path:
    """The gold text of a train2 story ("gn1-01ccc7c5" -> L3S-GN1/gold/01ccc7c5-....txt)."""
    name = story.removeprefix(f"{set_name}-")
    gold = eval_root / "extraction" / PAGE_SETS[set_name] / "gold"
    return next(gold.glob(f"{name}-*.txt")) if set_name == "gn1" else gold / f"{name}.txt"


def _first_plain(units: list[tuple[str, str]]) -> list[int]:
    """The first sentence of a page with a number and no CASUALTY word (none or one index)."""
    return [i for i, (_, s) in enumerate(units) if HAS_NUMBER.search(s) and not CASUALTY.search(s)][:1]


Choose = Callable[[list[tuple[str, str]], list[int], int], list[tuple[int, str]]]


def _page_sample(split: str, train2_half: bool, choose: Choose, seen: set[str]) -> list[dict[str, object]]:
    """The sample of one half of the pages (train2's draw or the rest), in set then file-name
    order: on each page holding a sentence with a number (rule 4) and a CASUALTY word, the
    sentences `choose(units, hits, drawn)` picks; a sentence whose text is in `seen` is skipped."""
    import hashlib

    out: list[dict[str, object]] = []
    for set_name, subset in PAGE_SETS.items():
        drawn = 0
        for path in sorted((EVAL / "extraction" / subset / "gold").glob("*.txt")):
            if (hashlib.md5(f"{subset}/{path.stem}".encode()).hexdigest()[0] < PAGE_DRAW) != train2_half:
                continue  # (drawn before it is read: the draw is blind to the text)
            units = page_units(path)
            hits = [i for i, (_, s) in enumerate(units) if HAS_NUMBER.search(s) and CASUALTY.search(s)]
            if not hits:
                continue
            picks = choose(units, hits, drawn)
            drawn += 1
            name = page_name(set_name, path)
            for i, kind in sorted(picks):
                part, sentence = units[i]
                if sentence in seen:
                    continue
                seen.add(sentence)
                out.append({"id": f"{set_name}-{name}-{name}-s{i}", "split": split,
                            "set": set_name, "story": f"{set_name}-{name}", "doc": name,
                            "date": None, "outlet": subset, "part": part, "sample": kind,
                            "sentence": sentence})
    return out


def train2_sample() -> list[dict[str, object]]:
    """The train2 sample over the drawn pages (md5 digit < PAGE_DRAW).

    casualty_all: the first and the last sentence of the page (headline included) holding a number
    (rule 4) and a CASUALTY word (one sentence when the page has one such sentence).
    numbers: on every second drawn page (the 1st, 3rd, ... of its set), the first sentence with a
    number and no CASUALTY word. A sentence whose text was already taken (a page republished in
    two sets or twice in one) is skipped.
    """
    def choose(units: list[tuple[str, str]], hits: list[int], drawn: int) -> list[tuple[int, str]]:
        picks = [(i, "casualty_all") for i in sorted({hits[0], hits[-1]})]
        return picks + [(i, "numbers") for i in (_first_plain(units) if drawn % 2 == 0 else [])]

    return _page_sample("train2", True, choose, set())


# train3 (session 12): the pages train2 did not draw, enriched for sentences where a scope is
# possible (a place, a group, a part or a period beside the count)
SCOPE_CUE = re.compile(
    r"\b(?:in|at|of them|includ\w*|since|province|state|among|across|throughout|aboard|"
    r"over the (?:past|last))\b", re.I)
TRAIN3_NUMBERS_EVERY = 3


def train3_sample(taken: set[str] | frozenset[str] = frozenset()) -> list[dict[str, object]]:
    """The train3 sample: the pages train2's draw left out (md5 digit >= PAGE_DRAW).

    scope: the page's first sentence with a number and a CASUALTY word that also holds a
    SCOPE_CUE word; casualty_all: when none does, its first such sentence. numbers: on every
    TRAIN3_NUMBERS_EVERY-th page (the 1st, 4th, ...), the first sentence with a number and no
    CASUALTY word. A sentence whose text is in `taken` (already labelled in another split: a page
    published twice) or already drawn here is skipped.
    """
    def choose(units: list[tuple[str, str]], hits: list[int], drawn: int) -> list[tuple[int, str]]:
        scoped = [i for i in hits if SCOPE_CUE.search(units[i][1])]
        picks = [(scoped[0], "scope")] if scoped else [(hits[0], "casualty_all")]
        plain = _first_plain(units) if drawn % TRAIN3_NUMBERS_EVERY == 0 else []
        return picks + [(i, "numbers") for i in plain]

    return _page_sample("train3", False, choose, set(taken))


def _row(story: str, split: str, set_name: str, i: int, part: str, sentence: str,
         article: tuple[str, str, str, str], kind: str) -> dict[str, object]:
    day, docno, source, _ = article
    return {"id": f"{story}-{docno}-s{i}", "split": split, "set": set_name, "story": story,
            "doc": docno, "date": f"{day[:4]}-{day[4:6]}-{day[6:8]}" if day else None,
            "outlet": source, "part": part, "sample": kind, "sentence": sentence}


def train_sample() -> list[dict[str, object]]:
    """The train sample: "casualty_all" for TRAIN_CASUALTY stories, "numbers" for the others.

    casualty_all: in every article of the story (by date), every sentence, headline included,
    holding a number and a CASUALTY word; when there are more than PER_STORY_CASUALTY_ALL, that
    many evenly spaced over the story's list (which runs in article time).
    numbers: the first TRAIN_PER_ARTICLE sentences with a number of the first and last article.
    """
    out: list[dict[str, object]] = []
    for set_name, (folder, split, stories) in TRAIN_STORIES.items():
        for story in stories:
            rows = articles(folder, story)
            if story not in TRAIN_CASUALTY:
                for article in (rows[0], rows[-1]):
                    found = [(i, u) for i, u in enumerate(units(folder, article[3]))
                             if HAS_NUMBER.search(u[1])]
                    out.extend(_row(story, split, set_name, i, part, s, article, "numbers")
                               for i, (part, s) in found[:TRAIN_PER_ARTICLE])
                continue
            hits = [_row(story, split, set_name, i, part, s, article, "casualty_all")
                    for article in rows
                    for i, (part, s) in enumerate(units(folder, article[3]))
                    if HAS_NUMBER.search(s) and CASUALTY.search(s)]
            if len(hits) > PER_STORY_CASUALTY_ALL:  # evenly spaced in time
                n = len(hits) - 1
                keep = sorted({round(j * n / (PER_STORY_CASUALTY_ALL - 1))
                               for j in range(PER_STORY_CASUALTY_ALL)})
                hits = [hits[j] for j in keep]
            out.extend(hits)
    return out


# The validation2 split (session 14, helper "label14"): a blind held-out split that replaces
# validation (which is read and tuned on from session 14). Every DUC 2003/2006/2007 story in no
# other split whose articles are in no other split either (d30048t, D0628A, D0634G, D0641E and
# D0734H share articles with used stories and are left out; the DUC 2007 update task's four unused
# topics, D0711C, D0726F, D0727G and D0736H, are DUC 2007 stories and are among these).
VALIDATION2_STORIES = {
    "duc2003": ("duc2003_task2", "validation2", [
        "d30012t", "d30020t", "d30050t", "d31009t", "d31033t", "d31041t"]),
    "duc2006": ("duc2006", "validation2", [
        "D0604D", "D0611B", "D0612C", "D0613D", "D0615F", "D0619A", "D0623E", "D0627I",
        "D0630C", "D0632E", "D0645I", "D0650E"]),
    "duc2007": ("duc2007", "validation2", [
        "D0702A", "D0707B", "D0709B", "D0711C", "D0714D", "D0722E", "D0725F", "D0726F",
        "D0727G", "D0733H", "D0736H", "D0739I", "D0744J"]),
}
VALIDATION2_PER_ARTICLE = 2


def validation2_sample() -> list[dict[str, object]]:
    """The validation2 sample, story by story (sets, then story ids, in VALIDATION2_STORIES order).

    numbers: rule 5 with VALIDATION2_PER_ARTICLE (2, not 4) sentences with a number of the first,
    middle and last article by date, so that all 31 stories fit the budget (more stories, fewer
    sentences each). casualty_all (the train split's rule): in every article, by date, every
    sentence holding a number and a CASUALTY word, at most PER_STORY_CASUALTY_ALL evenly spaced;
    a sentence the numbers sample already took keeps its "numbers" label.
    """
    out: list[dict[str, object]] = []
    for set_name, (folder, split, stories) in VALIDATION2_STORIES.items():
        for story in stories:
            rows = articles(folder, story)
            picks = sorted({0, len(rows) // 2, len(rows) - 1})
            numbers = []
            for k in picks:
                found = [(i, u) for i, u in enumerate(units(folder, rows[k][3]))
                         if HAS_NUMBER.search(u[1])]
                numbers.extend(_row(story, split, set_name, i, part, s, rows[k], "numbers")
                               for i, (part, s) in found[:VALIDATION2_PER_ARTICLE])
            taken = {r["id"] for r in numbers}
            hits = [_row(story, split, set_name, i, part, s, article, "casualty_all")
                    for article in rows
                    for i, (part, s) in enumerate(units(folder, article[3]))
                    if HAS_NUMBER.search(s) and CASUALTY.search(s)]
            hits = [r for r in hits if r["id"] not in taken]
            if len(hits) > PER_STORY_CASUALTY_ALL:  # evenly spaced in time
                n = len(hits) - 1
                keep = sorted({round(j * n / (PER_STORY_CASUALTY_ALL - 1))
                               for j in range(PER_STORY_CASUALTY_ALL)})
                hits = [hits[j] for j in keep]
            out.extend(numbers + hits)
    return out


def _sample(chosen: dict[str, tuple[str, str, list[str]]]) -> list[dict[str, object]]:
    """Sample "numbers" (every chosen story), then "casualty" (CASUALTY_STORIES), then "revision"."""
    first: list[dict[str, object]] = []
    second: list[dict[str, object]] = []
    third: list[dict[str, object]] = []
    for set_name, (folder, split, stories) in chosen.items():
        for story in stories:
            rows = articles(folder, story)
            # first, middle and last article by date: the story as it starts, develops and ends
            picks = sorted({0, len(rows) // 2, len(rows) - 1})

            def row(i: int, part: str, sentence: str, article: tuple[str, str, str, str],
                    kind: str, story: str = story, split: str = split, set_name: str = set_name
                    ) -> dict[str, object]:
                day, docno, source, _ = article
                return {"id": f"{story}-{docno}-s{i}", "split": split, "set": set_name,
                        "story": story, "doc": docno,
                        "date": f"{day[:4]}-{day[4:6]}-{day[6:8]}" if day else None,
                        "outlet": source, "part": part, "sample": kind, "sentence": sentence}

            for article in rows:
                for i, (part, s) in enumerate(units(folder, article[3])):
                    if HAS_NUMBER.search(s) and CASUALTY.search(s) and REVISION.search(s):
                        third.append(row(i, part, s, article, "revision"))
            for k in picks:
                found = [(i, u) for i, u in enumerate(units(folder, rows[k][3]))
                         if HAS_NUMBER.search(u[1])]
                first.extend(row(i, part, s, rows[k], "numbers") for i, (part, s) in found[:PER_ARTICLE])
            if story not in CASUALTY_STORIES:
                continue
            extra = []
            for k, article in enumerate(rows):
                if k in picks:
                    continue
                for i, (part, s) in enumerate(units(folder, article[3])):
                    if HAS_NUMBER.search(s) and CASUALTY.search(s):
                        extra.append(row(i, part, s, article, "casualty"))
                        break
            if len(extra) > PER_STORY_CASUALTY:  # evenly spaced in time
                n = len(extra) - 1
                keep = sorted({round(j * n / (PER_STORY_CASUALTY - 1)) for j in range(PER_STORY_CASUALTY)})
                extra = [extra[j] for j in keep]
            second.extend(extra)
    seen = {r["id"] for r in first + second}
    return first + second + [r for r in third if r["id"] not in seen]


if __name__ == "__main__":
    for r in sample():
        sys.stdout.write(json.dumps(r, ensure_ascii=False) + "\n")
