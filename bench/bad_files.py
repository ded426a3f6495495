"""A folder of hostile files mixed with the seeds: no single file may stop or stall a run.

Builds the mix, runs `digest brief` on it in a fresh process (then a second time, which must
read nothing again and warn about nothing), and reports the time, the peak memory (max RSS of
the child), the warnings, and whether every bad file was named exactly once and every good
article went in.

    python bench/bad_files.py                  # 1,000+ files, with the big ones (2 GB sparse, 19 MB)
    python bench/bad_files.py --small          # the test's version (tests/test_bad_files.py)

The kinds (see KINDS): empty, whitespace only, binary, PNG named .html, gzip named .txt,
NULs after the first 4 KB, stray NULs, terminal escapes, zero-width and bidi characters only,
UTF-16 without a BOM, UTF-32, text cut in the middle of a character, a bad front-matter date,
broken YAML, a YAML alias bomb, front matter never closed, broken and entity-bomb feeds,
truncated and deeply nested HTML, script-only HTML, a huge single line, a 1 MB paragraph with
an unmatched quote, a paragraph of a million "(", a sparse file far over the size limit, a
FIFO, links out of the folder (to /etc/passwd, to /), a dangling link, a link to a seed, a link
loop, a folder named x.txt, a non-UTF-8 file name, a file name with a newline, an unlistable
folder and an unreadable file (only when not root: root reads anything), and many tiny files.
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SEEDS = ROOT / "seeds"
SEED_ARTICLES = 6  # 004 carries a second, glued-on article


@dataclass(frozen=True)
class Expect:
    """What a run must say about one file: `warn` a substring of its one warning ("" for any
    reason, None for no warning at all); `article` whether an article of its own goes in."""

    warn: str | None
    article: bool = False


def _story(tag: str) -> str:
    """A short, distinct, well-formed article (its own words, so its own story)."""
    return (f"Harbour {tag} reopens after storm\n\n"
            f"The harbour of Port {tag} reopened on Monday after a storm closed it for three days, "
            f"the port authority of {tag} said in a statement.\n\n"
            f"Fishing boats returned to the {tag} quays in the afternoon, and ferry services "
            f"to the islands off {tag} were expected to resume on Tuesday morning.\n")


def _write(path: Path, data: bytes | str) -> None:
    path.write_bytes(data if isinstance(data, bytes) else data.encode("utf-8"))


Maker = Callable[[Path, str, bool], dict[str, Expect]]


def _simple(name: str, expect: Expect, content: Callable[[str, bool], bytes | str]) -> Maker:
    def make(folder: Path, tag: str, big: bool) -> dict[str, Expect]:
        file = f"{tag}_{name}"
        _write(folder / file, content(tag, big))
        return {file: expect}
    return make


def _nested_html(tag: str, big: bool) -> str:
    depth = 100_000 if big else 20_000
    return ("<html><body>" + "<div>" * depth + f"<p>{_story(tag)}</p>" + "</div>" * depth
            + "</body></html>")


def _entity_bomb(tag: str, big: bool) -> str:
    ents = '<!ENTITY a0 "lol">' + "".join(
        f'<!ENTITY a{i} "{("&a" + str(i - 1) + ";") * 10}">' for i in range(1, 10))
    return (f'<?xml version="1.0"?><!DOCTYPE rss [{ents}]><rss version="2.0"><channel>'
            f"<title>&a9;</title><item><title>Bomb {tag}</title><description>&a9;</description>"
            "</item></channel></rss>")


def _yaml_bomb(tag: str, big: bool) -> str:
    lines = ['a0: &a0 ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    for i in range(1, 9):
        lines.append(f"a{i}: &a{i} [" + ",".join([f"*a{i - 1}"] * 9) + "]")
    return "---\n" + "\n".join(lines) + "\ntitle: *a8\n---\n" + _story(tag)


def _quote_paragraph(tag: str, big: bool) -> str:
    sentence = f"The minister of {tag} said the plan would cost 3.5 billion dollars. "
    return f"Budget row in {tag}\n\n\"" + sentence * (1_000_000 // len(sentence)) + "\n"


def _one_line(tag: str, big: bool) -> str:
    words = " ".join(f"word{i % 5000}" for i in range(1_000_000 if big else 100_000))
    return f"Long line {tag} " + words + "\n"


def _sparse(folder: Path, tag: str, big: bool) -> dict[str, Expect]:
    file = f"{tag}_sparse.txt"
    with open(folder / file, "wb") as f:
        f.truncate(2 * 1000**3 if big else 30 * 1000**2)  # holes: no disk used
    return {file: Expect("too big")}


def _just_under(folder: Path, tag: str, big: bool) -> dict[str, Expect]:
    """19 MB of ordinary article text, under the 20 MB limit: read whole (only with --big)."""
    if not big:
        return {}
    file = f"{tag}_19mb.txt"
    paras = [_story(f"{tag}{i}").split("\n\n", 1)[1] for i in range(40_000)]
    text = "Port news digest\n\n" + "\n".join(paras)
    _write(folder / file, text[:19_000_000])
    return {file: Expect(None, article=True)}


def _fifo(folder: Path, tag: str, big: bool) -> dict[str, Expect]:
    file = f"{tag}_fifo.txt"
    os.mkfifo(folder / file)
    return {file: Expect("not a regular file (a FIFO)")}


def _links(folder: Path, tag: str, big: bool) -> dict[str, Expect]:
    os.symlink("/etc/passwd", folder / f"{tag}_passwd.txt")
    os.symlink("/", folder / f"{tag}_root")
    os.symlink(folder / f"{tag}_nowhere.txt.target", folder / f"{tag}_dangling.txt")
    os.symlink(".", folder / f"{tag}_loop")
    seed = sorted(p.name for p in folder.iterdir() if p.name.startswith("000_"))[0]
    os.symlink(seed, folder / f"{tag}_seedlink.txt")
    return {f"{tag}_passwd.txt": Expect("outside the source folder"),
            f"{tag}_root": Expect("outside the source folder"),
            f"{tag}_dangling.txt": Expect("broken link"),
            f"{tag}_loop": Expect(None),
            f"{tag}_seedlink.txt": Expect(None)}  # the seed's article, already in: no new one


def _folder_named_txt(folder: Path, tag: str, big: bool) -> dict[str, Expect]:
    sub = folder / f"{tag}_folder.txt"
    sub.mkdir()
    _write(sub / "inside.txt", _story(f"{tag}dir"))
    return {f"{tag}_folder.txt/inside.txt": Expect(None, article=True)}


def _odd_names(folder: Path, tag: str, big: bool) -> dict[str, Expect]:
    latin = os.fsdecode(f"{tag}_caf".encode() + b"\xe9.txt")
    _write(folder / latin, _story(f"{tag}cafe"))
    newline = f"{tag}_evil\nwarning: all is well.txt"
    _write(folder / newline, "")
    return {f"{tag}_caf\\xe9.txt": Expect(None, article=True),
            f"{tag}_evil\\x0awarning: all is well.txt": Expect("empty file")}


def _permissions(folder: Path, tag: str, big: bool) -> dict[str, Expect]:
    if os.geteuid() == 0:
        return {}  # root reads anything: nothing to test
    locked = folder / f"{tag}_locked.txt"
    _write(locked, _story(f"{tag}locked"))
    locked.chmod(0)
    closed = folder / f"{tag}_closed"
    closed.mkdir()
    _write(closed / "hidden.txt", _story(f"{tag}closed"))
    closed.chmod(0)
    return {locked.name: Expect("unreadable (Permission denied)"),
            closed.name: Expect("cannot list the folder (Permission denied)")}


KINDS: list[Maker] = [
    _simple("empty.txt", Expect("empty file"), lambda t, b: b""),
    _simple("blank.md", Expect("empty file"), lambda t, b: " \n\t\n" * 100),
    _simple("binary.txt", Expect("binary file"), lambda t, b: os.urandom(8192) + b"\x00" * 64),
    _simple("image.html", Expect("binary file"),
            lambda t, b: b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + os.urandom(4000)),
    _simple("archive.txt", Expect("binary file"),
            lambda t, b: gzip.compress(_story(t).encode() * 50, mtime=0)),
    _simple("nul_tail.txt", Expect("binary file"),
            lambda t, b: _story(t).encode() * 40 + b"\x00" * (5_000_000 if b else 200_000)),
    _simple("stray_nul.txt", Expect("control character", article=True),
            lambda t, b: _story(t).replace("statement.", "statement.\x00\x00")),
    _simple("escapes.txt", Expect("control character", article=True),
            lambda t, b: _story(t).replace("Fishing", "\x1b[31mFishing\x1b[0m")),
    _simple("invisible.txt", Expect("no text"), lambda t, b: "\u200b\u202e\u2066" * 500),
    _simple("zero_width.txt", Expect(None, article=True),
            lambda t, b: _story(t).replace("harbour", "har\u200bbour")
            .replace("reopened", "\u202ereopened\u202c")),
    _simple("utf16.txt", Expect(None, article=True), lambda t, b: _story(t).encode("utf-16-le")),
    _simple("utf32.txt", Expect(None, article=True), lambda t, b: _story(t).encode("utf-32")),
    _simple("cut.txt", Expect("middle of a character", article=True),
            lambda t, b: (_story(t) + "Café ").encode()[:-1] + "é".encode()[:1]),
    _simple("bad_date.md", Expect("is not a date", article=True),
            lambda t, b: f"---\ntitle: Storm {t}\ndate: 9999-99-99\n---\n" + _story(t)),
    _simple("bad_yaml.md", Expect("bad front matter", article=True),
            lambda t, b: f"---\ntitle: [unclosed {t}\ndate: {{\n---\n" + _story(t)),
    _simple("not_mapping.md", Expect("not 'key: value'", article=True),
            lambda t, b: "---\n- a\n- b\n---\n" + _story(t)),
    _simple("yaml_bomb.md", Expect("title is not text", article=True), _yaml_bomb),
    _simple("unclosed.md", Expect("closing '---'", article=True),
            lambda t, b: f"---\ntitle: Storm {t}\n\n" + _story(t)),
    _simple("broken.rss", Expect("feed"), lambda t, b: f"<rss><channel><item><title>{t}"),
    _simple("bomb.xml", Expect(""), _entity_bomb),
    _simple("truncated.html", Expect(""),
            lambda t, b: "<html><head><title>T</title></head><body><article><p>" + _story(t)[:200]),
    _simple("nested.html", Expect(""), _nested_html),
    _simple("script.html", Expect("no article text"),
            lambda t, b: "<html><body><script>" + "var x = 1;" * 1000 + "</script></body></html>"),
    _simple("one_line.txt", Expect(""), _one_line),
    _simple("quote.txt", Expect(None, article=True), _quote_paragraph),
    _simple("parens.txt", Expect(""), lambda t, b: "(" * (1_000_000 if b else 200_000) + " (AP)"),
    _simple("crlf.txt", Expect(None, article=True), lambda t, b: _story(t).replace("\n", "\r\n")),
    _sparse, _just_under, _fifo, _links, _folder_named_txt, _odd_names, _permissions,
]


def build_mix(folder: Path, *, files: int = 1000, big: bool = True) -> dict[str, Expect]:
    """The seeds plus at least `files` bad or odd files; returns what to expect of each
    (by name relative to `folder`); the seeds are expected to go in as they are."""
    folder.mkdir(parents=True, exist_ok=True)
    for seed in sorted(SEEDS.iterdir()):
        shutil.copy(seed, folder / seed.name)
    expected: dict[str, Expect] = {}
    for n, make in enumerate(KINDS):  # each its own tag: distinct texts, distinct articles
        expected.update(make(folder, f"k{n:02d}", big))
    n = 0
    while len(expected) < files:  # the rest: tiny files, each with nothing to read
        name = f"tiny_{n:05d}.txt"
        _write(folder / name, f"Note {n}")
        expected[name] = Expect("no article text found")
        n += 1
    old = time.time() - 3600  # past the settle delay
    for root, dirs, names in os.walk(folder):
        for name in dirs + names:
            path = Path(root) / name
            if not path.is_symlink() and (path.is_dir() or path.is_file()):
                try:
                    os.utime(path, (old, old))
                except PermissionError:
                    pass
    return expected


def run(folder: Path, home: Path, *, extra: tuple[str, ...] = ()) -> dict[str, object]:
    """`digest brief` on the folder in a fresh process: seconds, peak RSS, stderr, stdout."""
    env = {**os.environ, "DIGEST_HOME": str(home)}
    env.pop("DIGEST_CONFIG", None)
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        start = time.perf_counter()
        proc = subprocess.Popen([sys.executable, "-m", "digest", "brief", "--source", str(folder),
                                 "--format", "json", *extra], cwd=ROOT, env=env, stdout=out,
                                stderr=err)
        tree_peak = _watch_tree(proc)
        # wait4: this child's own peak RSS (KB on Linux), not the maximum over every child so
        # far (RUSAGE_CHILDREN); the worker processes it forks are in tree_peak.
        _, status, usage = os.wait4(proc.pid, 0)
        seconds = time.perf_counter() - start
        proc.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        stdout, stderr = out.read().decode(), err.read().decode()
    return {"seconds": seconds, "max_rss_mb": usage.ru_maxrss / 1024, "tree_rss_mb": tree_peak,
            "returncode": proc.returncode, "stderr": stderr, "stdout": stdout}


def _watch_tree(proc: subprocess.Popen[bytes]) -> float:
    """Peak of the summed RSS of the process and its children (MB), sampled every 20 ms
    until it exits (without reaping it); 0 without psutil."""
    try:
        import psutil
    except ImportError:
        return 0.0
    peak = 0
    try:
        root = psutil.Process(proc.pid)
        while root.status() != psutil.STATUS_ZOMBIE:
            total = 0
            for p in [root, *root.children(recursive=True)]:
                try:
                    total += p.memory_info().rss
                except psutil.Error:
                    pass
            peak = max(peak, total)
            time.sleep(0.02)
    except psutil.Error:
        pass
    return peak / 1024**2


def check(folder: Path, expected: dict[str, Expect], result: dict[str, object]) -> list[str]:
    """What the run got wrong (empty when every bad file was named once and every good
    article went in)."""
    problems: list[str] = []
    stderr = str(result["stderr"])
    warnings = [ln for ln in stderr.splitlines() if ln.startswith("warning:")]
    if result["returncode"] != 0:
        problems.append(f"exit status {result['returncode']}: {stderr[-500:]}")
        return problems
    prefix = str(folder) + "/"
    named: dict[str, list[str]] = {}
    for w in warnings:
        rest = w[len("warning: "):]
        if not rest.startswith(prefix):
            problems.append(f"a warning not naming a file of the folder: {w}")
            continue
        name = max((n for n in expected if rest[len(prefix):].startswith(n + ":")), key=len,
                   default=None)
        if name is None:
            problems.append(f"a warning about a file not in the mix: {w}")
            continue
        named.setdefault(name, []).append(rest)
    for name, exp in expected.items():
        got = named.get(name, [])
        if exp.warn is None and got:
            problems.append(f"{name}: warned although it should not be: {got}")
        elif exp.warn is not None and exp.warn != "" and (len(got) != 1 or exp.warn not in got[0]):
            problems.append(f"{name}: expected one warning with {exp.warn!r}, got {got}")
        elif exp.warn == "" and len(got) > 1:
            problems.append(f"{name}: warned {len(got)} times: {got}")
    paths = {a["path"] for s in json.loads(str(result["stdout"]))["stories"] for a in s["articles"]}
    rel = {p[len(prefix):] if p.startswith(prefix) else p for p in paths}
    seeds = {p.name for p in SEEDS.iterdir()}
    missing = seeds - {r.split("#")[0] for r in rel}
    if missing or sum(1 for r in rel if r.split("#")[0] in seeds) < SEED_ARTICLES:
        problems.append(f"seed articles missing: {sorted(missing)}")
    for name, exp in expected.items():
        if exp.article and name not in rel:
            problems.append(f"{name}: its article did not go in")
    return problems


def splitting_times(sizes: tuple[int, ...] = (245_000, 1_000_000, 20_000_000)) -> list[str]:
    """Sentence splitting of one paragraph with an unmatched quote against the same text
    without it (issue 17: 245 KB took 17.4 s against 0.7 s; 1 MB 233 s): table rows."""
    sys.path.insert(0, str(ROOT))
    from digest.text import split_sentences

    sentence = "The minister said the plan would cost 3.5 billion dollars, critics disagreed. "
    rows = []
    for size in sizes:
        plain = sentence * (size // len(sentence))
        times = []
        for text in (plain, '"' + plain):
            best = float("inf")
            for _ in range(3):  # the best of three: the machine is shared
                start = time.perf_counter()
                split_sentences(text)
                best = min(best, time.perf_counter() - start)
            times.append(best)
        rows.append(f"| {size / 1000:,.0f} KB | {times[0]:.2f} | {times[1]:.2f} | "
                    f"{times[1] / times[0]:.2f} |")
    return rows


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--files", type=int, default=1000, help="bad files in the mix, at least")
    ap.add_argument("--small", action="store_true", help="the test's mix: small files only")
    ap.add_argument("--splitting", action="store_true",
                    help="only time sentence splitting with and without an unmatched quote")
    args = ap.parse_args()
    if args.splitting:
        print("| paragraph | seconds, no quote | seconds, unmatched quote | ratio |\n|---|---:|---:|---:|")
        print("\n".join(splitting_times()))
        return
    with tempfile.TemporaryDirectory(prefix="digest-bad-") as tmp:
        folder, home = Path(tmp) / "mix", Path(tmp) / "home"
        expected = build_mix(folder, files=args.files, big=not args.small)
        first = run(folder, home)
        problems = check(folder, expected, first)
        second = run(folder, home, extra=("--strict",))
        still = [ln for ln in str(second["stderr"]).splitlines() if ln.startswith("warning: still")]
        new = [ln for ln in str(second["stderr"]).splitlines()
               if ln.startswith("warning:") and not ln.startswith("warning: still")]
        for path in folder.rglob("*"):  # let the temporary folder go
            if not path.is_symlink() and path.is_dir():
                path.chmod(0o755)
        warned = sum(1 for ln in str(first["stderr"]).splitlines() if ln.startswith("warning:"))
        print(f"files in the mix: {len(expected)} bad or odd + {len(list(SEEDS.iterdir()))} seeds "
              f"({'small' if args.small else 'with the big ones'})")
        print("| run | seconds | peak RSS, main process (MB) | peak RSS, all processes (MB) "
              "| warnings | exit |\n|---|---:|---:|---:|---:|---:|")
        print(f"| first | {first['seconds']:.1f} | {first['max_rss_mb']:.0f} | "
              f"{first['tree_rss_mb']:.0f} | {warned} | {first['returncode']} |")
        print(f"| second, --strict | {second['seconds']:.1f} | {second['max_rss_mb']:.0f} | "
              f"{second['tree_rss_mb']:.0f} | {len(new)} new, {len(still)} still failing | "
              f"{second['returncode']} |")
        print("every bad file named once, every good article in:",
              "yes" if not problems else "NO")
        for p in problems[:30]:
            print("  -", p)


if __name__ == "__main__":
    main()
