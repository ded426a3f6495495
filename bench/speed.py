"""Speed and memory of the whole pipeline on 1k / 10k / 100k synthetic articles.

Corpora are built from the evaluation articles: each synthetic story copies
the structure of one gold story (its number of articles, their paragraph and
sentence counts, spread over a few days) and fills it with sentences drawn
from that story's articles. So that copies of one gold story are distinct
events, as in a real news flow, each copy renames the story's proper nouns
(consistently within the copy), and each article rewords its sentences a
little (one word dropped from most of them) as outlets do. Articles are
written as Markdown files with front matter (title, date, outlet).

Timed, each in a fresh process on an empty store (cold):
  - the whole run: ingest, clean, group, summarize every story, render Markdown;
  - 100 new articles (a folder of new stories and follow-ups) into the 100k store;
  - one 100-article story summarized by digest's default and by sumy's
    LexRankSummarizer on the same sentences, in the same process;
  - peak memory (max RSS) of each run.

    python bench/speed.py                      # 1k, 10k, 100k
    python bench/speed.py --sizes 1000,10000
"""

from __future__ import annotations

import argparse
import itertools
import json
import math
import random
import re
import resource
import subprocess
import sys
import tempfile
import time
from datetime import datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import evaldata

from digest import text
from digest.models import Article, Story

START = datetime(2024, 1, 1, 6, 0)
PER_DAY = 300  # articles a day in the synthetic flow
PROPER = re.compile(r"\b[A-Z][a-z]{2,}\b")
SYLLABLES = ["ka", "lo", "mi", "ren", "sa", "tor", "vel", "na", "dri", "po", "zan", "qu", "bel",
             "sho", "tam", "ur", "ix", "gal", "fen", "ro"]


def _base_stories() -> list[list[Article]]:
    stories = []
    for name in ("duc", "multiling"):
        s = evaldata.load(name)
        by_id = {a.id: a for a in s.articles}
        for gold in sorted(s.members):
            stories.append([by_id[i] for i in dict.fromkeys(s.members[gold])])
    return stories


def _pseudo(word: str, copy: int) -> str:
    rnd = random.Random(f"{copy}:{word}")
    return "".join(rnd.choice(SYLLABLES) for _ in range(rnd.randint(2, 3))).capitalize()


def _rename(sentence: str, copy: int) -> str:
    if copy == 0:
        return sentence
    stops = text.stop_words()
    return PROPER.sub(lambda m: m.group(0) if m.group(0).lower() in stops else _pseudo(m.group(0), copy),
                      sentence)


def _reword(sentence: str, rnd: random.Random) -> str:
    words = sentence.split()
    if len(words) > 8 and rnd.random() < 0.8:
        del words[rnd.randrange(1, len(words) - 1)]
    return " ".join(words)


def synthetic_story(base: list[Article], copy: int, n_articles: int, start: datetime,
                    rnd: random.Random) -> list[tuple[str, datetime, str, list[str]]]:
    """(title, date, outlet, paragraphs) per article, shaped like the base story."""
    pool = [[text.split_sentences(p) for p in a.paragraphs] for a in base]
    sentences_by_pos: dict[int, list[str]] = {}
    for paragraphs in pool:
        for pi, sents in enumerate(paragraphs):
            sentences_by_pos.setdefault(min(pi, 12), []).extend(sents)
    out = []
    for n in range(n_articles):
        model = base[n % len(base)]
        paragraphs = []
        for pi, p in enumerate(model.paragraphs[:30]):
            k = max(1, len(text.split_sentences(p)))
            choices = sentences_by_pos.get(min(pi, 12)) or sentences_by_pos[0]
            paragraphs.append(" ".join(_reword(_rename(rnd.choice(choices), copy), rnd)
                                       for _ in range(k)))
        title = _rename(model.title, copy) or paragraphs[0][:60]
        date = start + timedelta(hours=rnd.uniform(0, 60))
        out.append((title, date, model.outlet, paragraphs))
    return out


def write_article(folder: Path, name: str, title: str, date: datetime, outlet: str,
                  paragraphs: list[str]) -> None:
    front = json.dumps({"title": title, "date": date.isoformat(), "outlet": outlet})
    front = "\n".join(f"{k}: {json.dumps(v)}" for k, v in json.loads(front).items())
    (folder / f"{name}.md").write_text(f"---\n{front}\n---\n\n" + "\n\n".join(paragraphs) + "\n")


