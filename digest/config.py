"""config/digest.toml -> validated, frozen models; errors name the file, the key and the problem.

Only what a command needs is required: `[smtp]` is checked by `require_smtp()` when a
command is about to send, the password is read from the environment only when connecting.
Relative paths resolve against the folder of the config file.
"""

from __future__ import annotations

import os
import re
import ssl
import tomllib
from datetime import timedelta
from email.utils import getaddresses
from pathlib import Path
from typing import Annotated, Any, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from platformdirs import user_config_dir
from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    PrivateAttr,
    ValidationError,
    ValidationInfo,
    field_validator,
    model_validator,
)

from digest.errors import ConfigError, DigestError
from digest.ingest import DEFAULT_MAX_FILE_SIZE
from digest.schedule import cron_trigger
from digest.topic_rules import TopicRule, check_unique

DEFAULT_CONFIG = Path("config") / "digest.toml"
LOCAL_HOSTS = frozenset({"localhost", "127.0.0.1", "::1"})
_DURATION = re.compile(r"\s*(\d+(?:\.\d+)?)\s*(ms|s|m|h|d|w)?\s*")
_UNITS = {"ms": 0.001, "s": 1, "m": 60, "h": 3600, "d": 86400, "w": 604800}
_ADDR_SPEC = re.compile(
    r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~.-]+@[A-Za-z0-9](?:[A-Za-z0-9.-]*[A-Za-z0-9])?")


def parse_duration(value: Any) -> timedelta:
    """'60s', '5m', '12h', '1d' or a number of seconds -> timedelta."""
    if isinstance(value, timedelta):
        return value
    if isinstance(value, bool):
        raise ValueError(f"{value!r} is not a duration: use e.g. 60s, 5m, 12h")
    if isinstance(value, int | float):
        return timedelta(seconds=value)
    if isinstance(value, str):
        m = _DURATION.fullmatch(value)
        if m:
            return timedelta(seconds=float(m.group(1)) * _UNITS[m.group(2) or "s"])
    raise ValueError(f"{value!r} is not a duration: use e.g. 60s, 5m, 12h")


Duration = Annotated[timedelta, BeforeValidator(parse_duration)]

_SIZE = re.compile(r"\s*(\d+(?:\.\d+)?)\s*(B|KB|MB|GB)?\s*", re.I)
_SIZE_UNITS = {"b": 1, "kb": 1000, "mb": 1000**2, "gb": 1000**3}


def parse_size(value: Any) -> int:
    """'20MB', '500KB', '1GB' or a number of bytes -> bytes."""
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    if isinstance(value, str):
        m = _SIZE.fullmatch(value)
        if m:
            return int(float(m.group(1)) * _SIZE_UNITS[(m.group(2) or "b").lower()])
    raise ValueError(f"{value!r} is not a size: use e.g. 20MB, 500KB")


Size = Annotated[int, BeforeValidator(parse_size)]


def format_duration(d: timedelta) -> str:
    """timedelta -> '90s', '5m', '12h', '1d' (the largest unit that divides it)."""
    seconds = d.total_seconds()
    for unit in ("w", "d", "h", "m"):
        if seconds >= _UNITS[unit] and seconds % _UNITS[unit] == 0:
            return f"{int(seconds // _UNITS[unit])}{unit}"
    return f"{seconds:g}s"


def check_address(value: str) -> str:
    """A bare address (ana@example.org): one line, no display name, nothing a header could abuse."""
    if not isinstance(value, str) or not _ADDR_SPEC.fullmatch(value):
        raise ValueError(f"{value!r} is not an email address like ana@example.org")
    return value


def check_mailbox(value: str) -> str:
    """'Name <addr>' or a bare address, on one line."""
    if not isinstance(value, str) or any(c in value for c in "\r\n\0"):
        raise ValueError(f"{value!r} is not an address: it contains a line break")
    parsed = getaddresses([value])
    if len(parsed) != 1 or not _ADDR_SPEC.fullmatch(parsed[0][1]):
        raise ValueError(f"{value!r} is not an address like 'Digest <digest@example.org>'")
    return value


def _resolve(path: Path | None, info: ValidationInfo) -> Path | None:
    base = (info.context or {}).get("base")
    if path is None or path.is_absolute() or base is None:
        return path
    return (Path(base) / path).resolve()


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


def check_feed_url(value: str) -> str:
    """An http(s) URL with a host, on one line: the only network digest ever reaches."""
    if not isinstance(value, str) or not _FEED_URL.fullmatch(value):
        raise ValueError(f"{value!r} is not a feed URL like https://example.org/feed.xml")
    return value


