"""The whole run on PostgreSQL vs SQLite: the same synthetic corpus (bench/speed.py's), each
run cold in a fresh process on an empty state, one ingesting worker.

    python bench/pg_speed.py --pg postgresql://user@host:port/postgres --sizes 1000,10000

--pg names a database the user may CREATE DATABASE from: each run gets a new database
(bench_<size>), dropped first if it exists. The figures go in docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import psycopg
import speed


def fresh_database(admin_url: str, name: str) -> str:
    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {name}")
        conn.execute(f"CREATE DATABASE {name}")
    return admin_url.rsplit("/", 1)[0] + "/" + name


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pg", required=True, help="postgresql:// URL of an admin database")
    parser.add_argument("--sizes", default="1000,10000")
    parser.add_argument("--workdir", type=Path, help="keep corpora here (default: a temp folder)")
    args = parser.parse_args()
    rows = ["| articles | backend | stories | ingest+group | summarize | total | CPU (digest) |",
            "|---:|---|---:|---:|---:|---:|---:|"]
    with tempfile.TemporaryDirectory() as tmp:
        work = args.workdir or Path(tmp)
        for size in (int(s) for s in args.sizes.split(",")):
            folder = work / f"corpus{size}"
            done = work / f"corpus{size}.complete"
            if not done.exists():
                speed.build_corpus(folder, size)
                done.touch()
            sqlite_state = work / f"state{size}.sqlite"
            for p in work.glob(f"state{size}.sqlite*"):
                p.unlink()
            for backend, state in (("SQLite", str(sqlite_state)),
                                   ("PostgreSQL", fresh_database(args.pg, f"bench_{size}"))):
                r = speed.in_process("pipeline", str(folder), state)
                rows.append(f"| {size:,} | {backend} | {r['stories']:,} | {r['ingest']:.1f} s | "
                            f"{r['summarize']:.1f} s | {r['total']:.1f} s | {r['cpu']:.1f} s |")
                print(rows[-1], file=sys.stderr, flush=True)
    print("\n".join(rows))


if __name__ == "__main__":
    main()