def build_corpus(folder: Path, size: int, seed: int = 1) -> int:
    """Write `size` articles into folder; returns the number of synthetic stories."""
    rnd = random.Random(seed)
    bases = _base_stories()
    folder.mkdir(parents=True, exist_ok=True)
    for old in folder.glob("*.md"):
        old.unlink()
    written, story = 0, 0
    while written < size:
        base = bases[story % len(bases)]
        copy = story // len(bases)
        n = min(len(base), size - written)
        start = START + timedelta(days=written / PER_DAY)
        for i, (title, date, outlet, paragraphs) in enumerate(
                synthetic_story(base, copy, n, start, rnd)):
            write_article(folder, f"{story:06d}_{i:02d}", title, date, outlet, paragraphs)
        written += n
        story += 1
    return story


def big_story(n_articles: int = 100, seed: int = 2) -> Story:
    """One story of n articles built from the largest-vocabulary gold story."""
    rnd = random.Random(seed)
    base = _base_stories()[0]
    articles = []
    for i, (title, date, outlet, paragraphs) in enumerate(
            synthetic_story(base, 0, n_articles, START, rnd)):
        body = "\n\n".join(paragraphs)
        articles.append(Article(id=f"a{i:015d}", path=f"{i}.md", title=title, outlet=f"{outlet}{i % 7}",
                                date=date, author=None, url=None, text=body))
    return Story(id="s0", title=articles[0].title, articles=tuple(articles))


# -- timed runs, each in its own process ---------------------------------------------
def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def cpu_seconds() -> float:
    """User + system time of this process and its finished workers: the work done, which
    varies less than the wall clock on a shared machine."""
    return sum(u.ru_utime + u.ru_stime for u in (resource.getrusage(resource.RUSAGE_SELF),
                                                  resource.getrusage(resource.RUSAGE_CHILDREN)))


def run_pipeline(folder: Path, state: str | Path) -> dict[str, float]:
    """Cold: ingest, clean, group, summarize every story, render (state: a SQLite file's path,
    or a postgresql:// URL: bench/pg_speed.py)."""
    from digest import pipeline, render
    from digest.storage import Store, parse_location

    now = datetime(2030, 1, 1)
    cpu0 = cpu_seconds()
    t0 = time.perf_counter()
    with Store(parse_location(str(state))) as store:
        report = pipeline.ingest_folders(store, [folder], now=now, settle_seconds=0)
        t1 = time.perf_counter()
        summaries = pipeline.story_summaries(store)
        t2 = time.perf_counter()
        markdown = render.render_markdown(pipeline.briefing(summaries, now=now))
    t3 = time.perf_counter()
    return {"articles": report.new_articles, "stories": len(summaries), "ingest": t1 - t0,
            "summarize": t2 - t1, "render": t3 - t2, "total": t3 - t0, "chars": len(markdown),
            "cpu": cpu_seconds() - cpu0, "rss_mb": peak_rss_mb()}


def run_increment(folder: Path, state: Path) -> dict[str, float]:
    """100 new articles into an existing store: only the new folder is read."""
    from digest import pipeline
    from digest.storage import Store

    t0 = time.perf_counter()
    with Store(state) as store:
        report = pipeline.ingest_folders(store, [folder], now=datetime(2030, 1, 2), settle_seconds=0)
        stored = store.articles.count()
    return {"articles": report.new_articles, "stored": stored, "total": time.perf_counter() - t0,
            "rss_mb": peak_rss_mb()}


def run_story(n_articles: int) -> dict[str, float]:
    """digest's default vs sumy's LexRank on one big story, same sentences, same process."""
    from digest import summarize

    story = big_story(n_articles)
    units = [u for u in summarize.units_of(story) if summarize.eligible(u)]
    t0 = time.perf_counter()
    summarize.summarize_story(story, method=summarize.DEFAULT_METHOD, words=250)
    t1 = time.perf_counter()
    summarize.summarize_story(story, method="lexrank", words=250)
    t2 = time.perf_counter()
    return {"articles": n_articles, "sentences": len(units), "digest": t1 - t0, "lexrank": t2 - t1,
            "ratio": (t2 - t1) / (t1 - t0), "rss_mb": peak_rss_mb()}