_FEED_URL = re.compile(r"https?://[^\s/?#@]+(?:[/?#]\S*)?", re.I)
FeedUrl = Annotated[str, AfterValidator(check_feed_url)]
DEFAULT_FEED_REFRESH = timedelta(minutes=30)


class FeedSpec(_Model):
    """One feed URL and its options (`[[sources.feed]]`; `feeds = [...]` gives the defaults)."""

    url: FeedUrl
    name: str | None = None  # shown by `digest feeds list`; default: the feed's own title
    outlet: str | None = None  # the outlet of its articles; default: the feed's title
    full_text: bool = False  # always fetch each entry's page (default: only for teasers)
    refresh: Duration | None = None  # how often it is fetched; default sources.feed_refresh

    @field_validator("refresh")
    @classmethod
    def _refresh(cls, v: timedelta | None) -> timedelta | None:
        if v is not None and v < timedelta(minutes=1):
            raise ValueError("must be at least 1m (be polite to the feed's server)")
        return v


class State(_Model):
    """[state]: where digest keeps its state (--state and $DIGEST_STATE override it)."""

    # The path of a SQLite file (relative to this file's folder) or a PostgreSQL URL without a
    # password (postgresql://user@host:port/db; the password from PGPASSWORD or ~/.pgpass).
    url: str | None = None

    @field_validator("url")
    @classmethod
    def _url(cls, v: str | None) -> str | None:
        if v is not None:
            from digest.storage.location import parse_location

            try:
                parse_location(v)
            except DigestError as e:
                raise ValueError(str(e)) from None
        return v


class Sources(_Model):
    folders: list[Path] = Field(default_factory=lambda: [Path("seeds")])
    scan_every: Duration = timedelta(seconds=60)
    settle: Duration = timedelta(seconds=2)  # a file must stay unmodified this long to be read
    max_file_size: Size = DEFAULT_MAX_FILE_SIZE  # a bigger file is refused with a warning
    feeds: list[FeedUrl] = Field(default_factory=list)  # feed URLs with the default options
    feed: list[FeedSpec] = Field(default_factory=list)  # feeds with options of their own
    feed_refresh: Duration = DEFAULT_FEED_REFRESH  # how often each feed is fetched
    feed_timeout: Duration = timedelta(seconds=20)  # per HTTP request, first byte to last
    feed_max_size: Size = 10_000_000  # a bigger response (feed or page) is refused

    @model_validator(mode="after")
    def _feeds_once(self) -> Sources:
        seen: set[str] = set()
        for url in [*self.feeds, *(f.url for f in self.feed)]:
            if url in seen:
                raise ValueError(f"feed {url} is listed twice (feeds and [[sources.feed]] "
                                 "together name each URL once)")
            seen.add(url)
        if self.feed_timeout <= timedelta(0):
            raise ValueError("feed_timeout must be positive")
        if self.feed_refresh < timedelta(minutes=1):
            raise ValueError("feed_refresh must be at least 1m")
        return self

    @property
    def all_feeds(self) -> list[FeedSpec]:
        """Every configured feed, `feeds = [...]` first, with its options."""
        return [*(FeedSpec(url=u) for u in self.feeds), *self.feed]

    @field_validator("folders")
    @classmethod
    def _folders(cls, v: list[Path], info: ValidationInfo) -> list[Path]:
        return [p for p in (_resolve(p, info) for p in v) if p is not None]

    @field_validator("max_file_size")
    @classmethod
    def _size(cls, v: int) -> int:
        if v < 1000:
            raise ValueError("must be at least 1KB (an article is bigger than that)")
        return v

    @field_validator("scan_every")
    @classmethod
    def _positive(cls, v: timedelta) -> timedelta:
        if v < timedelta(seconds=1):
            raise ValueError("must be at least 1s")
        return v


