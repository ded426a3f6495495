"""The `[[topics]]` config entries: a strict pydantic model whose errors name the key.

Kept apart from digest.config (which imports it) so that digest.topics stays pure: the
validators only call the parsers of digest.topics and turn their TopicError into the
ValueError pydantic reports at `topics[N].key`.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from digest import topics
from digest.errors import ConfigError, TopicError


class TopicRule(BaseModel):
    """One [[topics]] entry as written in the config."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str = Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,60}$")
    any: list[str] = Field(default_factory=list)
    all: list[str] = Field(default_factory=list)
    exclude: list[str] = Field(default_factory=list)
    query: str | None = None
    regex: list[str] = Field(default_factory=list)
    outlets: list[str] = Field(default_factory=list)
    exclude_outlets: list[str] = Field(default_factory=list)
    min_score: float = Field(default=1.0, ge=0)
    # What the reader wants to know of the topic's stories; their summaries favour the
    # sentences that answer it (digest.summarize, "focus").
    description: str | None = None

    @field_validator("any", "all", "exclude")
    @classmethod
    def _terms(cls, v: list[str]) -> list[str]:
        return _check_each(v, topics.parse_term)

    @field_validator("query")
    @classmethod
    def _query(cls, v: str | None) -> str | None:
        if v is not None:
            try:
                topics.parse_query(v)
            except TopicError as e:
                raise ValueError(f"{e} in {v!r}") from None
        return v

    @field_validator("description")
    @classmethod
    def _description(cls, v: str | None) -> str | None:
        if v is not None:
            _check_each([v], topics.check_description)
        return v

    @field_validator("regex")
    @classmethod
    def _regex(cls, v: list[str]) -> list[str]:
        return _check_each(v, topics.compile_regex)

    @model_validator(mode="after")
    def _not_empty(self) -> TopicRule:
        if not (self.any or self.all or self.regex or (self.query and self.query.strip())):
            raise ValueError("empty topic: give at least one of any, all, query or regex "
                             "(exclude and outlets only narrow a topic down)")
        overlap = {o.lower() for o in self.outlets} & {o.lower() for o in self.exclude_outlets}
        if overlap:
            raise ValueError(f"{', '.join(sorted(overlap))} is in both outlets and exclude_outlets")
        return self

    def compile(self) -> topics.Topic:
        """The matcher for this rule."""
        return topics.compile_topic(
            self.name, any=self.any, all=self.all, exclude=self.exclude, query=self.query,
            regex=self.regex, outlets=self.outlets, exclude_outlets=self.exclude_outlets,
            min_score=self.min_score, description=self.description or "")


def check_unique(rules: Sequence[TopicRule]) -> None:
    """Two topics with one name would make `--topic NAME` ambiguous."""
    names = [r.name for r in rules]
    for name in names:
        if names.count(name) > 1:
            raise ValueError(f"two topics are named {name!r}")


def select(rules: Sequence[TopicRule], names: Sequence[str], *, file: Path | str
           ) -> list[topics.Topic]:
    """The compiled topics called `names`, in that order; an unknown name is a ConfigError."""
    by_name = {r.name: r for r in rules}
    chosen = []
    for name in dict.fromkeys(names):
        if name not in by_name:
            known = ", ".join(by_name) or "none: add [[topics]] entries"
            raise ConfigError(f"{file}: topics: no topic named {name!r} (known: {known})")
        chosen.append(by_name[name].compile())
    return chosen


def _check_each(values: list[str], check: Callable[[str], object]) -> list[str]:
    """Run a topics parser on each value; its TopicError becomes pydantic's ValueError."""
    for value in values:
        try:
            check(value)
        except TopicError as e:
            raise ValueError(str(e)) from None
    return values
