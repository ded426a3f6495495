"""Several workers deliver one digest run: exactly one copy per recipient, and how long it takes.

    python bench/send_workers.py --recipients 10000 --workers 3 [--pg postgresql://...] [--kill]

A local sink SMTP server (aiosmtpd on 127.0.0.1, no TLS: nothing leaves the machine) counts
what it accepts per recipient. The seeds are taken in once; then `--workers` processes run
the same scheduled slot as a daemon would (`service.run_slot`): one composes and queues the
run, all of them deliver. With --kill, one worker is killed with SIGKILL once a third of the
messages are in, and started again at once. Per backend (SQLite; PostgreSQL with --pg, a
database the user may CREATE DATABASE from) it prints one Markdown row: copies per
recipient (min/max, duplicates, losses), the ledger's states, the time composing and in
total (the time to the first message is composing: one worker composes the whole run
before any is queued), how many messages each worker delivered, and the load average (`uptime`) at the end.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
SLOT_KEY = "bench"


class Sink:
    """aiosmtpd handler: counts accepted messages per recipient."""

    def __init__(self) -> None:
        self.copies: Counter[str] = Counter()
        self.lock = threading.Lock()
        self.first: float | None = None  # time.monotonic() of the first message

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        with self.lock:
            self.copies.update(envelope.rcpt_tos)
            self.first = self.first or time.monotonic()
        return "250 2.0.0 Ok: queued"

    def total(self) -> int:
        with self.lock:
            return sum(self.copies.values())


def write_config(folder: Path, port: int, recipients: int) -> Path:
    quoted = ", ".join(f'"reader{i:05d}@example.org"' for i in range(recipients))
    path = folder / "digest.toml"
    path.write_text(f"""
[sources]
folders = ["{ROOT / 'seeds'}"]

[smtp]
host = "127.0.0.1"
port = {port}
security = "none"
sender = "Digest <digest@example.org>"
timeout = "30s"

[[digests]]
name = "morning"
schedule = "0 7 * * *"
timezone = "UTC"
recipients = [{quoted}]
""", encoding="utf-8")
    return path


def worker(config: Path, state: str) -> None:
    """One worker: the scheduled slot as the daemon runs it; a JSON line of what it did."""
    from digest.config import load_config
    from digest.email import service
    from digest.email.transport import SmtpSettings, SmtpTransport
    from digest.storage import Store, parse_location

    cfg = load_config(config)
    started = time.monotonic()
    now = datetime.now(UTC).replace(tzinfo=None)
    with Store(parse_location(state)) as store:
        result = service.run_slot(cfg, store, cfg.digest("morning"),
                                  SmtpTransport(SmtpSettings.from_config(cfg)),
                                  slot_utc=now, slot_key=SLOT_KEY, now=now, lock_timeout=3600)
    print(json.dumps({"pid": os.getpid(), "queued": len(result.queued),
                      "sent": len(result.delivery.sent),
                      "unconfirmed": len(result.delivery.unconfirmed),
                      "seconds": round(time.monotonic() - started, 1)}), flush=True)


def spawn(config: Path, state: str) -> subprocess.Popen[str]:
    return subprocess.Popen([sys.executable, __file__, "--worker", str(config), state],
                            cwd=ROOT, text=True, stdout=subprocess.PIPE)


def run(backend: str, state: str, recipients: int, workers: int, kill: bool,
        work: Path) -> str:
    from aiosmtpd.controller import Controller

    from digest import pipeline
    from digest.config import load_config
    from digest.storage import Store, parse_location

    sys.path.insert(0, str(ROOT / "tests"))
    from conftest_email import free_port

    sink = Sink()
    port = free_port()
    controller = Controller(sink, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        config = write_config(work, port, recipients)
        with Store(parse_location(state)) as store:
            pipeline.ingest_sources(store, load_config(config).sources,
                                    now=datetime.now(UTC).replace(tzinfo=None))
        started = time.monotonic()
        procs = [spawn(config, state) for _ in range(workers)]
        killed = ""
        if kill:
            while sink.total() < recipients // 3 and all(p.poll() is None for p in procs):
                time.sleep(0.01)
            procs[0].send_signal(signal.SIGKILL)
            procs[0].wait()
            killed = f"killed at {sink.total():,} delivered, restarted; "
            procs.append(spawn(config, state))
        reports = [json.loads(p.communicate()[0] or "{}") for p in procs if p.returncode != -9]
        total = time.monotonic() - started
        with Store(parse_location(state)) as store:
            states = Counter(m.state for m in store.ledger.messages())
    finally:
        controller.stop()
    wanted = [f"reader{i:05d}@example.org" for i in range(recipients)]
    copies = [sink.copies.get(r, 0) for r in wanted]
    dups = sum(c - 1 for c in copies if c > 1)
    lost = sum(1 for c in copies if c == 0)
    composing = (sink.first or started) - started
    load = os.getloadavg()
    return (f"| {backend} | {recipients:,} | {workers} | {killed or 'none'} | "
            f"{min(copies)}/{max(copies)} | {dups} | {lost} | "
            f"{', '.join(f'{n} {s}' for s, n in sorted(states.items()))} | "
            f"{composing:.1f} s | {total:.1f} s | "
            f"{' / '.join(str(r.get('sent', '?')) for r in reports)} | "
            f"{load[0]:.1f} {load[1]:.1f} {load[2]:.1f} |")


def main() -> None:
    if len(sys.argv) == 4 and sys.argv[1] == "--worker":
        worker(Path(sys.argv[2]), sys.argv[3])
        return
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--recipients", type=int, default=10000)
    parser.add_argument("--workers", type=int, default=3)
    parser.add_argument("--pg", help="postgresql:// URL of an admin database (else SQLite only)")
    parser.add_argument("--no-sqlite", action="store_true", help="PostgreSQL only")
    parser.add_argument("--kill", action="store_true", help="kill -9 one worker mid-run")
    args = parser.parse_args()
    rows = ["| backend | recipients | workers | kill -9 | copies min/max | duplicates | losses "
            "| ledger | to the first message | total | sent per worker | load (1/5/15 min) |",
            "|---|---:|---:|---|---|---:|---:|---|---:|---:|---|---|"]
    backends = [] if args.no_sqlite else ["SQLite"]
    backends += ["PostgreSQL"] if args.pg else []
    for backend in backends:
        work = Path(tempfile.mkdtemp(prefix="send-workers-"))
        try:
            if backend == "SQLite":
                state = str(work / "state.sqlite")
            else:
                sys.path.insert(0, str(ROOT / "bench"))
                from pg_speed import fresh_database

                state = fresh_database(args.pg, "bench_send_workers")
            rows.append(run(backend, state, args.recipients, args.workers, args.kill, work))
            print(rows[-1], file=sys.stderr, flush=True)
        finally:
            shutil.rmtree(work, ignore_errors=True)
    print("\n".join(rows))


if __name__ == "__main__":
    main()
