"""The daemon (`digest run`): cron jobs per digest in its time zone, catch-up after downtime.

It is an APScheduler 3 BackgroundScheduler with one worker thread, so jobs never overlap
(what is due when is digest.schedule's arithmetic; what a run sends is the service's):
  - "scan" every `sources.scan_every`: take in new articles, send any digest that is due
    (a safety net for a cron firing that was missed, or one that found another worker
    composing for longer than LOCK_WAIT), deliver queued mail;
  - one cron job per digest, in the digest's own time zone;
  - "deliver" every DELIVER_EVERY: retry queued mail whose backoff has passed.

Catch-up (the grace period): every scheduled run is recorded in the ledger (`digest_runs`).
When the daemon starts, and on every scan, a digest whose latest slot fell due while nothing
ran is sent at once if that slot is at most `catch_up` old (default 12 h, per digest); older
slots are logged as skipped, and their stories go into the next digest (nothing is lost:
what each recipient has received is tracked per article). Several missed slots coalesce into
one digest. The first start records a baseline, so slots before the daemon ever ran are not
owed. A slot is sent at most once (`digest_runs` key), so a restart never resends.

The jobs themselves live in APScheduler's memory: it only says when to look. Whether a run
is owed is read from the shared `digest_runs`, and the slot's row, inserted with the run's
messages, lets one worker queue it; so a second daemon on the same state (another machine
on one PostgreSQL database) composes nothing twice and helps deliver (see outbox).
"""

from __future__ import annotations

import logging
import signal
import threading
from collections.abc import Callable, Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path
from types import FrameType
from typing import Any

from apscheduler.executors.pool import ThreadPoolExecutor
from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.triggers.date import DateTrigger
from apscheduler.triggers.interval import IntervalTrigger

from digest import pipeline, progress
from digest.config import Config, DigestSpec
from digest.email import outbox, service
from digest.email.outbox import DeliveryReport
from digest.email.transport import Transport
from digest.errors import DigestError
from digest.schedule import aware_utc, cron_trigger, due_slot, naive_utc, next_runs
from digest.storage import StateLocation, Store
from digest.watch import FolderWatcher

log = logging.getLogger(__name__)

DELIVER_EVERY = timedelta(seconds=30)
# After a watched folder's last event, a scan waits for the settle time and this much more
# (a file modified exactly `settle` ago is still "being written").
WATCH_MARGIN = timedelta(milliseconds=200)
# A due digest waits this long for another worker composing (a `digest send`, another
# daemon), helping deliver meanwhile; if that is still busy, the slot is not recorded here
# and the next scan looks again (within catch_up).
LOCK_WAIT = timedelta(seconds=60)
def _utcnow() -> datetime:
    return datetime.now(UTC)


