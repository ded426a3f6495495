"""The PostgreSQL state, on a real server the session starts (tests/conftest_pg.py).

What runs on both backends takes the `state` fixture (a SQLite file, then a PostgreSQL
database); what only PostgreSQL has (selecting it, its bad inputs, check-config's report)
takes `pg_url`.
"""

from __future__ import annotations

import re
from datetime import datetime
from pathlib import Path

import psycopg
import pytest
from conftest import age, run_cli, start_cli
from conftest_email import SmtpServer, write_config
from conftest_pg import GUARDED_PASSWORD, PgServer, stored_counts

from digest import pipeline
from digest.errors import StoreError
from digest.storage import (
    PostgresUrl,
    Store,
    migrations,
    open_store,
    parse_location,
)
from digest.storage.pg import translate


def test_the_dialect_translation() -> None:
    assert translate("SELECT a FROM t WHERE b = ? AND c LIKE 'x%'") == (
        "SELECT a FROM t WHERE b = %s AND c LIKE 'x%%'")
    assert translate("INSERT OR IGNORE INTO lead_hashes VALUES (?, ?)") == (
        "INSERT INTO lead_hashes VALUES (%s, %s) ON CONFLICT DO NOTHING")
    assert translate("INSERT OR REPLACE INTO story_probe VALUES (?, ?, ?)") == (
        "INSERT INTO story_probe VALUES (%s, %s, %s) "
        "ON CONFLICT (term, story_id) DO UPDATE SET weight = excluded.weight")


@pytest.mark.parametrize(("value", "problem"), [
    ("mysql://me@db/x", "not a state location"),
    ("postgresql://me:hunter2@db:5432/x", "password in the state URL is refused"),
    ("postgresql://me@db:5432/", "names no database"),
    ("postgresql://me@db:port/x", "port is not a number"),
])
def test_a_bad_state_url_is_refused_in_one_line(value: str, problem: str) -> None:
    with pytest.raises(StoreError, match=problem) as raised:
        parse_location(value)
    assert "hunter2" not in str(raised.value)
    assert isinstance(parse_location("postgresql://me@db:5432/x"), PostgresUrl)
    assert parse_location("state.sqlite", base=Path("/etc")) == Path("/etc/state.sqlite")


@pytest.mark.own_backend
def test_migrations_on_a_new_database_and_again(pg_url: str) -> None:
    with Store(PostgresUrl(pg_url)) as store:
        assert store.database.migrations_done() == set(range(1, len(migrations.MIGRATIONS) + 1))  # type: ignore[attr-defined]
    with Store(PostgresUrl(pg_url)) as store:  # a second open finds them done
        assert store.articles.count() == 0
    with psycopg.connect(pg_url) as conn:
        names = [r[0] for r in conn.execute("SELECT name FROM migrations ORDER BY version")]
        # REAL would be 4 bytes on PostgreSQL: the floats must stay 8-byte doubles.
        types = dict(conn.execute(
            "SELECT column_name, data_type FROM information_schema.columns "
            "WHERE table_name = 'stories'").fetchall())
    assert names == [m.name for m in migrations.MIGRATIONS]
    assert types["norm"] == "double precision"


@pytest.mark.own_backend
def test_files_scans_and_briefings_round_trip(pg_url: str) -> None:
    now = datetime(2026, 3, 1, 12, 0)
    with Store(PostgresUrl(pg_url)) as store:
        store.files.record("a.txt", "h1", 10, 1.25, None, now)
        store.files.record("a.txt", "h2", 11, 2.5, "broken", now, attempts=2)
        for n in range(103):
            store.scans.record(now, n, 1, 2, 0)
        store.briefings.record("morning", now, [("s1", ["a1", "a2"], ["k1"]),
                                                ("s1", ["a2"], ["k1", "k2"])])
        state = store.files.state("a.txt")
        assert state is not None and (state.file_hash, state.size, state.mtime, state.error,
                                      state.attempts) == ("h2", 11, 2.5, "broken", 2)
        last = store.scans.last()
        assert last is not None and last.files_read == 102
        assert store.db.execute("SELECT COUNT(*) FROM scans").fetchone()[0] == 100
        history = store.briefings.history("morning")
        assert history.articles == {"a1", "a2"} and history.sentences == {"s1": {"k1", "k2"}}
        assert history.since == now


