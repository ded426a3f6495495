"""The labelled numeric-claims set in bench/data/claims/ is valid, and its validator catches bad rows."""

from __future__ import annotations

import json
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "bench"))

import claims_data  # noqa: E402  (bench/ is not a package)

pytestmark = pytest.mark.no_state  # checks the labelled claims data, no state

DATA = ROOT / "bench" / "data" / "claims"


def test_shipped_set_is_valid() -> None:
    assert claims_data.validate(DATA) == []


def test_shipped_set_sizes_and_splits() -> None:
    rows = claims_data.load(DATA)
    stories = {r.story: r.split for r in rows}
    assert len({r.id for r in rows}) == len(rows)
    assert Counter(stories.values())["dev"] >= 25
    assert len(rows) >= 400 and len(stories) >= 40
    dev = [r for r in rows if r.split == "dev"]
    validation = [r for r in rows if r.split == "validation"]
    assert len(dev) >= 250 and len(validation) >= 150
    assert {r.set for r in dev} == {"duc2003", "duc2006"}
    assert {r.set for r in validation} == {"duc2007"}
    for part in (dev, validation):
        current = [c for r in part for c in r.claims if c.role == "current"]
        assert len(current) >= 80
        assert any(c.role != "current" for r in part for c in r.claims)  # earlier / other_event traps
    # the test split (labelled blind, session 6): MultiLing 2011 topics and DUC 2006 stories not in dev
    test = [r for r in rows if r.split == "test"]
    assert len(test) >= 250 and {r.set for r in test} == {"duc2006", "multiling2011"}
    assert not {r.story for r in test} & {r.story for r in dev + validation}
    assert len([c for r in test for c in r.claims if c.role == "current"]) >= 80
    assert all(r.date is None or len(r.date) == 10 for r in test)
    # the train split (session 8): more DUC stories to tune on, none of them in another split
    train = [r for r in rows if r.split == "train"]
    assert len(train) >= 250 and {r.sample for r in train} == {"casualty_all", "numbers"}
    assert not {r.story for r in train} & {r.story for r in dev + validation + test}
    assert not {r.doc for r in train} & {r.doc for r in dev + validation + test}
    assert len([c for r in train for c in r.claims if c.role == "current"]) >= 60
    # train2 (session 11): modern web news, one page a story, from the extraction sets' gold texts
    train2 = [r for r in rows if r.split == "train2"]
    assert len(train2) >= 250 and len({r.story for r in train2}) >= 60
    assert {r.set for r in train2} == {"gn1", "dragnet", "cleanportal"}
    assert {r.sample for r in train2} == {"casualty_all", "numbers"}
    assert all(r.date is None and r.story.endswith(r.doc) for r in train2)
    assert not {r.story for r in train2} & {r.story for r in dev + validation + test + train}
    assert len([c for r in train2 for c in r.claims if c.role == "current"]) >= 60
    # train3 (session 12): the pages train2's draw left out, rich in sentences a scope can be in
    train3 = [r for r in rows if r.split == "train3"]
    assert len(train3) >= 150 and len({r.story for r in train3}) >= 100
    assert {r.set for r in train3} == {"gn1", "dragnet", "cleanportal"}
    assert {r.sample for r in train3} == {"scope", "casualty_all", "numbers"}
    assert all(r.date is None and r.story.endswith(r.doc) for r in train3)
    assert not {r.story for r in train3} & {r.story for r in dev + validation + test + train + train2}
    assert not {r.sentence for r in train3} & {r.sentence for r in rows if r.split != "train3"}
    assert len([c for r in train3 for c in r.claims if c.role == "current"]) >= 40
    # validation2 (session 14): every DUC story left in no split, labelled blind; held out
    validation2 = [r for r in rows if r.split == "validation2"]
    assert len(validation2) >= 220 and len({r.story for r in validation2}) >= 15
    assert {r.set for r in validation2} == {"duc2003", "duc2006", "duc2007"}
    assert {r.sample for r in validation2} == {"casualty_all", "numbers"}
    others = [r for r in rows if r.split != "validation2"]
    assert not {r.story for r in validation2} & {r.story for r in others}
    assert not {r.doc for r in validation2} & {r.doc for r in others}
    assert not {r.sentence for r in validation2} & {r.sentence for r in others}
    four_died = rows_by_id(rows)["D0726F-APW19990420.0295-s5"]  # "Four people died." (a tornado)
    assert [(c.subject, c.low, c.role) for c in four_died.claims] == [("killed", 4, "current")]
    # each kind of number the extractor must skip is represented
    reasons = Counter(n.why for r in rows for n in r.not_claims)
    for why in ("age", "date", "time", "money", "percent", "speed", "measure"):
        assert reasons[why] >= 5, why