class Daemon:
    """APScheduler wiring around mailer functions; `tick()` does one round without a scheduler."""

    def __init__(self, config: Config, state_path: StateLocation, transport: Transport, *,
                 clock: Callable[[], datetime] = _utcnow,
                 lock_wait: timedelta = LOCK_WAIT) -> None:
        self.config = config
        self.lock_wait = lock_wait
        self.state_path = state_path
        self.transport = transport
        self.clock = clock
        self.stopping = threading.Event()
        self.scheduler = BackgroundScheduler(
            executors={"default": ThreadPoolExecutor(max_workers=1)},
            job_defaults={"coalesce": True, "max_instances": 1},
            timezone=UTC,
        )

    # -- jobs: each opens its own Store (SQLite connections stay in their thread) -------------
    def tick(self, now: datetime | None = None) -> None:
        """Scan sources, send due digests (catch-up included), deliver queued mail."""
        now = now or self.clock()
        with Store(self.state_path) as store:
            report = pipeline.scan_sources(store, self.config, naive_utc(now),
                                           progress=progress.LogCounts())
            for w in report.warnings:
                log.warning("%s", w)
            if report.new_articles:
                log.info("took in %d new article(s)", report.new_articles)
            if (reread := report.reread_line()) is not None:
                log.info("%s", reread)
            for spec in self.config.digests:
                self._run_due(store, spec, now)
            self._deliver(store, now)

    def scan_folders(self) -> None:
        """The watch job: take in the folders' new files (no feeds, no mail: those keep their
        own schedule); a file still being written is looked at again once it may have settled."""
        sources = self.config.sources
        with Store(self.state_path) as store:
            report = pipeline.ingest_folders(store, sources.folders, now=naive_utc(self.clock()),
                                             settle_seconds=sources.settle.total_seconds(),
                                             max_file_size=sources.max_file_size)
        for w in report.warnings:
            log.warning("%s", w)
        if report.new_articles:
            log.info("took in %d new article(s) (a file arrived)", report.new_articles)
        if (reread := report.reread_line()) is not None:
            log.info("%s", reread)
        if report.pending:
            self.file_arrived()

    def file_arrived(self) -> None:
        """A file appeared or changed in a folder: scan once it has had `settle` to settle
        (each new event moves that time on, so a file being written is read when done)."""
        when = self.clock() + self.config.sources.settle + WATCH_MARGIN
        self.scheduler.add_job(self._job, DateTrigger(run_date=when), args=[self.scan_folders],
                               id="watch", name="scan after a file arrived",
                               replace_existing=True, misfire_grace_time=None)

    def fire(self, name: str, now: datetime | None = None) -> None:
        """The cron job of one digest."""
        now = now or self.clock()
        spec = self.config.digest(name)
        with Store(self.state_path) as store:
            self._run_due(store, spec, now)
            self._deliver(store, now)

    def deliver(self, now: datetime | None = None) -> None:
        with Store(self.state_path) as store:
            self._deliver(store, now or self.clock())

    def _run_due(self, store: Store, spec: DigestSpec, now: datetime) -> None:
        last = outbox.last_slot(store, spec.name)
        if last is None:
            outbox.record_baseline(store, spec.name, naive_utc(now))
            log.info("digest %s: first start; next run %s", spec.name,
                     _fmt(next_runs(spec, now, 1)))
            return
        due = due_slot(spec, aware_utc(last), now)
        if due.skipped is not None:
            local = due.skipped.astimezone(spec.tz)
            log.warning("digest %s: skipped the run(s) due up to %s (more than catch_up = %s "
                        "ago); their stories go into the next digest", spec.name, _fmt([local]),
                        spec.catch_up)
            outbox.record_skipped(store, spec.name, naive_utc(due.skipped), _slot_key(local))
        if due.slot is not None and not self.stopping.is_set():
            local = due.slot.astimezone(spec.tz)
            result = service.run_slot(self.config, store, spec, self.transport,
                                     slot_utc=naive_utc(due.slot), slot_key=_slot_key(local),
                                     now=naive_utc(now), stop=self.stopping,
                                     lock_timeout=self.lock_wait.total_seconds())
            log.info("digest %s for %s: %s", spec.name, _fmt([local]), result.summary())
            _log_delivery(result.delivery)

    def _deliver(self, store: Store, now: datetime) -> None:
        report = service.deliver_queued(self.config, store, self.transport, naive_utc(now),
                                       stop=self.stopping)
        _log_delivery(report)

    def _job(self, fn: Callable[..., None], *args: Any) -> None:
        try:
            fn(*args)
        except DigestError as e:
            log.error("%s", e)
        except Exception:
            log.exception("job %s failed", getattr(fn, "__name__", fn))

    # -- lifecycle ---------------------------------------------------------------------------
    def start(self) -> None:
        """Schedule the jobs and start; the first scan (with catch-up) runs at once."""
        self.add_jobs()
        self.scheduler.start()
        folders = self.config.sources.folders
        FolderWatcher(folders, self.file_arrived, self.stopping,
                      ready=lambda: self._watching(folders)).start()

    def _watching(self, folders: Sequence[Path]) -> None:
        """The watch is live: from now on a new file is seen at once; one that landed while
        it was being set up (after the first scan) is found by one more scan."""
        log.info("watching %s for new files", ", ".join(map(str, folders)))
        self.file_arrived()

    def add_jobs(self) -> None:
        """The scan and deliver jobs, and one cron job per digest in its own time zone."""
        now = self.clock()
        scan_every = self.config.sources.scan_every
        self.scheduler.add_job(self._job, IntervalTrigger(seconds=scan_every.total_seconds()),
                               args=[self.tick], id="scan", name="scan sources",
                               next_run_time=now, misfire_grace_time=None)
        self.scheduler.add_job(self._job, IntervalTrigger(seconds=DELIVER_EVERY.total_seconds()),
                               args=[self.deliver], id="deliver", name="deliver queued mail",
                               misfire_grace_time=None)
        for spec in self.config.digests:
            self.scheduler.add_job(
                self._job, cron_trigger(spec.schedule, spec.tz), args=[self.fire, spec.name],
                id=f"digest:{spec.name}", name=f"digest {spec.name}",
                # A firing delayed by a busy worker or a suspended machine still runs within
                # catch_up; beyond that the next scan logs it as skipped.
                misfire_grace_time=int(spec.catch_up.total_seconds()) or 1,
                coalesce=True, max_instances=1,
            )
            log.info("digest %s: %s (%s), next %s", spec.name, spec.schedule, spec.timezone,
                     _fmt(next_runs(spec, now, 1)))

    def stop(self) -> None:
        """Finish the job in flight (a send completes or times out), leave the rest queued."""
        self.stopping.set()
        if self.scheduler.running:
            self.scheduler.shutdown(wait=True)
        log.info("stopped; undelivered mail stays queued for the next start")

    def jobs(self) -> dict[str, str]:
        """Job id -> trigger and its time zone, e.g. for logs and tests."""
        return {j.id: f"{j.trigger} in {getattr(j.trigger, 'timezone', 'UTC')}"
                for j in self.scheduler.get_jobs()}


def run_forever(daemon: Daemon) -> None:
    """Start the daemon and block until SIGTERM or Ctrl-C, then stop cleanly."""
    stop = threading.Event()

    def on_signal(signum: int, frame: FrameType | None) -> None:
        name = signal.Signals(signum).name
        if stop.is_set():
            log.warning("%s again: still waiting for the send in flight to finish", name)
            return
        log.info("%s: stopping after the send in flight", name)
        stop.set()

    previous = {s: signal.signal(s, on_signal) for s in (signal.SIGTERM, signal.SIGINT)}
    try:
        daemon.start()
        log.info("running; stop with Ctrl-C or SIGTERM")
        while not stop.wait(1.0):
            pass
    finally:
        daemon.stop()
        for s, handler in previous.items():
            signal.signal(s, handler)


def _log_delivery(report: DeliveryReport) -> None:
    """Each message's outcome once: a send at INFO, anything that went wrong at WARNING."""
    for n, line in enumerate(report.lines()):
        log.log(logging.INFO if n < len(report.sent) else logging.WARNING, "%s", line)


def _slot_key(local: datetime) -> str:
    """The wall-clock time of a slot in its zone: one run per wall time, DST folds included."""
    return local.replace(tzinfo=None).isoformat(timespec="minutes")


def _fmt(times: list[datetime]) -> str:
    return ", ".join(t.strftime("%a %Y-%m-%d %H:%M %Z") for t in times) or "never"
