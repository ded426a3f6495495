"""The event-level labels in bench/data/events/ cover the sample exactly, and the validator
catches bad rows (skipped without ../shared/eval, which the sample is drawn from)."""

from __future__ import annotations

import dataclasses
import sys
from collections import Counter
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "bench"))

import events_data  # noqa: E402  (bench/ is not a package)

pytestmark = [pytest.mark.no_state,
              pytest.mark.skipif(not (events_data.select_topics.EVAL / "duc2007").is_dir(),
                                 reason="evaluation data not found in ../shared/eval")]


def test_sample_is_the_fixed_positions() -> None:
    topics = events_data.select_topics.sampled_topics()
    assert topics == {"duc2006": ["D0601A", "D0611B", "D0621C", "D0631D", "D0641E"],
                      "duc2007": ["D0701A", "D0710C", "D0719E", "D0728G", "D0737I"]}


def test_shipped_labels_are_valid() -> None:
    labels = events_data.load()
    assert events_data.validate(labels) == []
    assert len(labels) == 250
    per_topic = Counter(label.topic for label in labels)
    assert len(per_topic) == 10 and set(per_topic.values()) == {25}
    # the Concorde topic is one event; global warming splits into many
    events = {t: {label.event for label in labels if label.topic == t} for t in ("D0631D", "D0641E")}
    assert events["D0631D"] == {"air-france-concorde-crash-2000"}
    assert len(events["D0641E"]) >= 15


def test_second_readers_labels_are_valid_and_mostly_agree() -> None:
    """labels_b.tsv: the same rows, labelled again by a second reader who never saw the first's."""
    import eval_events  # imports digest's grouping: only here

    first = events_data.load()
    second = events_data.load(events_data.DATA / "labels_b.tsv")
    assert events_data.validate(second) == []
    # each reader marks hard calls in their own words; both are read as hard
    assert (sum(lab.hard for lab in first), sum(lab.hard for lab in second)) == (28, 39)
    assert {(lab.topic, lab.docno) for lab in second} == {(lab.topic, lab.docno) for lab in first}
    a = {lab.docno: frozenset([lab.key]) for lab in first}
    b = {lab.docno: lab.key for lab in second}
    agreement = eval_events.score(b, a)
    assert 0.9 < agreement["F1"] < 1.0  # close, and not a copy


def test_validator_catches_bad_rows() -> None:
    labels = events_data.load()
    first = labels[0]
    broken = [dataclasses.replace(first, date="1999-13-45", event=""), *labels[2:], labels[3]]
    problems = events_data.validate(broken)
    assert any("does not parse" in p for p in problems)
    assert any("not a slug" in p for p in problems)
    assert any("labelled twice" in p for p in problems)
    assert any(f"'{labels[1].docno}'" in p and "not labelled" in p for p in problems)
    outsider = dataclasses.replace(first, topic="D0602B")
    assert any("not in the sample" in p for p in events_data.validate([outsider]))


def test_sample_sets_hold_the_same_articles_under_both_golds() -> None:
    import eval_events  # imports digest's grouping: only here

    labels = events_data.load()
    by_event, by_topic = eval_events.sample_sets(labels)
    assert [a.path for a in by_event.articles] == [a.path for a in by_topic.articles]
    assert len(by_event.articles) == 250
    dates = [a.date for a in by_event.articles]
    assert dates == sorted(dates)  # fed in date order
    assert len(by_topic.members) == 10
    assert len(by_event.members) == len({label.key for label in labels})
    concorde = by_event.members["D0631D:air-france-concorde-crash-2000"]
    assert len(concorde) == 25
    assert all(by_topic.gold[i] == {"D0631D"} for i in concorde)