def rows_by_id(rows: list[claims_data.Sentence]) -> dict[str, claims_data.Sentence]:
    return {r.id: r for r in rows}


def test_verdicts_cover_every_class_and_both_splits() -> None:
    verdicts = claims_data.load_verdicts(DATA)
    assert len(verdicts) >= 35
    assert {v.verdict for v in verdicts} == {"rising", "revised", "disagree", "agree"}
    assert {v.split for v in verdicts} == {"dev", "validation", "test", "train", "validation2"}
    # the test split's verdicts are on its DUC 2006 stories (MultiLing articles have no time of day)
    rows = claims_data.load(DATA)
    test_duc = {r.story for r in rows if r.split == "test" and r.set == "duc2006"}
    test = [v for v in verdicts if v.split == "test"]
    assert len(test) >= 7 and {v.story for v in test} <= test_duc
    elian = next(v for v in test if v.story == "D0647B" and v.subject == "killed")
    assert elian.verdict == "rising" and [c.text for c in elian.claims][:2] == ["nine", "10"]
    quake = next(v for v in verdicts if v.story == "D0743J" and v.subject == "killed" and v.scope is None)
    assert quake.verdict == "revised"
    texts = [c.text for c in quake.claims]
    assert texts[texts.index("17,997") + 1] == "12,514"  # "revised that figure down to 12,514"


def test_a_known_sentence_reads_as_labelled() -> None:
    rows = {r.id: r for r in claims_data.load(DATA)}
    fire = rows["d31022t-APW19981030.1037-s0"]
    assert [(c.subject, c.low, c.high, c.qualifier, c.role) for c in fire.claims] == [
        ("killed", 60, 60, "exact", "current"), ("injured", 162, 162, "exact", "current")]
    earlier = rows["d31022t-APW19981030.1037-s1"]  # "Police earlier had reported 65 dead"
    assert [(c.text, c.role) for c in earlier.claims] == [("65", "earlier")]


def _row(**over: object) -> dict[str, object]:
    row: dict[str, object] = {
        "id": "X1-DOC.1-s0", "split": "dev", "set": "duc2003", "story": "X1", "doc": "DOC.1",
        "date": "1998-10-30", "outlet": "APW", "part": "body", "sample": "numbers",
        "sentence": "The fire killed at least 60 people, aged 13 to 18, on Friday.",
        "claims": [{"subject": "killed", "scope": None, "text": "at least 60", "low": 60, "high": None,
                    "qualifier": "lower", "role": "current"}],
        "not_claims": [{"text": "13 to 18", "why": "age"}]}
    row.update(over)
    return row


def _write(folder: Path, *rows: dict[str, object]) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "sentences.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows))
    return folder


def test_validator_accepts_a_good_row(tmp_path: Path) -> None:
    assert claims_data.validate(_write(tmp_path / "d", _row())) == []


@pytest.mark.parametrize(("bad", "reason"), [
    ({"not_claims": []}, "'1' at 41 is neither a claim nor a not-claim"),
    ({"claims": [{"subject": "killed", "scope": None, "text": "at least 61", "low": 61, "high": None,
                  "qualifier": "lower", "role": "current"}]}, "'at least 61' not found"),
    ({"claims": [{"subject": "killed", "scope": None, "text": "at least 60", "low": 60, "high": 50,
                  "qualifier": "lower", "role": "current"}]}, "low 60 > high 50"),
    ({"claims": [{"subject": "killed", "scope": None, "text": "at least 60", "low": 60, "high": 60,
                  "qualifier": "lower", "role": "current"}]}, "do not fit qualifier 'lower'"),
    ({"claims": [{"subject": "dead people", "scope": None, "text": "at least 60", "low": 60, "high": None,
                  "qualifier": "lower", "role": "current"}]}, "subject 'dead people'"),
    ({"set": "duc2007"}, "does not belong to split 'dev'"),
    ({"id": "other-id"}, "is not <story>-<doc>-s<n>"),
    ({"date": None}, "date None is not YYYY-MM-DD"),  # only the undated MultiLing set may omit it
    ({"set": "multiling2011"}, "does not belong to split 'dev'"),
    ({"set": "gn1"}, "does not belong to split 'dev'"),  # web pages are train2's only
    ({"split": "validation2", "set": "multiling2011"}, "does not belong to split 'validation2'"),
])
def test_validator_names_line_and_reason(tmp_path: Path, bad: dict[str, object], reason: str) -> None:
    errs = claims_data.validate(_write(tmp_path / "d", _row(), _row(**{"id": "X1-DOC.1-s1", **bad})))
    assert len(errs) >= 1
    assert errs[0].startswith("sentences.jsonl:2")
    assert reason in errs[0]


