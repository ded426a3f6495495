"""Pure schedule arithmetic: crontab lines in a digest's time zone, fire times, what is due.

No clock, no I/O, no state: config validates schedules with it and the daemon decides what to
send with it, so neither imports the other.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Protocol
from zoneinfo import ZoneInfo

if TYPE_CHECKING:
    from apscheduler.triggers.cron import CronTrigger

_DAYS = ["sun", "mon", "tue", "wed", "thu", "fri", "sat"]


class Scheduled(Protocol):
    """What the arithmetic needs of a digest (config's DigestSpec has it)."""

    @property
    def schedule(self) -> str: ...
    @property
    def tz(self) -> ZoneInfo: ...
    @property
    def catch_up(self) -> timedelta: ...


def cron_trigger(expr: str, tz: ZoneInfo) -> CronTrigger:
    """A standard 5-field crontab line as an APScheduler trigger in time zone tz.

    APScheduler 3 numbers weekdays from Monday = 0, so crontab's "1-5" would mean Tue-Sat;
    the weekday field is translated to day names here. Restricting both day of month and
    weekday is refused: cron ORs them, APScheduler ANDs them.
    """
    # (APScheduler is imported here, not above: a run whose config schedules nothing, as every
    # `digest brief` without digests, does not pay its import time.)
    from apscheduler.triggers.cron import CronTrigger

    fields = expr.split()
    if len(fields) != 5:
        raise ValueError(f"{expr!r}: a schedule needs 5 fields: minute hour day month weekday")
    minute, hour, day, month, weekday = fields
    if day != "*" and weekday != "*":
        raise ValueError(f"{expr!r}: restrict either the day of month or the weekday, not both")
    try:
        return CronTrigger(minute=minute, hour=hour, day=day, month=month,
                           day_of_week=_weekdays(weekday), timezone=tz)
    except ValueError as e:
        raise ValueError(f"{expr!r}: {e}") from None


def _weekdays(field: str) -> str:
    """Crontab weekday field (0 or 7 = Sunday, names allowed) -> APScheduler day names."""
    if field == "*":
        return "*"
    days: set[int] = set()
    for item in field.split(","):
        rng, _, step_s = item.partition("/")
        step = int(step_s) if step_s.isdigit() else None
        if step_s and (step is None or step < 1):
            raise ValueError(f"weekday step {step_s!r} is not a positive number")
        if rng == "*":
            lo, hi = 0, 6
        elif "-" in rng:
            a, b = rng.split("-", 1)
            lo, hi = _day(a), _day(b)
            if hi == 0 and b.strip() == "7":
                hi = 7
            if lo > hi:
                raise ValueError(f"weekday range {rng!r} runs backwards")
        else:
            lo = hi = _day(rng)
            if step is not None:
                hi = 6
        days.update(d % 7 for d in range(lo, hi + 1, step or 1))
    if len(days) == 7:
        return "*"
    return ",".join(_DAYS[d] for d in sorted(days))


def _day(token: str) -> int:
    token = token.strip().lower()
    if token.isdigit() and 0 <= int(token) <= 7:
        return int(token) % 7
    if token[:3] in _DAYS:
        return _DAYS.index(token[:3])
    raise ValueError(f"{token!r} is not a weekday (0-7 or sun-sat)")


def fire_times(trigger: CronTrigger, after: datetime, until: datetime,
               limit: int = 10_000) -> Iterator[datetime]:
    """Fire times t with after < t <= until, in the trigger's zone.

    When clocks go back, a wall-clock time that happens twice fires once (the first time).
    """
    t = trigger.get_next_fire_time(None, _just_after(after))
    for _ in range(limit):
        if t is None or t > until:
            return
        if not _repeated_wall_time(t):
            yield t
        t = trigger.get_next_fire_time(t, _just_after(t))


def _just_after(t: datetime) -> datetime:
    # In UTC: arithmetic within one zone ignores `fold` and would step back into a DST fold.
    return t.astimezone(UTC) + timedelta(microseconds=1)


def _repeated_wall_time(t: datetime) -> bool:
    return t.fold == 1 and t.replace(fold=0).utcoffset() != t.utcoffset()


def next_runs(spec: Scheduled, after: datetime, count: int = 5) -> list[datetime]:
    """The next `count` scheduled times of a digest after `after` (aware), in its zone."""
    trigger = cron_trigger(spec.schedule, spec.tz)
    out: list[datetime] = []
    start = after
    while len(out) < count:
        chunk = list(fire_times(trigger, start, start + timedelta(days=400),
                                limit=count - len(out)))
        if not chunk:
            break
        out.extend(chunk)
        start = chunk[-1]
    return out


@dataclass(frozen=True)
class Due:
    """What to do about a digest's schedule now."""

    slot: datetime | None  # send the digest for this slot now
    skipped: datetime | None  # latest slot too old to send (beyond catch_up): log, record


def due_slot(spec: Scheduled, last: datetime | None, now: datetime) -> Due:
    """The slot to send now, given the last recorded slot (aware datetimes).

    Slots in (last, now] are owed; the latest one is sent if it is at most `catch_up` old,
    otherwise it is skipped (its stories roll into the next digest).
    """
    if last is None:
        return Due(None, None)
    trigger = cron_trigger(spec.schedule, spec.tz)
    # Looking back further than this only finds slots that would be skipped anyway.
    horizon = max(last, now - max(spec.catch_up, timedelta(days=1)) - timedelta(days=7))
    latest = None
    for latest in fire_times(trigger, horizon, now):  # noqa: B007 - keep the last one
        pass
    if latest is None:
        first = next(fire_times(trigger, last, horizon, limit=1), None)
        # Slots before the horizon were missed: mark them done up to the horizon.
        return Due(None, horizon if first is not None else None)
    if now - latest <= spec.catch_up:
        return Due(latest, None)
    return Due(None, latest)


def aware_utc(naive: datetime) -> datetime:
    """A naive UTC time (as stored) as an aware one; an aware one as it is."""
    return naive.replace(tzinfo=UTC) if naive.tzinfo is None else naive


def naive_utc(aware: datetime) -> datetime:
    """An aware time as naive UTC (how the state stores times)."""
    return aware.astimezone(UTC).replace(tzinfo=None)