class Smtp(_Model):
    host: str
    port: int | None = Field(default=None, ge=1, le=65535)
    security: Literal["starttls", "tls", "none"] = "starttls"
    username: str | None = None
    password_env: str | None = None
    sender: str
    ca_file: Path | None = None  # trust this CA (a self-signed server) instead of the system's
    timeout: Duration = timedelta(seconds=30)

    @field_validator("sender")
    @classmethod
    def _sender(cls, v: str) -> str:
        return check_mailbox(v)

    @field_validator("ca_file")
    @classmethod
    def _ca_file(cls, v: Path | None, info: ValidationInfo) -> Path | None:
        v = _resolve(v, info)
        if v is not None and not v.is_file():
            raise ValueError(f"CA file {v} not found")
        if v is not None:
            try:  # read it now: a file that is not a certificate is a config error, not a crash
                ssl.create_default_context(cafile=str(v))
            except (ssl.SSLError, OSError, ValueError) as e:
                raise ValueError(f"CA file {v} is not a PEM certificate file ({e})") from None
        return v

    @field_validator("password_env")
    @classmethod
    def _env_name(cls, v: str | None) -> str | None:
        if v is not None and not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", v):
            raise ValueError(f"{v!r} is not an environment variable name (the password itself "
                             "never goes in the file)")
        return v

    @model_validator(mode="after")
    def _consistent(self) -> Smtp:
        if self.security == "none" and self.host.lower() not in LOCAL_HOSTS:
            raise ValueError(f"security = \"none\" is only allowed for localhost, not {self.host}")
        if (self.username is None) != (self.password_env is None):
            raise ValueError("username and password_env go together (a local relay needs neither)")
        if self.timeout <= timedelta(0):
            raise ValueError("timeout must be positive")
        return self

    @property
    def effective_port(self) -> int:
        return self.port or {"starttls": 587, "tls": 465, "none": 25}[self.security]


class DigestSpec(_Model):
    name: str = Field(pattern=r"^[a-z0-9][a-z0-9_-]{0,40}$")
    schedule: str
    timezone: str = "UTC"
    recipients: list[str] = Field(min_length=1)
    topics: list[str] = Field(default_factory=list)  # empty = all stories
    also_noted: bool = False  # list stories matching no topic by title under "Also noted"
    max_stories: int = Field(default=10, ge=1)
    words: int | None = Field(default=120, ge=1)  # summary length per story
    send_empty: bool = False  # send "nothing new" mail instead of skipping
    catch_up: Duration = timedelta(hours=12)  # a run missed while down is sent if this recent
    unsubscribe: str | None = None  # List-Unsubscribe target; default: mailto the sender

    @field_validator("recipients")
    @classmethod
    def _recipients(cls, v: list[str]) -> list[str]:
        seen: set[str] = set()
        for addr in v:
            check_address(addr)
            if addr.lower() in seen:
                raise ValueError(f"{addr} is listed twice")
            seen.add(addr.lower())
        return v

    @field_validator("topics")
    @classmethod
    def _known_topics(cls, v: list[str], info: ValidationInfo) -> list[str]:
        # Config._topics (validated first: it is declared before digests) left the names here.
        known = (info.context or {}).get("topic_names")
        if known is not None:
            for name in v:
                if name not in known:
                    listed = ", ".join(sorted(known)) or "none: add [[topics]] entries"
                    raise ValueError(f"unknown topic {name!r} (known: {listed})")
        return v

    @field_validator("timezone")
    @classmethod
    def _timezone(cls, v: str) -> str:
        try:
            ZoneInfo(v)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"unknown time zone {v!r} (use an IANA name like "
                             "Europe/Berlin)") from None
        return v

    @field_validator("schedule")
    @classmethod
    def _schedule(cls, v: str) -> str:
        cron_trigger(v, ZoneInfo("UTC"))
        return v

    @field_validator("unsubscribe")
    @classmethod
    def _unsubscribe(cls, v: str | None) -> str | None:
        if v is not None and (not re.fullmatch(r"(mailto:|https://)\S+", v) or any(
                c in v for c in "<>\"")):
            raise ValueError(f"{v!r}: use a mailto: or https:// address")
        return v

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)


class Config(_Model):
    templates: Path | None = None  # folder overriding the shipped templates/
    state: State = Field(default_factory=State)
    sources: Sources = Field(default_factory=Sources)
    smtp: Smtp | None = None
    topics: list[TopicRule] = Field(default_factory=list, validate_default=True)  # before digests
    digests: list[DigestSpec] = Field(default_factory=list)
    _file: Path = PrivateAttr(default=Path("<config>"))

    @field_validator("templates")
    @classmethod
    def _templates(cls, v: Path | None, info: ValidationInfo) -> Path | None:
        v = _resolve(v, info)
        if v is not None and not v.is_dir():
            raise ValueError(f"templates folder {v} not found")
        return v

    @field_validator("topics")
    @classmethod
    def _topics(cls, v: list[TopicRule], info: ValidationInfo) -> list[TopicRule]:
        check_unique(v)
        if isinstance(info.context, dict):  # lets each digest check the topics it names
            info.context["topic_names"] = frozenset(r.name for r in v)
        return v

    @field_validator("digests")
    @classmethod
    def _unique(cls, v: list[DigestSpec]) -> list[DigestSpec]:
        names = [d.name for d in v]
        for name in names:
            if names.count(name) > 1:
                raise ValueError(f"two digests are named {name!r}")
        return v

    def model_post_init(self, context: Any) -> None:
        if isinstance(context, dict) and "file" in context:
            self._file = Path(context["file"])

    @property
    def file(self) -> Path:
        return self._file

    def digest(self, name: str) -> DigestSpec:
        """The [[digests]] entry called name, or a ConfigError listing the known ones."""
        for d in self.digests:
            if d.name == name:
                return d
        known = ", ".join(d.name for d in self.digests) or "none"
        raise ConfigError(f"{self.file}: no [[digests]] entry named {name!r} (known: {known})")

    def require_smtp(self) -> Smtp:
        """The [smtp] section, for commands that send mail."""
        if self.smtp is None:
            raise ConfigError(f"{self.file}: [smtp]: section missing; it is needed to send email")
        return self.smtp

    def smtp_password(self) -> str | None:
        """The SMTP password from the environment variable named by smtp.password_env."""
        smtp = self.require_smtp()
        if smtp.password_env is None:
            return None
        value = os.environ.get(smtp.password_env)
        if not value:
            raise ConfigError(f"{self.file}: smtp.password_env: environment variable "
                              f"{smtp.password_env} is not set")
        return value


