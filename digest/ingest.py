"""Files on disk -> RawDocument (file I/O and decoding only).

A source folder is untrusted: any file in it may be huge, binary, unreadable, a FIFO, a
link to somewhere else, or gone by the time it is read. No single file may stop or stall a
run: each problem becomes one line naming the file and the reason, and the run goes on.

- Links that leave the folder are never followed (`passwd.txt -> /etc/passwd`); a link to a
  file inside the folder is read; links to folders are not descended into (their files are
  listed anyway, and a loop is impossible).
- Only regular files are opened, and with O_NONBLOCK: a FIFO named `x.txt` cannot block.
- A file bigger than the size limit is refused from its size alone; the read itself stops at
  the limit (a file that grew in the meantime, a sparse file).
- A failed read (permissions, a vanished file) may succeed later: see `retry_due`.
"""

from __future__ import annotations

import hashlib
import logging
import os
import re
import stat
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from charset_normalizer import from_bytes

from digest.errors import IngestError
from digest.models import RawDocument

log = logging.getLogger(__name__)

KINDS = {
    ".txt": "text",
    ".text": "text",
    ".md": "markdown",
    ".markdown": "markdown",
    ".html": "html",
    ".htm": "html",
    ".xml": "feed",
    ".rss": "feed",
    ".atom": "feed",
}
# Names that editors, browsers and rsync use for files still being written.
PARTIAL_SUFFIXES = (".part", ".tmp", ".crdownload", ".swp", "~")
DEFAULT_MAX_FILE_SIZE = 20_000_000  # bytes; config: sources.max_file_size
# A failed read is tried again after 1 minute, then 2, 4, ... at most a day apart (or at once
# when the file's inode changed: chmod, chown, a rewrite).
RETRY_FIRST = timedelta(minutes=1)
RETRY_MAX = timedelta(days=1)


class ReadError(IngestError):
    """The file could not be read now (permissions, vanished): worth trying again later."""


@dataclass(frozen=True)
class FileEntry:
    path: Path
    size: int
    mtime: float
    ctime: float = 0.0
    # Why the file cannot be taken in, known from the listing alone (too big, a FIFO, a link
    # out of the folder, a folder that cannot be listed); None for a file to read.
    problem: str | None = None
    transient: bool = False  # the problem may go away without the entry changing: retry it
    target: Path | None = None  # what a link inside the folder points to: the file to open
    max_size: int = DEFAULT_MAX_FILE_SIZE  # the read stops past this many bytes

    @property
    def name(self) -> str:
        """The path as text, safe to print and to store (see `path_text`)."""
        return path_text(self.path)


NAME_CONTROLS = re.compile(r"[\x00-\x1f\x7f]")


def path_text(path: Path | str) -> str:
    """A path as one line of valid text: bytes of a file name that are not UTF-8, and control
    characters (a newline in a name would forge a line of output), become \\xNN escapes.

    Python keeps such bytes as lone surrogates, which SQLite, terminals and JSON refuse.
    """
    text = os.fsencode(path).decode("utf-8", "backslashreplace")
    return NAME_CONTROLS.sub(lambda m: f"\\x{ord(m.group()):02x}", text)


def scan(folder: Path, *, settle_seconds: float = 2.0, now: float | None = None,
         max_size: int = DEFAULT_MAX_FILE_SIZE) -> tuple[list[FileEntry], list[Path]]:
    """List article files under folder (or folder itself, one file named by the user), split
    into (ready, still being written).

    Files that cannot be taken in are listed among the ready ones with their `problem`, so
    each is reported (and recorded) like any other failed file.
    """
    if folder.is_file():
        if folder.suffix.lower() not in KINDS:
            raise IngestError(f"{path_text(folder)}: not an article file "
                              f"({', '.join(sorted(KINDS))})")
        entries = [entry_for(folder, max_size)]
    elif folder.is_dir():
        entries = sorted(_walk(folder, max_size), key=lambda e: e.path)
    else:
        raise IngestError(f"{path_text(folder)}: not a folder")
    now = time.time() if now is None else now
    ready: list[FileEntry] = []
    pending: list[Path] = []
    for entry in entries:
        # A file modified a moment ago may still be growing: take it next time.
        if entry.problem is None and now - entry.mtime < settle_seconds:
            pending.append(entry.path)
        else:
            ready.append(entry)
    return ready, pending


