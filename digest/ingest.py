"""Files on disk -> RawDocument (file I/O and decoding only)."""

from __future__ import annotations

import hashlib
import logging
import re
import time
from collections.abc import Iterator
from dataclasses import dataclass
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


@dataclass(frozen=True)
class FileEntry:
    path: Path
    size: int
    mtime: float


def scan(folder: Path, *, settle_seconds: float = 2.0, now: float | None = None) -> tuple[
    list[FileEntry], list[Path]
]:
    """List article files under folder (or folder itself, one file), split into (ready, still
    being written)."""
    if folder.is_file():
        if folder.suffix.lower() not in KINDS:
            raise IngestError(f"{folder}: not an article file ({', '.join(sorted(KINDS))})")
        paths = [folder]
    elif folder.is_dir():
        paths = sorted(_walk(folder))
    else:
        raise IngestError(f"{folder}: not a folder")
    now = time.time() if now is None else now
    ready: list[FileEntry] = []
    pending: list[Path] = []
    for path in paths:
        try:
            st = path.stat()
        except OSError as e:  # vanished between listing and stat
            log.debug("skip %s: %s", path, e)
            continue
        # A file modified a moment ago may still be growing: take it next time.
        if now - st.st_mtime < settle_seconds:
            pending.append(path)
        else:
            ready.append(FileEntry(path, st.st_size, st.st_mtime))
    return ready, pending


def _walk(folder: Path) -> Iterator[Path]:
    for path in folder.rglob("*"):
        name = path.name
        if name.startswith(".") or name.endswith(PARTIAL_SUFFIXES):
            continue
        if path.suffix.lower() in KINDS and path.is_file():
            yield path


def file_hash(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def read(entry: FileEntry) -> RawDocument:
    """Read and decode one file; IngestError names the file and the reason."""
    path = entry.path
    try:
        data = path.read_bytes()
    except OSError as e:
        raise IngestError(f"{path}: unreadable ({e.strerror or e})") from e
    if not data.strip():
        raise IngestError(f"{path}: empty file")
    kind = KINDS[path.suffix.lower()]
    text = decode(data, path)
    return RawDocument(path=path, text=text, kind=kind, file_hash=file_hash(data), mtime=entry.mtime)


def decode(data: bytes, path: Path) -> str:
    """UTF-8 first; else detect a legacy encoding (cp1251, latin-1, ...); refuse binary."""
    if b"\x00" in data[:4096] and not data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise IngestError(f"{path}: binary file, not text")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        best = from_bytes(data).best()
        if best is None:
            raise IngestError(f"{path}: cannot decode: not UTF-8 and no known encoding fits") from None
        text = str(best)
        log.info("%s: decoded as %s", path, best.encoding)
    if _looks_binary(text):
        raise IngestError(f"{path}: binary file, not text")
    return text.replace("\r\n", "\n").replace("\r", "\n")


CONTROL_CHARS = re.compile(r"[\x00-\x08\x0b\x0e-\x1f]")


def _looks_binary(text: str) -> bool:
    sample = text[:4096]
    if not sample:
        return False
    return len(CONTROL_CHARS.findall(sample)) / len(sample) > 0.05