def _brief(state: str, seeds: Path) -> str:
    out = run_cli("--state", state, "brief", "--source", "seeds", cwd=seeds.parent).stdout
    return re.sub(r"^# News briefing — .*$", "", out, count=1, flags=re.M)


@pytest.mark.own_backend
def test_the_seeds_briefing_is_the_same_on_both_backends(seeds: Path, pg_url: str,
                                                          tmp_path: Path) -> None:
    on_sqlite = _brief(str(tmp_path / "state.sqlite"), seeds)
    on_postgres = _brief(pg_url, seeds)
    assert "## " in on_postgres and on_postgres == on_sqlite
    # And again: nothing new is taken in, the same briefing comes out of what is stored.
    assert _brief(pg_url, seeds) == on_postgres
    with psycopg.connect(pg_url) as conn:
        files = conn.execute("SELECT COUNT(*) FROM files").fetchone()[0]
        articles = conn.execute("SELECT COUNT(*) FROM articles").fetchone()[0]
    assert files == len(list(seeds.iterdir())) and articles > 0


@pytest.mark.own_backend
def test_check_config_reports_the_server_and_the_migration_level(
        pg_url: str, tmp_path: Path) -> None:
    config = tmp_path / "digest.toml"
    config.write_text(f'[state]\nurl = "{pg_url}"\n[sources]\nfolders = ["."]\n')
    Store(PostgresUrl(pg_url)).close()  # opening it runs the migrations
    out = run_cli("--config", str(config), "check-config").stdout
    level = len(migrations.MIGRATIONS)
    assert re.search(rf"^state: {re.escape(pg_url)} \(PostgreSQL 1\d\.\d+.*, migration level "
                     rf"{level} of {level}\)$", out, re.M), out
    # DIGEST_STATE names it as well, over the config's [state].
    env = run_cli("--config", str(config), "check-config",
                  env={"DIGEST_STATE": pg_url + "_missing"}, check=False)
    assert env.returncode == 1 and f"{pg_url}_missing: cannot connect" in env.stderr


def _error_line(*args: str, env: dict[str, str] | None = None) -> str:
    proc = run_cli(*args, env=env, check=False)
    assert proc.returncode == 1, proc.stdout
    assert "Traceback" not in proc.stderr
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1, proc.stderr
    return lines[0]


@pytest.mark.own_backend
def test_bad_postgresql_states_are_one_line(pg_server: PgServer, pg_url: str,
                                            monkeypatch: pytest.MonkeyPatch) -> None:
    free = PgServer(pg_server.host, 1, pg_server.folder)  # port 1: nobody listens
    line = _error_line("--state", free.url("x"), "status")  # the CLI: one line, no traceback
    assert line.startswith(f"error: {free.url('x')}: cannot connect to PostgreSQL: ")
    assert "refused" in line
    guarded = pg_server.url(pg_url.rsplit("/", 1)[1], user="guarded")
    monkeypatch.setenv("PGPASSWORD", "wrong")
    with pytest.raises(StoreError, match="password authentication failed") as raised:
        open_store(PostgresUrl(guarded))
    assert "wrong" not in str(raised.value) and "\n" not in str(raised.value)
    with pytest.raises(StoreError, match='database "no_such_db" does not exist'):
        open_store(PostgresUrl(pg_server.url("no_such_db")))
    # The right password from the environment logs in (and is never in the URL); this role
    # may not create tables in the database: one line too.
    monkeypatch.setenv("PGPASSWORD", GUARDED_PASSWORD)
    with pytest.raises(StoreError, match=r"PostgreSQL refused: permission denied for schema "
                       r"public .the user needs to create tables"):
        open_store(PostgresUrl(guarded))


