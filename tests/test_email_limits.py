"""Bounded output and side-effect-free previews, through the real CLI, a real state (each backend) and a
real SMTP server: 10 stories of 300 articles stay under Gmail's clipping size, a digest of
"Also noted" titles alone is not sent, `digest preview` changes nothing."""

from __future__ import annotations

import json
import random
from pathlib import Path

import pytest
from conftest import age, run_cli, state_dump, state_exists
from conftest_email import Received, SmtpServer, write_config

from digest.storage.location import StateLocation

ANA = "ana@example.org"
GMAIL_CLIPS = 102 * 1024

# Ten unrelated events, each with its own vocabulary so that they make ten stories.
EVENTS = [
    ("volcano", "Iceland", "lava", "eruption", "Grindavik", "magma"),
    ("flood", "Valencia", "rainfall", "river", "dam", "evacuation"),
    ("election", "Brazil", "ballot", "candidate", "turnout", "congress"),
    ("earthquake", "Taiwan", "tremor", "magnitude", "Hualien", "aftershock"),
    ("strike", "railway", "union", "wages", "commuters", "walkout"),
    ("wildfire", "California", "acres", "firefighters", "containment", "smoke"),
    ("summit", "NATO", "alliance", "defence", "Vilnius", "membership"),
    ("launch", "rocket", "orbit", "satellite", "booster", "spaceport"),
    ("merger", "airline", "shareholders", "regulators", "fleet", "routes"),
    ("drought", "Kenya", "harvest", "livestock", "pasture", "famine"),
]


def write_events(folder: Path, stories: int, per_story: int) -> None:
    """per_story articles on each event, each from its own outlet, with a distinct line."""
    folder.mkdir(parents=True, exist_ok=True)
    rnd = random.Random(7)
    for s, w in enumerate(EVENTS[:stories]):
        for a in range(per_story):
            body = (f"The {w[0]} near {w[1]} intensified on Tuesday as {w[2]} and {w[3]} dominated "
                    f"the day, officials said.\n\nAuthorities in {w[1]} said the {w[0]} had affected "
                    f"{w[4]} and that {w[5]} remained the main concern for residents.\n\n"
                    f"Correspondent {a} noted that the {w[2]} around {w[4]} was watched closely, "
                    f"with {w[3]} figures revised {rnd.randint(2, 99)} times.\n")
            (folder / f"s{s:02d}_{a:03d}.md").write_text(
                f'---\ntitle: "{w[0].title()} in {w[1]}: {w[2]} and {w[3]}, report {a}"\n'
                f"outlet: Outlet {a:03d}\nurl: https://outlet{a}.example.org/{w[0]}/{a}\n"
                f"date: 2024-04-0{1 + a % 3}\n---\n\n{body}", encoding="utf-8")
    age(folder)


def html_part(received: Received) -> str:
    part = received.message.get_body(("html",))
    assert part is not None
    return str(part.get_content())


@pytest.mark.slow
@pytest.mark.alternate_backends  # the limits are the renderer's: one backend, in turn with the
# matrices (3,000 articles on each backend took 17 s and 29 s of the suite's ten minutes)
def test_ten_stories_of_300_articles_stay_small(tmp_path: Path, smtp_server: SmtpServer) -> None:
    news = tmp_path / "news"
    write_events(news, 10, 300)
    cfg = write_config(tmp_path / "cfg", smtp_server, news, recipients=(ANA,))
    data = json.loads(run_cli("--config", str(cfg), "brief", "--format", "json").stdout)
    assert sorted(len(s["articles"]) for s in data["stories"]) == [300] * 10  # JSON lists all

    markdown = run_cli("--config", str(cfg), "brief").stdout
    assert markdown.count("11. … and 290 more") == 10
    for s in data["stories"]:  # the first ten sources of each story are listed, the rest counted
        assert all(a["title"] in markdown for a in s["articles"][:10])
        assert not any(f"{a['title']} (" in markdown for a in s["articles"][10:])
    assert markdown.count(", and 290 more ·") == 10  # the outlets line is cut too

    run_cli("--config", str(cfg), "send", "morning")
    [received] = smtp_server.received
    html = html_part(received)
    assert len(html.encode("utf-8")) < 100 * 1024 < GMAIL_CLIPS
    assert len(received.data) < 300 * 1024  # both parts, base64 or quoted-printable
    assert html.count("and 290 more") >= 10
    assert all(s["title"] in html for s in data["stories"])


def test_a_digest_with_only_also_noted_titles_is_not_sent(
        tmp_path: Path, smtp_server: SmtpServer, seeds: Path) -> None:
    def config(extra: str) -> Path:
        path = write_config(tmp_path / "cfg", smtp_server, seeds, recipients=(ANA,),
                            top_extra='[[topics]]\nname = "volcanoes"\nany = ["volcano", "lava"]\n',
                            digest_extra=f"also_noted = true\n{extra}")
        text = path.read_text(encoding="utf-8").replace("topics = []", 'topics = ["volcanoes"]')
        path.write_text(text, encoding="utf-8")
        return path

    proc = run_cli("--config", str(config("")), "send", "morning")
    assert f"nothing new for {ANA}: not sent (send_empty = false)" in proc.stdout
    assert smtp_server.received == []
    # send_empty = true sends it, and the titles are there under "Also noted"
    proc = run_cli("--config", str(config("send_empty = true")), "send", "morning")
    [received] = smtp_server.received
    html = html_part(received)
    assert "Also noted" in html and "No new stories since your last digest." in html


def test_preview_takes_nothing_in_and_changes_no_state(
        tmp_path: Path, smtp_server: SmtpServer, seeds: Path,
        state_location: StateLocation) -> None:
    cfg = write_config(tmp_path / "cfg", smtp_server, seeds, recipients=(ANA,))
    state = state_location
    what = "no state file yet" if isinstance(state, Path) else "no digest state yet"
    out = tmp_path / "preview.html"

    proc = run_cli("--config", str(cfg), "preview", "morning", "-o", str(out), check=False)
    assert proc.returncode == 1 and not state_exists(state) and not out.exists()
    assert proc.stderr.strip() == (f"error: {state}: {what}: `digest run` or "
                                   "`digest brief` takes in the articles first")

    run_cli("--config", str(cfg), "brief")  # takes the seeds in
    late = seeds / "late.md"
    late.write_text("---\ntitle: Volcano erupts near Grindavik\noutlet: Iceland Review\n---\n\n"
                    "Lava flowed towards the town of Grindavik on Tuesday after a new fissure "
                    "opened on the Reykjanes peninsula, the Icelandic Met Office said.\n",
                    encoding="utf-8")
    age(late)
    before = state.read_bytes() if isinstance(state, Path) else None  # the file, to the byte
    rows = state_dump(state)
    assert any("Crocus" in r for r in rows)

    proc = run_cli("--config", str(cfg), "preview", "morning", "-o", str(out))
    page = out.read_text(encoding="utf-8")
    assert "Crocus" in page and "Grindavik" not in page  # stored stories only, no ingest
    assert f"wrote {out}" in proc.stderr
    assert state_dump(state) == rows
    assert before is None or state.read_bytes() == before

    missing = tmp_path / "no" / "such" / "x.html"
    proc = run_cli("--config", str(cfg), "preview", "morning", "-o", str(missing), check=False)
    assert proc.returncode == 1 and "Traceback" not in proc.stderr
    assert proc.stderr.strip() == (f"error: {missing}: cannot write: folder {missing.parent} "
                                   "does not exist")
