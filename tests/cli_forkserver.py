"""A fork server for the tests' CLI runs: `digest` commands as real processes, without paying
Python's start-up and digest's imports (about 1.5 s of CPU) for each of the suite's ~450 runs.

`python tests/cli_forkserver.py SOCKET`, started in the checkout's root, imports `digest.cli`
from there (exactly what `python -m digest` has imported when its `main()` starts, and nothing it
imports lazily), then forks one process per request. The child takes the request's environment,
stdio (its stdout and stderr go to the files the test names, stdin is /dev/null), working folder
and argv, runs `digest` as `python -m digest` would (`runpy`, `__main__`), and ends as an
interpreter ends (threads joined, atexit run, streams flushed). A monitor process between the
server and the child reports the child's real exit status (a signal as -N, as `subprocess` does)
and reaps it only when the test has read that status, so its pid is not reused while the test
may still signal it. The server ends when the test process that started it does (its stdin
closes).

What a forked command does not take from its request, because Python reads it once at start-up:
the hash seed (one per server, not one per command), and PYTHONIOENCODING, PYTHONUTF8,
PYTHONUNBUFFERED, PYTHONWARNINGS, the locale and TZ as libc loaded them. No test sets them.
`DIGEST_TEST_FRESH=1` makes `tests/conftest.py` start every command as a fresh process instead.
"""

from __future__ import annotations

import json
import os
import runpy
import select
import signal
import socket
import sys
import traceback


def _run_command(request: dict[str, object]) -> None:
    """In the forked child: become the command, then end like an interpreter does."""
    env = request["env"]
    assert isinstance(env, dict)
    os.environ.clear()
    os.environ.update(env)
    null = os.open(os.devnull, os.O_RDONLY)
    os.dup2(null, 0)
    os.close(null)
    for fd, key in ((1, "stdout"), (2, "stderr")):
        target = os.open(str(request[key]), os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        os.dup2(target, fd)
        os.close(target)
    os.chdir(str(request["cwd"]))
    sys.path[0] = os.getcwd()  # `-m` puts the working folder first
    args = request["args"]
    assert isinstance(args, list)
    sys.argv = ["-m", *args]  # runpy sets argv[0] to digest/__main__.py, as `-m` does
    try:
        runpy.run_module("digest", run_name="__main__", alter_sys=True)
    except SystemExit:
        raise
    except BaseException:
        traceback.print_exc()
        raise SystemExit(1) from None
    raise SystemExit(0)


def _monitor(conn: socket.socket) -> dict[str, object]:
    """Between the server and the command: fork it, wait for it, report its status. Returns
    only in the command's process, with its request."""
    signal.signal(signal.SIGCHLD, signal.SIG_DFL)
    request: dict[str, object] = json.loads(conn.makefile("r", encoding="utf-8").readline())
    pid = os.fork()
    if pid == 0:
        conn.close()
        return request
    try:
        conn.sendall(f"{pid}\n".encode())
        ended = os.waitid(os.P_PID, pid, os.WEXITED | os.WNOWAIT)  # ended, not yet reaped
        assert ended is not None
        code = ended.si_status if ended.si_code == os.CLD_EXITED else -ended.si_status
        conn.sendall(f"{code}\n".encode())
        conn.recv(1)  # the test has read it (or is gone): only now may the pid be reused
        os.waitpid(pid, 0)
    finally:
        os._exit(0)  # a monitor never returns into the server's loop


def serve(path: str) -> dict[str, object]:
    """Accept requests until stdin closes; returns only in a command's process, with its
    request."""
    sys.path[0] = os.getcwd()  # the checkout's digest, as `python -m digest` there finds it
    import digest.cli  # noqa: F401  (what `python -m digest` imports before main() runs)

    signal.signal(signal.SIGCHLD, signal.SIG_IGN)  # monitors are reaped by the kernel
    listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    listener.bind(path)
    listener.listen(64)
    print("ready", flush=True)
    while True:
        readable, _, _ = select.select([listener, sys.stdin], [], [])
        if sys.stdin in readable and not os.read(sys.stdin.fileno(), 1):
            raise SystemExit(0)  # the test process that started the server has ended
        if listener not in readable:
            continue
        conn, _ = listener.accept()
        if os.fork() == 0:
            listener.close()
            return _monitor(conn)
        conn.close()


if __name__ == "__main__":
    # The command's process leaves every frame of the server before it runs.
    _run_command(serve(sys.argv[1]))