def _walk(folder: Path, max_size: int) -> list[FileEntry]:
    root = os.path.realpath(folder)
    found: list[FileEntry] = []
    stack = [folder]
    while stack:
        current = stack.pop()
        try:
            with os.scandir(current) as it:
                children = list(it)
        except OSError as e:
            found.append(FileEntry(current, 0, 0.0, problem=f"cannot list the folder ({_reason(e)})",
                                   transient=True))
            continue
        for child in children:
            name = child.name
            if name.startswith(".") or name.endswith(PARTIAL_SUFFIXES):
                continue
            path = Path(child.path)
            try:
                if child.is_symlink():
                    entry = _link(path, root, max_size)
                elif child.is_dir(follow_symlinks=False):
                    stack.append(path)  # a folder named "x.txt" is a folder
                    continue
                elif path.suffix.lower() not in KINDS:
                    continue
                else:
                    entry = _entry(path, path.lstat(), max_size)
            except OSError as e:  # vanished between listing and stat
                log.debug("skip %s: %s", path_text(path), e)
                continue
            if entry is not None:
                found.append(entry)
    return found


def _link(path: Path, root: str, max_size: int) -> FileEntry | None:
    """A symbolic link: its target if that is a file inside the folder; else why not."""
    own = path.lstat()
    target = os.path.realpath(path)
    inside = target == root or target.startswith(root.rstrip(os.sep) + os.sep)
    if not inside:
        return FileEntry(path, own.st_size, own.st_mtime, own.st_ctime,
                         problem=f"a link to {path_text(target)}, outside the source folder: not followed")
    if path.suffix.lower() not in KINDS:
        return None
    try:
        st = os.stat(target)
    except OSError:
        return FileEntry(path, own.st_size, own.st_mtime, own.st_ctime,
                         problem="a broken link (its target does not exist)", transient=True)
    if stat.S_ISDIR(st.st_mode):
        return None  # its files are listed where they are
    return _entry(path, st, max_size, target=Path(target))


def _entry(path: Path, st: os.stat_result, max_size: int, target: Path | None = None) -> FileEntry:
    problem = None
    if not stat.S_ISREG(st.st_mode):
        problem = f"not a regular file ({_file_type(st.st_mode)})"
    elif st.st_size > max_size:
        problem = (f"too big ({_size(st.st_size)}; the limit is {_size(max_size)}, "
                   "sources.max_file_size)")
    return FileEntry(path, st.st_size, st.st_mtime, st.st_ctime, problem=problem, target=target,
                     max_size=max_size)


def entry_for(path: Path, max_size: int = DEFAULT_MAX_FILE_SIZE) -> FileEntry:
    """The entry of one file named by the user (`digest extract FILE`): links are followed."""
    try:
        st = path.stat()
    except OSError as e:
        raise ReadError(f"{path_text(path)}: unreadable ({_reason(e)})") from e
    return _entry(path, st, max_size, target=path)


def _file_type(mode: int) -> str:
    for test, name in ((stat.S_ISDIR, "a folder"), (stat.S_ISFIFO, "a FIFO"), (stat.S_ISSOCK, "a socket"),
                       (stat.S_ISCHR, "a character device"), (stat.S_ISBLK, "a block device")):
        if test(mode):
            return name
    return "a special file"


def _size(n: int) -> str:
    for unit, factor in (("GB", 1000**3), ("MB", 1000**2), ("KB", 1000)):
        if n >= factor:
            return f"{n / factor:.1f} {unit}".replace(".0 ", " ")
    return f"{n} bytes"


def _reason(e: OSError) -> str:
    return e.strerror or str(e)


def retry_due(entry: FileEntry, attempts: int, last_attempt: datetime, now: datetime) -> bool:
    """Whether a file whose read failed `attempts` times (the last at `last_attempt`, naive
    UTC like `now`) is tried again now: at once if its inode changed since, else on backoff."""
    if entry.ctime > last_attempt.replace(tzinfo=UTC).timestamp():
        return True  # chmod, chown or a rewrite since the last try
    wait = min(RETRY_FIRST * (1 << min(max(attempts - 1, 0), 20)), RETRY_MAX)
    return now - last_attempt >= wait


