"""The learned claim reader: its candidates, its decision, its weights file and its training
labels (bench/train_claims.py). Sentences are invented."""

from __future__ import annotations

import sys

import pytest
from conftest import ROOT

from digest import claim_model, claims

sys.path.insert(0, str(ROOT / "bench"))
import train_claims


def current(found: list[claims.Claim]) -> list[tuple[str, int | None, int | None, str]]:
    return [(c.subject, c.low, c.high, c.qualifier) for c in found if c.role == "current"]


def test_candidates_include_counts_the_rules_do_not_read() -> None:
    """The rules read no claim in "killed his wife, then two young children"; the candidate
    generator still offers the two, for the subject its casualty word names."""
    sentence = "Police said the gunman killed his wife, then two young children, before the shooting."
    assert claims.read_claims(sentence) == []
    reading = claims.proposals(sentence, year=1998)
    [p] = reading.proposals
    assert (p.claim.subject, p.claim.value, p.claim.low, p.candidate.cue,
            p.candidate.rule_role) == ("killed", "two", 2, "killed", None)
    assert reading.tokens[p.candidate.start:p.candidate.end] == ["two"]


def test_candidates_of_one_count_are_one_per_subject_near_it() -> None:
    sentence = "Rescuers tried to evacuate the 118 sailors trapped aboard the submarine."
    reading = claims.proposals(sentence, year=2000)
    got = [(p.unit, p.claim.subject, p.candidate.cue, p.candidate.rule_role)
           for p in reading.proposals]
    assert got == [(0, "other:trapped", "trapped", "current"),
                   (0, "displaced", "evacuate", None),
                   (0, "other:aboard", "aboard", None)]


def test_count_cues_mark_earlier_and_current_figures() -> None:
    reading = claims.proposals("The toll has risen to 158, up from 95 on Monday.", year=1998)
    by_value = {p.claim.value: (p.candidate.rule_role, p.cues) for p in reading.proposals}
    assert by_value["158"] == ("current", ("current_before",))
    assert by_value["95"][0] == "earlier" and "earlier_before" in by_value["95"][1]


def hand_model(weights: dict[str, tuple[float, float, float, float]]) -> claim_model.ClaimModel:
    """A model with a few weights set by hand (classes none, current, earlier, other_event)."""
    return claim_model.ClaimModel(weights, (0.0, 0.0, 0.0, 0.0))


def test_the_model_decides_which_candidate_is_current_and_of_what() -> None:
    """With weights that trust a nearby casualty word, a count the rules missed becomes the
    current claim of the cue's subject; a count the model rejects is dropped."""
    trust_cue = hand_model({"rule=none": (0.0, 3.0, 0.0, 0.0), "cue=killed": (0.0, 2.0, 0.0, 0.0)})
    sentence = "Police said the gunman killed his wife, then two young children, before the shooting."
    [c] = claims.learned_claims(sentence, year=1998, model=trust_cue)
    assert (c.subject, c.value, c.low, c.high, c.qualifier, c.role) == (
        "killed", "two", 2, 2, "exact", "current")
    # of the three subjects offered for the 118, the one the weights favour wins
    favour = hand_model({"s=displaced": (0.0, 4.0, 0.0, 0.0), "s=other:trapped": (2.0, 0.0, 0, 0)})
    found = claims.learned_claims(
        "Rescuers tried to evacuate the 118 sailors trapped aboard the submarine.", year=2000,
        model=favour)
    assert current(found) == [("displaced", 118, 118, "exact")]
    reject = hand_model({"rule=current": (5.0, 0.0, 0.0, 0.0)})
    assert claims.learned_claims("The fire killed 60 people.", model=reject) == []


def test_a_rejected_rules_claim_keeps_the_role_the_model_gives_it() -> None:
    old = hand_model({"x=old_year": (0.0, -5.0, 0.0, 5.0)})
    [c] = claims.learned_claims("In 1978, 20 people died in a fire at a hotel.", year=1998,
                                model=old)
    assert (c.low, c.role) == (20, "other_event")


@pytest.mark.parametrize("sentence", [
    "The fire killed 60 people and injured 162 others.",
    "At least 82 people were killed.",
    "Police detained a dozen suspects.",
    "The storm killed at least 40 people and left 3,000 homeless.",
    "The bodies of two climbers were found on Sunday.",
    "Nearly 50 refugees demonstrated in the capital on Friday.",
])
def test_the_shipped_model_reads_plain_counts_as_the_rules_do(sentence: str) -> None:
    assert current(claims.learned_claims(sentence, year=1998)) == \
        current(claims.read_claims(sentence, year=1998))
    assert current(claims.read_claims(sentence, year=1998))


def test_the_shipped_weights_load_and_round_trip() -> None:
    model = claim_model.default_model()
    assert model is not None and model.classes == claim_model.CLASSES
    assert len(model.weights) > 500 and all(len(row) == 4 for row in model.weights.values())
    again = claim_model.ClaimModel.from_json(model.to_json())
    feats = ["s=killed", "cue=killed", "rule=current", "l1=killing", "q=lower"]
    assert again.probabilities(feats) == pytest.approx(model.probabilities(feats), abs=1e-4)
    assert sum(model.probabilities(feats)) == pytest.approx(1.0)
    # the model reads "rule=current" and a toll word as a current claim
    assert max(range(4), key=model.probabilities(feats).__getitem__) == 1


def test_training_labels_follow_the_gold_claims() -> None:
    """Each candidate takes the role of the gold claim it overlaps when the subject agrees,
    else "none"; a gold text is placed where no other label holds it, never inside a number."""
    row = {"sentence": "The toll rose to 158 from 95, and 1,158 people were evacuated.",
           "date": "1998-10-30",
           "claims": [{"subject": "killed", "scope": None, "text": "158", "low": 158,
                       "high": 158, "qualifier": "exact", "role": "current"},
                      {"subject": "killed", "scope": None, "text": "95", "low": 95, "high": 95,
                       "qualifier": "exact", "role": "earlier"}],
           "not_claims": [{"text": "1,158", "why": "count_of_people"}]}
    spans = train_claims.gold_spans(row)
    assert [(row["sentence"][a:b], g["role"]) for a, b, g in spans] == [
        ("158", "current"), ("95", "earlier")]
    assert spans[0][0] == row["sentence"].index("158")  # not the "158" inside "1,158"
    X, y = train_claims.examples([row])
    reading = claims.proposals(row["sentence"], year=1998)
    labels = {(p.claim.subject, p.claim.value): label for p, label in zip(reading.proposals, y,
                                                                          strict=True)}
    assert labels[("killed", "158")] == "current"
    assert labels[("killed", "95")] == "earlier"
    assert labels[("displaced", "1,158")] == "none"  # labelled a count of people, not a claim
    assert all("s=" + p.claim.subject in x for p, x in zip(reading.proposals, X, strict=True))


def test_folds_are_whole_stories_and_keep_shared_articles_together() -> None:
    rows = [{"story": s} for s in ["a", "b", "c", "d", "e", "f", "d30005t", "d31038t"]]
    fold = train_claims.folds(rows)
    assert set(fold.values()) <= set(range(train_claims.FOLDS))
    assert fold["d31038t"] == fold["d30005t"]
    assert fold == train_claims.folds(list(reversed(rows)))  # the order of rows does not matter