def test_validator_places_a_figure_outside_longer_numbers(tmp_path: Path) -> None:
    """"8" is not the 8 of "189": each label takes its own occurrence, so a missed one is reported."""
    tally = _row(sentence="Lives lost, 189 including 8 drowned in Texas.",
                 claims=[{"subject": "killed", "scope": None, "text": "189", "low": 189, "high": 189,
                          "qualifier": "exact", "role": "current"},
                         {"subject": "killed", "scope": "Texas", "text": "8", "low": 8, "high": 8,
                          "qualifier": "exact", "role": "current"}], not_claims=[])
    assert claims_data.validate(_write(tmp_path / "d", tally)) == []
    lone = _row(sentence="Lives lost, 189 in all.", claims=[], not_claims=[{"text": "8", "why": "other"}])
    errs = claims_data.validate(_write(tmp_path / "e", lone))
    assert any("'8' not found" in e for e in errs) and any("'1' at 12 is neither" in e for e in errs), errs
    undated = _row(set="multiling2011", split="test", date=None, outlet="WikiNews")
    assert claims_data.validate(_write(tmp_path / "f", undated)) == []
    page = _row(set="dragnet", split="train2", date=None, outlet="Dragnet")
    assert claims_data.validate(_write(tmp_path / "g", page)) == []


def test_validator_catches_duplicates_and_split_leaks(tmp_path: Path) -> None:
    errs = claims_data.validate(_write(tmp_path / "d", _row(), _row()))
    assert any("duplicate id" in e for e in errs)
    leak = _row(id="X1-DOC.2-s0", doc="DOC.2", split="validation", set="duc2007")
    errs = claims_data.validate(_write(tmp_path / "e", _row(), leak))
    assert any("story X1 appears in two splits" in e for e in errs)


def _verdict(**over: object) -> dict[str, object]:
    v: dict[str, object] = {
        "story": "X1", "split": "dev", "subject": "killed", "scope": None, "verdict": "rising",
        "note": "60 then 62",
        "claims": [{"doc": "DOC.1", "date": "1998-10-30T14:25", "text": "60", "low": 60, "high": 60},
                   {"doc": "DOC.2", "date": "1998-11-02T05:35", "text": "62", "low": 62, "high": 62}]}
    v.update(over)
    return v


@pytest.mark.parametrize(("bad", "reason"), [
    ({"verdict": "up"}, "verdict 'up' unknown"),
    ({"note": " "}, "needs a note"),
    ({"claims": [{"doc": "DOC.1", "date": "1998-10-30", "text": "60", "low": 60, "high": 60}]},
     "at least two articles"),
    ({"claims": [{"doc": "DOC.2", "date": "1998-11-02", "text": "62", "low": 62, "high": 62},
                 {"doc": "DOC.1", "date": "1998-10-30", "text": "60", "low": 60, "high": 60}]},
     "not ordered by article time"),
    ({"split": "validation"}, "story X1 is in dev"),
])
def test_verdict_problems_are_named(tmp_path: Path, bad: dict[str, object], reason: str) -> None:
    folder = _write(tmp_path / "d", _row())
    (folder / "verdicts.jsonl").write_text(json.dumps(_verdict()) + "\n" + json.dumps(_verdict(**bad)) + "\n")
    errs = claims_data.validate(folder)
    assert len(errs) >= 1 and all(e.startswith("verdicts.jsonl:2") for e in errs), errs
    assert any(reason in e for e in errs), errs


def test_cli_prints_counts_and_fails_on_bad_data(tmp_path: Path) -> None:
    ok = subprocess.run([sys.executable, "bench/claims_data.py"], cwd=ROOT, capture_output=True,
                        text=True, check=False)
    assert ok.returncode == 0, ok.stderr
    assert "| sentences |" in ok.stdout and "| stories |" in ok.stdout
    bad = _write(tmp_path / "d", _row(not_claims=[]))
    out = subprocess.run([sys.executable, "bench/claims_data.py", "--data", str(bad)], cwd=ROOT,
                         capture_output=True, text=True, check=False)
    assert out.returncode == 1
    assert "sentences.jsonl:1" in out.stderr and "neither a claim nor a not-claim" in out.stderr


def test_selection_rule_rebuilds_the_shipped_sample() -> None:
    """select_sentences.py (the README's rule as code) yields exactly the labelled sentences."""
    sys.path.insert(0, str(DATA))
    import select_sentences

    if not (select_sentences.EVAL / "duc2007" / "clusters.tsv").is_file():
        pytest.skip("evaluation data not found in ../shared/eval")
    rebuilt = select_sentences.sample()
    shipped = [json.loads(line) for line in (DATA / "sentences.jsonl").read_text().splitlines()]
    assert len(rebuilt) == len(shipped)
    for new, old in zip(rebuilt, shipped, strict=True):
        assert new == {k: v for k, v in old.items() if k not in ("claims", "not_claims")}