def file_hash(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def read(entry: FileEntry) -> RawDocument:
    """Read and decode one file; IngestError names the file and the reason (ReadError: may
    succeed later)."""
    name = entry.name
    if entry.problem:
        raise (ReadError if entry.transient else IngestError)(f"{name}: {entry.problem}")
    data = _read_bytes(entry.target or entry.path, name, entry.max_size,
                       follow=entry.target is not None)
    if not data.strip():
        raise IngestError(f"{name}: empty file")
    kind = KINDS[entry.path.suffix.lower()]
    warnings: list[str] = []
    text = decode(data, name, warnings)
    if not text.strip():
        raise IngestError(f"{name}: no text (only control or invisible characters)")
    return RawDocument(path=entry.path, text=text, kind=kind, file_hash=file_hash(data),
                       mtime=entry.mtime, warnings=tuple(warnings))


def _read_bytes(path: Path, name: str, max_size: int, *, follow: bool) -> bytes:
    # O_NONBLOCK: if a FIFO took the file's place since the listing, open() does not wait
    # for a writer. O_NOFOLLOW: nor does a link that took its place get followed.
    flags = os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0)
    if not follow:
        flags |= getattr(os, "O_NOFOLLOW", 0)
    try:
        fd = os.open(path, flags)
    except FileNotFoundError as e:
        raise ReadError(f"{name}: vanished before it could be read") from e
    except OSError as e:
        raise ReadError(f"{name}: unreadable ({_reason(e)})") from e
    with os.fdopen(fd, "rb") as f:
        st = os.fstat(f.fileno())
        if not stat.S_ISREG(st.st_mode):
            raise IngestError(f"{name}: not a regular file ({_file_type(st.st_mode)})")
        try:
            data = f.read(max_size + 1)
        except OSError as e:
            raise ReadError(f"{name}: unreadable ({_reason(e)})") from e
    if len(data) > max_size:
        raise IngestError(f"{name}: too big (over {_size(max_size)}, sources.max_file_size)")
    return data


# C0 controls but tab, newline, form feed, carriage return; DEL; C1 controls.
CONTROL_CHARS = re.compile(r"[\x00-\x08\x0b\x0e-\x1f\x7f-\x9f]")
# Invisible characters that only hide or reorder text: zero-width space, word joiner, a BOM
# inside the text, bidirectional overrides and isolates (zero-width joiners stay: scripts
# and emoji need them).
INVISIBLE = re.compile("[\u200b\u2060\ufeff\u202a-\u202e\u2066-\u2069]")
BINARY_SHARE = 0.05  # more control characters than this share of the text: not text


def decode(data: bytes, name: str, warnings: list[str] | None = None) -> str:
    """UTF-8 (or UTF-16) first; else detect a legacy encoding (cp1251, latin-1, ...); refuse
    binary. Stray control and invisible characters are removed (noted in `warnings`)."""
    warnings = warnings if warnings is not None else []
    text = _decode_utf(data, name, warnings)
    if text is None:
        if b"\x00" in data:  # no legacy text encoding has NUL bytes
            raise IngestError(f"{name}: binary file, not text")
        best = from_bytes(data).best()
        if best is None:
            raise IngestError(f"{name}: cannot decode: not UTF-8 and no known encoding fits")
        text = str(best)
        log.info("%s: decoded as %s", name, best.encoding)
    text, controls = CONTROL_CHARS.subn("", text)
    if controls > len(text) * BINARY_SHARE:
        raise IngestError(f"{name}: binary file, not text")
    if controls:
        warnings.append(f"{name}: {controls} control character{'s' * (controls > 1)} "
                        "(NUL, escape, ...) removed")
    if not text.isascii():  # one C pass; most articles are ASCII and have none
        text = INVISIBLE.sub("", text)
    return text.replace("\r\n", "\n").replace("\r", "\n")


def _decode_utf(data: bytes, name: str, warnings: list[str]) -> str | None:
    """The text if the bytes are UTF-8 or UTF-16 (with or without a BOM), else None."""
    for boms, codec in (((b"\xff\xfe\x00\x00", b"\x00\x00\xfe\xff"), "utf-32"),
                        ((b"\xff\xfe", b"\xfe\xff"), "utf-16")):
        if data.startswith(boms):
            try:
                return data.decode(codec)
            except UnicodeDecodeError:
                return None
    utf16 = _utf16_order(data)
    if utf16:
        try:
            return data.decode(utf16)
        except UnicodeDecodeError:
            return None
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        if e.start < len(data) - 3 or "end of data" not in e.reason:
            return None
        # Cut off in the middle of a character (a truncated download): keep what is whole.
        warnings.append(f"{name}: ends in the middle of a character (truncated?)")
        return data[:e.start].decode("utf-8-sig")


def _utf16_order(data: bytes) -> str | None:
    """'utf-16-le'/'-be' for BOM-less UTF-16 of mostly Latin text (every other byte NUL)."""
    sample = data[:4096]
    half = len(sample) // 2
    if half < 8:
        return None
    even, odd = sample[0::2].count(0), sample[1::2].count(0)
    if odd > 0.4 * half and even < 0.05 * half:
        return "utf-16-le"
    if even > 0.4 * half and odd < 0.05 * half:
        return "utf-16-be"
    return None