def in_process(kind: str, *args: str) -> dict[str, float]:
    out = subprocess.run([sys.executable, __file__, "_" + kind, *args], check=True,
                         capture_output=True, text=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    if len(sys.argv) > 1 and sys.argv[1].startswith("_"):
        kind, args = sys.argv[1][1:], sys.argv[2:]
        fn = {"pipeline": lambda: run_pipeline(Path(args[0]), args[1]),
              "increment": lambda: run_increment(Path(args[0]), Path(args[1])),
              "story": lambda: run_story(int(args[0]))}[kind]
        print(json.dumps(fn()))
        return
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1000,10000,100000")
    parser.add_argument("--story-articles", type=int, default=100)
    parser.add_argument("--workdir", type=Path, help="keep corpora here (default: a temp folder)")
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]
    with tempfile.TemporaryDirectory() as tmp:
        work = args.workdir or Path(tmp)
        rows = []
        for size in sizes:
            t = time.perf_counter()
            folder = work / f"corpus{size}"
            done = work / f"corpus{size}.complete"  # a corpus cut short is rebuilt
            if not done.exists():
                build_corpus(folder, size)
                done.touch()
            build = time.perf_counter() - t
            state = work / f"state{size}.sqlite"
            for p in work.glob(f"state{size}.sqlite*"):
                p.unlink()
            r = in_process("pipeline", str(folder), str(state))
            r["size"], r["build"] = size, build
            rows.append(r)
            print(f"# {size}: {r}", file=sys.stderr, flush=True)
        inc = None
        big = max(sizes)
        if big >= 1000:
            new = work / f"new{big}"
            if new.exists():
                for p in new.iterdir():
                    p.unlink()
            # 100 new articles: follow-ups of the last stories and new stories, the next day.
            rnd = random.Random(7)
            bases = _base_stories()
            written = 0
            while written < 100:
                base = bases[written % len(bases)]
                arts = synthetic_story(base, 1000 + written, min(10, 100 - written),
                                       START + timedelta(days=big / PER_DAY + 1), rnd)
                new.mkdir(parents=True, exist_ok=True)
                for i, (title, date, outlet, paragraphs) in enumerate(arts):
                    write_article(new, f"new{written + i:03d}", title, date, outlet, paragraphs)
                written += len(arts)
            inc = in_process("increment", str(new), str(work / f"state{big}.sqlite"))
            inc["size"] = big
        story = in_process("story", str(args.story_articles))
    print(report(rows, inc, story))


def report(rows: list[dict[str, float]], inc: dict[str, float] | None, story: dict[str, float]) -> str:
    out = ["| articles | stories | ingest+group | summarize | render | total | CPU (all processes) "
           "| peak RSS |",
           "|---:|---:|---:|---:|---:|---:|---:|---:|"]
    for r in rows:
        out.append(f"| {r['size']:,} | {r['stories']:,} | {r['ingest']:.1f} s | {r['summarize']:.1f} s | "
                   f"{r['render']:.1f} s | {r['total']:.1f} s | {r['cpu']:.1f} s | {r['rss_mb']:.0f} MB |")
    if len(rows) >= 2:
        a, b = rows[0], rows[-1]
        exp = math.log(b["total"] / a["total"]) / math.log(b["size"] / a["size"])
        out.append("")
        out.append(f"Growth exponent of the total, {a['size']:,} -> {b['size']:,} articles: {exp:.2f}")
        for x, y in itertools.pairwise(rows):
            e = math.log(y["total"] / x["total"]) / math.log(y["size"] / x["size"])
            out.append(f"  {x['size']:,} -> {y['size']:,}: {e:.2f}")
    if inc:
        out.append("")
        out.append(f"100 new articles into the {inc['size']:,}-article store: {inc['total']:.2f} s "
                   f"({inc['articles']} new, {inc['stored']:,} stored, peak RSS {inc['rss_mb']:.0f} MB)")
    out.append("")
    out.append(f"One {story['articles']}-article story ({story['sentences']:,} distinct sentences), "
               f"250 words: digest {story['digest']:.2f} s, sumy LexRank {story['lexrank']:.2f} s, "
               f"ratio {story['ratio']:.0f}x")
    return "\n".join(out)


if __name__ == "__main__":
    main()
