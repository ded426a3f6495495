"""`digest topics`: list the followed topics and try them on the stored stories."""

from __future__ import annotations

import click

from digest import (
    pipeline,
    render,
    topic_rules,
    topics,
)
from digest.cli.app import (
    Context,
    cli,
    load_config,
    parse_since,
    pass_ctx,
    utcnow,
    warn,
)
from digest.errors import DigestError
from digest.models import StorySummary


def followed_topics(obj: Context, names: tuple[str, ...]) -> list[topics.Topic]:
    cfg = load_config(obj)
    return topic_rules.select(cfg.topics, names, file=cfg.file)


def _stored_summaries(obj: Context, since: str | None
                      ) -> tuple[list[StorySummary], dict[str, str]]:
    with obj.store() as store:
        summaries = pipeline.story_summaries(store, since=parse_since(since, utcnow()))
        duplicates = store.articles.duplicates()
    if not summaries:
        warn("no stored stories: run `digest brief` (or `digest run`) to take in articles first")
    return summaries, duplicates


@cli.group(name="topics")

def topics_group() -> None:
    """Topics to follow: list them and try them on the stored stories."""


@topics_group.command(name="list")

@click.option("--since", help="Only stories with articles since: 24h, 7d, 2024-03-28.")

@pass_ctx

def topics_list(obj: Context, since: str | None) -> None:
    """List the topics and how many stored stories each matches."""
    cfg = load_config(obj)
    if not cfg.topics:
        click.echo(f"{cfg.file}: no [[topics]] entries")
        return
    compiled = [rule.compile() for rule in cfg.topics]
    summaries, _ = _stored_summaries(obj, since)
    counts = topics.count_matches(summaries, compiled)
    width = max(len(t.name) for t in compiled)
    for t in compiled:
        n = counts[t.name]
        click.echo(f"{t.name:<{width}}  {n:>3} {'story' if n == 1 else 'stories':<7}  "
                   f"{topics.describe_topic(t)}")


@topics_group.command(name="test")

@click.argument("name", required=False)

@click.option("--query", "query", metavar="QUERY",
              help="Try a query instead of a configured topic: '\"concert hall\" AND Putin'.")

@click.option("--since", help="Only stories with articles since: 24h, 7d, 2024-03-28.")

@click.option("--all", "show_all", is_flag=True,
              help="Also list the stories that do not match, with the reason.")

@pass_ctx

def topics_test(obj: Context, name: str | None, query: str | None, since: str | None,
                show_all: bool) -> None:
    """Show which stored stories topic NAME (or --query) matches, and why."""
    if (name is None) == (query is None):
        raise click.UsageError("give a topic NAME or --query QUERY (one of them)")
    if query is not None:
        try:
            topic = topics.compile_topic("query", query=query)
        except DigestError as e:
            raise click.BadParameter(str(e), param_hint="--query") from None
    else:
        [topic] = followed_topics(obj, (str(name),))
    summaries, duplicates = _stored_summaries(obj, since)
    hits, misses = topics.try_topic(summaries, topic, duplicates)
    click.echo(f"{topic.name}: {len(hits)} of {len(summaries)} stored stories match "
               f"({topics.describe_topic(topic)})")
    for i, s in enumerate(hits, 1):
        story = s.story
        dates = render.format_date(story.first_date)
        last, first = story.last_date, story.first_date
        if last and first and last.date() != first.date():
            dates += f" to {render.format_date(story.last_date)}"
        click.echo(f"\n{i}. {story.title}\n   score {s.topic_score:.1f} · "
                   f"{len(story.articles)} article(s) from {', '.join(story.outlets)} · {dates} · "
                   f"story {story.id}\n   why: {'; '.join(s.reasons)}")
    if show_all and misses:
        click.echo("\nnot matching:")
        for s, m in misses:
            click.echo(f"- {s.story.title} ({s.story.id}): {m.why_not}")
