"""Instant pickup for `digest run`: watch the source folders (watchfiles: inotify on Linux)
and call back when an article file appears or changes, so it is taken in about a second
after it settles instead of at the next scan. Polling every `scan_every` stays as the
fallback (a network folder sends no events; a watch that fails only logs it).
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Sequence
from pathlib import Path

from digest.ingest import KINDS, PARTIAL_SUFFIXES

log = logging.getLogger(__name__)

DEBOUNCE_MS = 500  # events closer than this come as one batch
# The watch says it is live by yielding (an empty batch) after this long without events: only
# then are events seen, so a file landing while the watch was being set up needs a scan then.
READY_MS = 1000


def is_article_event(path: str) -> bool:
    """Whether a changed path is one a scan would take in (not a partial or hidden file)."""
    p = Path(path)
    return (p.suffix.lower() in KINDS and not p.name.startswith(".")
            and not p.name.endswith(PARTIAL_SUFFIXES))


class FolderWatcher:
    """A daemon thread watching folders; `changed()` runs in it for each batch of events."""

    def __init__(self, folders: Sequence[Path], changed: Callable[[], None],
                 stop: threading.Event, ready: Callable[[], None] | None = None) -> None:
        self.folders = [f for f in folders if f.is_dir()]
        self.changed = changed
        self.ready = ready  # runs once, in the thread, when the watch is live
        self.stop = stop
        self.thread = threading.Thread(target=self._run, name="watch", daemon=True)

    def start(self) -> bool:
        """Start watching; False when there is no folder to watch."""
        if not self.folders:
            return False
        self.thread.start()
        return True

    def _run(self) -> None:
        from watchfiles import Change, watch

        live = False
        try:
            for changes in watch(*self.folders, stop_event=self.stop, debounce=DEBOUNCE_MS,
                                 rust_timeout=READY_MS, yield_on_timeout=True,
                                 raise_interrupt=False, ignore_permission_denied=True):
                if not live:
                    live = True
                    if self.ready is not None:
                        self.ready()
                if any(kind != Change.deleted and is_article_event(path) for kind, path in changes):
                    self.changed()
        except Exception as e:  # no inotify, too many watches: the polling scan still runs
            log.warning("watching %s stopped (%s); new files are found by the scan every "
                        "sources.scan_every", ", ".join(map(str, self.folders)), e)
