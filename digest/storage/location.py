"""Where the state lives: a SQLite file (a path) or a PostgreSQL database (a URL).

`--state`, $DIGEST_STATE and the config's `[state] url` all name it the same way: a
`postgresql://user@host:port/db` URL chooses PostgreSQL, anything else is the path of a SQLite
file. The password never travels in the URL (it would end up in shell history, process lists
and logs): psycopg's libpq reads it from $PGPASSWORD or ~/.pgpass, as psql does.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from digest.errors import StoreError

SCHEMES = ("postgresql", "postgres")


@dataclass(frozen=True)
class PostgresUrl:
    """A PostgreSQL database named by a libpq URL without a password."""

    url: str

    def __str__(self) -> str:
        return self.url


StateLocation = Path | PostgresUrl


def is_url(value: str) -> bool:
    """Whether a state value is a URL (scheme://...) rather than a file path."""
    return "://" in value


def parse_location(value: str, base: Path | None = None) -> StateLocation:
    """A state location from its text; a relative path is taken from `base` when given.

    A URL of another scheme, or one that carries a password, is one StoreError line.
    """
    if not is_url(value):
        path = Path(value).expanduser()
        return base / path if base is not None and not path.is_absolute() else path
    parts = urlsplit(value)
    if parts.scheme not in SCHEMES:
        raise StoreError(f"{_redact(value)}: not a state location: give the path of a SQLite "
                         "file or a postgresql://user@host:port/database URL")
    if parts.password is not None:
        raise StoreError(f"{_redact(value)}: a password in the state URL is refused (it would "
                         "show in logs and process lists): set PGPASSWORD or use ~/.pgpass")
    if not parts.path.strip("/"):
        raise StoreError(f"{value}: the URL names no database "
                         "(postgresql://user@host:port/database)")
    try:
        parts.port  # noqa: B018 - raises ValueError on a port that is not a number
    except ValueError:
        raise StoreError(f"{_redact(value)}: the port is not a number") from None
    return PostgresUrl(value)


def _redact(value: str) -> str:
    """The URL with any password replaced, for messages."""
    parts = urlsplit(value)
    if parts.password is None:
        return value
    netloc = parts.netloc.replace(f":{parts.password}@", ":***@", 1)
    return parts._replace(netloc=netloc).geturl()
