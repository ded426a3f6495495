"""The whole run on PostgreSQL vs SQLite: the same synthetic corpus (bench/speed.py's), on an
empty state, with 1 or more ingesting workers at once (processes started together, each
`pipeline.ingest_folders` on the same folder, as `digest run` on several machines would),
then one briefing of what is stored (summarize every story, render).

    python bench/pg_speed.py --pg postgresql://user@host:port/postgres --sizes 1000,10000 \
        --workers 1,2 [--group-locks lease,story]

--pg names a database the user may CREATE DATABASE from: each run gets a new database
(bench_<size>), dropped first if it exists. Per run: wall time of the ingest (the first
worker's start to the last one's end) and of the briefing, CPU time of digest's processes
(each worker and its reading process; the server's is not counted), where a worker's time
went (reading in its helper process is not on this clock; grouping, COMMIT, waiting for
the write lock, claims), files each worker read, and the stored articles counted: rows,
distinct ids (a duplicate is a row more), files in the ledger (a loss is a file less).

--group-locks runs PostgreSQL in each way of serializing grouping (DIGEST_GROUP_LOCK: the
lease, the default, or a row lock per story): the lock wait column is then the wait for the
write lock at BEGIN (lease) or for the grouping and story locks (story), files run again
after a deadlock are counted, and each run's stories are compared with the first run's of
the same size (B-cubed F1 of the article -> story assignments: 1.0 is the same partition).
The figures go in docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from datetime import datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import speed


def fresh_database(admin_url: str, name: str) -> str:
    import psycopg

    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {name}")
        conn.execute(f"CREATE DATABASE {name}")
    return admin_url.rsplit("/", 1)[0] + "/" + name


def run_ingest(folder: Path, state: str, start_at: float) -> dict[str, float]:
    """One ingesting worker; the time inside its stages is measured by wrapping them here
    (the bench process only: digest itself has no timers)."""
    from digest import pipeline
    from digest.storage import Store, parse_location

    spent = dict.fromkeys(("group", "commit", "lock_wait", "claims", "held", "holds",
                           "founds"), 0.0)
    opened = [0.0]

    def timed(name: str, fn):  # type: ignore[no-untyped-def]
        def wrapper(*args, **kwargs):  # type: ignore[no-untyped-def]
            t = time.perf_counter()
            try:
                return fn(*args, **kwargs)
            finally:
                spent[name] += time.perf_counter() - t
        return wrapper

    pipeline.ingesting._replace_articles = timed("group", pipeline.ingesting._replace_articles)
    with Store(parse_location(state)) as store:
        begin, commit, rollback = store.database.begin, store.database.commit, store.database.rollback

        def begin_() -> None:
            t = time.perf_counter()
            begin()
            opened[0] = time.perf_counter()
            spent["lock_wait"] += opened[0] - t

        def end(fn, name):  # type: ignore[no-untyped-def]
            def wrapper() -> None:
                t = time.perf_counter()
                fn()
                done = time.perf_counter()
                spent[name] += done - t
                spent["held"] += done - opened[0]
            return wrapper

        store.database.begin = begin_  # type: ignore[method-assign]
        store.database.commit = end(commit, "commit")  # type: ignore[method-assign]
        store.database.rollback = end(rollback, "commit")  # type: ignore[method-assign]
        store.claims.take = timed("claims", store.claims.take)  # type: ignore[method-assign]
        # Per story: the waits for the grouping lock and the stories' rows, and how many
        # holds (more than one an article: a decision changed once its story was locked).
        hold_grouping, hold_story = store.database.hold_grouping, store.database.hold_story

        def hold_grouping_(*, exclusive: bool) -> None:
            t = time.perf_counter()
            hold_grouping(exclusive=exclusive)
            spent["lock_wait"] += time.perf_counter() - t
            spent["holds"] += 1
            spent["founds"] += exclusive

        store.database.hold_grouping = hold_grouping_  # type: ignore[method-assign]
        store.database.hold_story = timed("lock_wait", hold_story)  # type: ignore[method-assign]
        time.sleep(max(0.0, start_at - time.time()))  # the workers start together
        cpu0, t0 = speed.cpu_seconds(), time.perf_counter()
        report = pipeline.ingest_folders(store, [folder], now=datetime(2030, 1, 1),
                                         settle_seconds=0)
        t1 = time.perf_counter()
    return {"ingest": t1 - t0, "cpu": speed.cpu_seconds() - cpu0, "end": time.time(),
            "parsed": report.files_parsed, "new": report.new_articles,
            "others": report.held_elsewhere, "retried": report.retried, **spent}


def run_brief(state: str) -> dict[str, float]:
    from digest import pipeline, render
    from digest.storage import Store, parse_location

    cpu0, t0 = speed.cpu_seconds(), time.perf_counter()
    with Store(parse_location(state)) as store:
        summaries = pipeline.story_summaries(store)
        render.render_markdown(pipeline.briefing(summaries, now=datetime(2030, 1, 1)))
        rows = store.db.execute("SELECT id, story_id FROM articles").fetchall()
        files = store.db.execute("SELECT COUNT(*) FROM files").fetchone()[0]
    ids = [r[0] for r in rows]
    return {"brief": time.perf_counter() - t0, "cpu": speed.cpu_seconds() - cpu0,
            "stories": len(summaries), "rows": len(ids), "ids": len(set(ids)), "files": files,
            "story_of": {r[0]: r[1] for r in rows}}


def bcubed_f1(found: dict[str, str], reference: dict[str, str]) -> float:
    """B-cubed F1 of one article -> story assignment against another, over the articles
    both hold: each article's precision is the share of its story's articles that share
    its reference story, recall the reverse; F1 of the means (1.0: the same partition)."""
    common = found.keys() & reference.keys()
    if not common:
        return 0.0
    pairs: dict[tuple[str, str], int] = {}
    sizes: dict[str, int] = {}
    ref_sizes: dict[str, int] = {}
    for a in common:
        s, r = found[a], reference[a]
        pairs[s, r] = pairs.get((s, r), 0) + 1
        sizes[s] = sizes.get(s, 0) + 1
        ref_sizes[r] = ref_sizes.get(r, 0) + 1
    precision = sum(n * n / sizes[s] for (s, _), n in pairs.items()) / len(common)
    recall = sum(n * n / ref_sizes[r] for (_, r), n in pairs.items()) / len(common)
    return 2 * precision * recall / (precision + recall)


def _child(kind: str, *args: str, group_lock: str = "lease") -> subprocess.Popen[str]:
    return subprocess.Popen([sys.executable, __file__, "_" + kind, *args],
                            stdout=subprocess.PIPE, text=True,
                            env={**os.environ, "DIGEST_GROUP_LOCK": group_lock})


def _result(proc: subprocess.Popen[str]) -> dict[str, float]:
    out, _ = proc.communicate()
    if proc.returncode != 0:
        raise SystemExit(f"a bench process failed ({proc.returncode})")
    return json.loads(out.strip().splitlines()[-1])  # type: ignore[no-any-return]


def _load() -> str:
    return " / ".join(f"{x:.2f}" for x in os.getloadavg())


def measure(folder: Path, state: str, workers: int, group_lock: str = "lease") -> dict[str, object]:
    from digest.storage import Store, parse_location

    Store(parse_location(state)).close()  # the schema first: not part of any worker's time
    load_start = _load()
    start_at = time.time() + 2.0
    procs = [_child("ingest", str(folder), state, str(start_at), group_lock=group_lock)
             for _ in range(workers)]
    ingests = [_result(p) for p in procs]
    wall = max(r["end"] for r in ingests) - start_at
    brief = _result(_child("brief", state))
    return {"ingest_wall": wall, "workers": ingests, "load": f"{load_start} -> {_load()}",
            **brief}


def main() -> None:
    if len(sys.argv) > 1 and sys.argv[1].startswith("_"):
        kind, args = sys.argv[1][1:], sys.argv[2:]
        if kind == "ingest":
            print(json.dumps(run_ingest(Path(args[0]), args[1], float(args[2]))))
        else:
            print(json.dumps(run_brief(args[0])))
        return
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pg", required=True, help="postgresql:// URL of an admin database")
    parser.add_argument("--sizes", default="1000,10000")
    parser.add_argument("--workers", default="1,2", help="ingesting workers per run")
    parser.add_argument("--backends", default="sqlite,postgresql")
    parser.add_argument("--group-locks", default="lease",
                        help="PostgreSQL's DIGEST_GROUP_LOCK modes to run: lease, story")
    parser.add_argument("--workdir", type=Path, help="keep corpora here (default: a temp folder)")
    args = parser.parse_args()
    rows = ["| articles | backend | workers | stories | ingest (wall) | brief | total | "
            "CPU (digest) | files read per worker | grouping / COMMIT / lock wait / claims, "
            "per worker | rows / ids / files | files retried | B³ F1 vs first run | load |",
            "|---:|---|---:|---:|---:|---:|---:|---:|---|---|---|---:|---:|---|"]
    runs = [(backend, lock) for backend in args.backends.split(",")
            for lock in (args.group_locks.split(",") if backend == "postgresql" else [""])]
    with tempfile.TemporaryDirectory() as tmp:
        work = args.workdir or Path(tmp)
        for size in (int(s) for s in args.sizes.split(",")):
            folder = work / f"corpus{size}"
            done = work / f"corpus{size}.complete"
            if not done.exists():
                speed.build_corpus(folder, size)
                done.touch()
            reference: dict[str, str] | None = None
            for backend, lock in runs:
                for workers in (int(w) for w in args.workers.split(",")):
                    if backend == "sqlite":
                        state = work / f"state{size}.sqlite"
                        for p in work.glob(f"state{size}.sqlite*"):
                            p.unlink()
                        location = str(state)
                    else:
                        location = fresh_database(args.pg, f"bench_{size}")
                    r = measure(folder, location, workers, lock or "lease")
                    story_of = r.pop("story_of")
                    assert isinstance(story_of, dict)
                    reference = story_of if reference is None else reference
                    ws = r["workers"]
                    assert isinstance(ws, list)
                    cpu = sum(w["cpu"] for w in ws) + float(r["cpu"])  # type: ignore[arg-type]
                    total = float(r["ingest_wall"]) + float(r["brief"])  # type: ignore[arg-type]
                    split = "; ".join(f"{w['group']:.0f} / {w['commit']:.0f} / "
                                      f"{w['lock_wait']:.0f} / {w['claims']:.0f} s" for w in ws)
                    name = "SQLite" if backend == "sqlite" else f"PostgreSQL ({lock or 'lease'})"
                    rows.append(
                        f"| {size:,} | {name} | "
                        f"{workers} | {r['stories']:,} | {r['ingest_wall']:.1f} s | "
                        f"{r['brief']:.1f} s | {total:.1f} s | {cpu:.1f} s | "
                        f"{' + '.join(str(w['parsed']) for w in ws)} | {split} | "
                        f"{r['rows']:,} / {r['ids']:,} / {r['files']:,} | "
                        f"{sum(int(w['retried']) for w in ws)} | "
                        f"{bcubed_f1(story_of, reference):.4f} | {r['load']} |")
                    print(rows[-1], file=sys.stderr, flush=True)
                    print(json.dumps(r), file=sys.stderr, flush=True)
    print("\n".join(rows))


if __name__ == "__main__":
    main()