def user_config() -> Path:
    """The per-user config file: ~/.config/digest/digest.toml (or $XDG_CONFIG_HOME's)."""
    return Path(user_config_dir("digest", appauthor=False)) / "digest.toml"


def locate_config(explicit: Path | None) -> tuple[Path, str] | None:
    """(file, how it was found), in order: --config, $DIGEST_CONFIG, ./config/digest.toml, the
    per-user config folder; None when there is none (commands that can run without one)."""
    if explicit is not None:
        return explicit, "given by --config"
    env = os.environ.get("DIGEST_CONFIG")
    if env:
        return Path(env), "given by $DIGEST_CONFIG"
    if DEFAULT_CONFIG.is_file():
        return DEFAULT_CONFIG, "found in the current folder"
    user = user_config()
    if user.is_file():
        return user, "found in the user config folder"
    return None


def find_config(explicit: Path | None) -> Path:
    """The config file (see locate_config), or a ConfigError naming where it looked."""
    found = locate_config(explicit)
    if found is None:
        raise ConfigError(f"no config file: pass --config PATH or set DIGEST_CONFIG "
                          f"(looked for {DEFAULT_CONFIG} and {user_config()})")
    return found[0]


def state_url(path: Path) -> str | None:
    """The [state] url of a config file, read alone: every command finds its state through it,
    and one that needs no config must not fail on a problem elsewhere in the file (the
    commands that load the config report those)."""
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError):
        return None
    section = data.get("state")
    url = section.get("url") if isinstance(section, dict) else None
    return url if isinstance(url, str) and url else None


def load_config(path: Path) -> Config:
    """Read and validate one TOML file; any problem is a one-line ConfigError."""
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ConfigError(f"{path}: config file not found") from None
    except OSError as e:
        raise ConfigError(f"{path}: cannot read ({e.strerror or e})") from e
    except UnicodeDecodeError as e:
        raise ConfigError(f"{path}: not UTF-8 text ({e.reason})") from e
    except tomllib.TOMLDecodeError as e:
        raise ConfigError(f"{path}: invalid TOML: {e}") from e
    try:
        return Config.model_validate(data, context={"base": path.resolve().parent, "file": path})
    except ValidationError as e:
        raise ConfigError(format_validation_error(path, e, data)) from e


def format_validation_error(path: Path, error: ValidationError, data: Any) -> str:
    """Every problem on a line of its own, each naming the file and the key:
    'config/digest.toml: digests[0] (morning).timezone: unknown time zone ...'."""
    return "\n".join(_problem_line(path, problem, data)
                     for problem in error.errors(include_url=False))


def _problem_line(path: Path, problem: Any, data: Any) -> str:
    key = _location(problem["loc"], data)
    msg = str(problem["msg"]).removeprefix("Value error, ")
    if problem["type"] == "extra_forbidden":
        msg = "unknown key"
    elif problem["type"] == "missing":
        msg = "missing (required)"
    elif "input" in problem and problem["type"] not in ("value_error", "assertion_error"):
        msg += f" (got {problem['input']!r})"
    return f"{path}: {key}: {msg}"


def _location(loc: tuple[int | str, ...], data: Any) -> str:
    out = ""
    node = data
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
            node = node[part] if isinstance(node, list) and part < len(node) else None
            if isinstance(node, dict) and isinstance(node.get("name"), str):
                out += f" ({node['name']})"
        else:
            out += f".{part}" if out else str(part)
            node = node.get(part) if isinstance(node, dict) else None
    return out or "(top level)"
