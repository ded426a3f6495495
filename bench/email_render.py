"""Time rendering one email digest (templates + CSS inlining) on a synthetic briefing.

    .venv/bin/python bench/email_render.py [--stories 10] [--articles 300] [--repeat 20]

Prints the median time of render.render_email and of render.inline_css alone, and the size of
the HTML part (Gmail clips messages over 102 KB). Figures go in docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import statistics
import time
from datetime import UTC, datetime, timedelta

from digest import render
from digest.models import Article, Briefing, BriefingSection, Story, StorySummary, SummarySentence


def synthetic_briefing(stories: int, articles: int) -> Briefing:
    """stories stories of articles articles each, every article from its own outlet."""
    now = datetime(2024, 4, 3, 5, 0)
    summaries = []
    for s in range(stories):
        arts = tuple(
            Article(id=f"s{s}a{a}", path=f"/news/s{s}/a{a}.txt", title=f"Story {s} as told by outlet {a}",
                    outlet=f"Outlet {a:03d}", date=now - timedelta(hours=a % 48), author=None,
                    url=f"https://outlet{a}.example.org/news/{s}/{a}", text="Body.")
            for a in range(articles))
        ids = tuple(a.id for a in arts)
        sentences = tuple(SummarySentence(text=f"Sentence {k} of story {s}, reported by many outlets "
                                          "with the same words about the same event.",
                                          sources=ids[k::5], similar=ids[k + 1::7])
                          for k in range(5))
        summaries.append(StorySummary(story=Story(id=f"story{s}", title=f"Story number {s}",
                                                  articles=arts),
                                      sentences=sentences, status="new"))
    return Briefing(generated_at=now, sections=(BriefingSection(title=None, stories=tuple(summaries)),))


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--stories", type=int, default=10)
    ap.add_argument("--articles", type=int, default=300)
    ap.add_argument("--repeat", type=int, default=20)
    args = ap.parse_args()
    briefing = synthetic_briefing(args.stories, args.articles)

    def render_once() -> render.EmailParts:
        return render.render_email(briefing, digest="morning", tz=UTC, recipient="ana@example.org",
                                   unsubscribe="mailto:digest@example.org")

    t0 = time.perf_counter()
    parts = render_once()  # the first call pays the imports
    first = time.perf_counter() - t0
    totals = []
    for _ in range(args.repeat):
        t0 = time.perf_counter()
        parts = render_once()
        totals.append(time.perf_counter() - t0)
    raw = render._render_email_template(
        "email.html.j2", {"briefing": briefing, "stories": briefing.stories, "digest": "morning",
                          "recipient": "ana@example.org", "when": datetime.now(UTC), "new_count": 0,
                          "updated_count": 0, "unsubscribe": "mailto:digest@example.org",
                          "subject": "s"}, None, html=True)
    inlines = []
    for _ in range(args.repeat):
        t0 = time.perf_counter()
        render.inline_css(raw)
        inlines.append(time.perf_counter() - t0)
    print(f"{args.stories} stories x {args.articles} articles: first render {first * 1000:.0f} ms, "
          f"render_email median {statistics.median(totals) * 1000:.1f} ms, "
          f"inline_css median {statistics.median(inlines) * 1000:.1f} ms, "
          f"HTML {len(parts.html.encode()) / 1024:.1f} KB")


if __name__ == "__main__":
    main()