@pytest.mark.own_backend
def test_a_newer_migration_level_is_one_line(pg_url: str) -> None:
    Store(PostgresUrl(pg_url)).close()
    with psycopg.connect(pg_url, autocommit=True) as conn:
        level = len(migrations.MIGRATIONS)
        conn.execute("INSERT INTO migrations VALUES (%s, '_m_from_the_future')", (level + 1,))
    line = _error_line("--state", pg_url, "status")
    assert line == (f"error: {pg_url}: the database is at migration level {level + 1}, newer "
                    f"than this digest's {level}: upgrade digest to use it")


def _ingest(state: str, folder: Path) -> None:
    with Store(parse_location(state)) as store:
        pipeline.ingest_folders(store, [folder], now=datetime(2026, 3, 1, 12, 0), settle_seconds=0)


def test_reingesting_an_edited_file(state: str, seeds: Path) -> None:
    """A file edited after it was taken in: its old article leaves, the edited one comes in."""
    victim = seeds / "001_96ce0511ea1d7d20.txt"
    _ingest(state, seeds)
    before = stored_counts(state)
    victim.write_text(victim.read_text(encoding="utf-8").replace("Crocus", "Krokus"),
                      encoding="utf-8")
    age(victim)
    _ingest(state, seeds)
    with Store(parse_location(state)) as store:
        [article] = store.articles.of_file(str(victim))
        assert "Krokus" in article.text and "Crocus" not in article.text
        story = store.articles.story_of_article(article.id)
        assert story is not None and store.index.story_sizes([story])[story] >= 1
    assert stored_counts(state) == before


def test_two_processes_ingesting_the_same_files_store_each_article_once(
        state: str, seeds: Path, tmp_path: Path) -> None:
    procs = [start_cli("--state", state, "brief", "--source", str(seeds)) for _ in range(2)]
    for p in procs:
        _, err = p.communicate(timeout=300)
        assert p.returncode == 0, err
    alone = str(tmp_path / "alone.sqlite")
    _ingest(alone, seeds)
    rows, ids, files = stored_counts(state)
    assert rows == ids == stored_counts(alone)[0] > 0  # each article once, none lost
    assert files == len(list(seeds.iterdir()))


@pytest.mark.own_backend
def test_three_senders_at_once_on_postgresql_send_each_recipient_one_digest(
        tmp_path: Path, smtp_server: SmtpServer, seeds: Path, pg_url: str) -> None:
    """The send ledger on PostgreSQL: the delivery lock is an advisory lock, the outbox's ids
    come from RETURNING, the sent sentences from jsonb functions."""
    readers = tuple(f"reader{i}@example.org" for i in range(6))
    cfg = write_config(tmp_path / "cfg", smtp_server, seeds, recipients=readers)
    procs = [start_cli("--state", pg_url, "--config", str(cfg), "send", "morning")
             for _ in range(3)]
    outs = [p.communicate(timeout=300) for p in procs]
    assert [p.returncode for p in procs] == [0, 0, 0], [e for _, e in outs]
    assert smtp_server.copies() == dict.fromkeys(readers, 1)
    with Store(PostgresUrl(pg_url)) as store:
        messages = store.ledger.messages()
        assert sorted(m.state for m in messages) == ["sent"] * len(readers)
        sentences = store.db.execute("SELECT COUNT(*) FROM sent_sentences").fetchone()[0]
        articles = store.db.execute("SELECT COUNT(*) FROM sent_articles").fetchone()[0]
    assert sentences > 0 and articles > 0
    for m in messages:
        [copy] = [g for g in smtp_server.received if g.recipients == [m.recipient]]
        assert copy.message["Message-ID"] == m.message_id
