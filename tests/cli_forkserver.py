"""A fork server for the tests' CLI runs: `digest` commands as real processes, without paying
Python's start-up and digest's imports (about 1.5 s of CPU) for each of the suite's ~430 runs.

`python tests/cli_forkserver.py SOCKET` imports `digest.cli` (exactly what `python -m digest`
has imported when its `main()` starts, and nothing it imports lazily), then forks one process
per request. The child takes the request's working folder, environment, argv and stdio (its
stdout and stderr go to the files the test names, stdin is /dev/null), runs `digest` as
`python -m digest` would (`runpy`, `__main__`), and ends as an interpreter ends (threads joined,
atexit run, streams flushed). A monitor process between the server and the child waits for it
and sends back its real exit status (a signal as -N, as `subprocess` reports it).

What differs from a fresh `python -m digest`: the hash seed is the server's, and nothing more
that a test asserts on. `DIGEST_TEST_FRESH=1` makes `tests/conftest.py` start every command
fresh instead (the tests that kill a run or start several at once always do).
"""

from __future__ import annotations

import json
import os
import runpy
import signal
import socket
import sys
import traceback


def _run_command(request: dict[str, object]) -> None:
    """In the forked child: become the command, then end like an interpreter does."""
    os.chdir(str(request["cwd"]))
    env = request["env"]
    assert isinstance(env, dict)
    os.environ.clear()
    os.environ.update(env)
    null = os.open(os.devnull, os.O_RDONLY)
    os.dup2(null, 0)
    for fd, key in ((1, "stdout"), (2, "stderr")):
        target = os.open(str(request[key]), os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        os.dup2(target, fd)
        os.close(target)
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
        _, status = os.waitpid(pid, 0)
        conn.sendall(f"{os.waitstatus_to_exitcode(status)}\n".encode())
    finally:
        os._exit(0)  # a monitor never returns into the server's loop


def serve(path: str) -> dict[str, object]:
    """Accept requests for ever; returns only in a command's process, with its request."""
    import digest.cli  # noqa: F401  (what `python -m digest` imports before main() runs)

    signal.signal(signal.SIGCHLD, signal.SIG_IGN)  # monitors are reaped by the kernel
    listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    listener.bind(path)
    listener.listen(64)
    print("ready", flush=True)
    while True:
        conn, _ = listener.accept()
        if os.fork() == 0:
            listener.close()
            return _monitor(conn)
        conn.close()


if __name__ == "__main__":
    # The command's process leaves every frame of the server before it runs.
    _run_command(serve(sys.argv[1]))
