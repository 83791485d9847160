"""A helper process of a run (the dbt worker, the Great Expectations worker), talking JSON lines:
requests on its stdin, responses on its stdout.

A worker is either a module of this project run with `python -m` (spawned: a fresh
interpreter that imports what it needs), or a fork of the calling process (which has the
imports already: Dagster's process imports dbt for the asset definitions, so a forked dbt
worker saves importing dbt a second time). Forking is safe only while the process has a
single thread; `fork` returns None otherwise and the caller spawns instead.

Imports nothing heavy: the CLI starts a worker before it imports Dagster.
"""
from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import traceback
from collections.abc import Callable
from typing import IO, Any


class ForkedProcess:
    """The parent's handle on a forked child, with the part of Popen's interface used here."""

    def __init__(self, pid: int, stdin: IO[bytes], stdout: IO[bytes]) -> None:
        self.pid, self.stdin, self.stdout = pid, stdin, stdout
        self.returncode: int | None = None

    def poll(self) -> int | None:
        if self.returncode is None:
            pid, status = os.waitpid(self.pid, os.WNOHANG)
            if pid:
                self.returncode = os.waitstatus_to_exitcode(status)
        return self.returncode

    def wait(self, timeout: float | None = None) -> int:
        if self.returncode is None:
            if timeout is not None:  # waitpid has no timeout; poll a little
                import time

                deadline = time.monotonic() + timeout
                while self.poll() is None:
                    if time.monotonic() > deadline:
                        raise subprocess.TimeoutExpired(str(self.pid), timeout)
                    time.sleep(0.05)
                return self.returncode
            self.returncode = os.waitstatus_to_exitcode(os.waitpid(self.pid, 0)[1])
        return self.returncode

    def terminate(self) -> None:
        if self.poll() is None:
            os.kill(self.pid, signal.SIGTERM)

    def kill(self) -> None:
        if self.poll() is None:
            os.kill(self.pid, signal.SIGKILL)


def single_threaded() -> bool:
    """No other thread, Python's or a library's: the condition for a safe fork."""
    try:
        return len(os.listdir("/proc/self/task")) == 1
    except OSError:
        return False


def fork(serve: Callable[[IO[str], IO[str]], int], close_in_child: tuple[IO, ...] = (), *,
         output_to_responses: bool = True, allow_threads: bool = False) -> ForkedProcess | None:
    """Run `serve(requests, responses)` in a forked child; None when the process has threads
    (unless `allow_threads`: the caller knows its threads are ones the child can do without).

    In the child, anything printed (stdout or stderr, Python's or a library's) joins the
    response stream, where the caller reads a line that is not JSON as console text; without
    `output_to_responses` it goes to stderr.
    """
    if not (allow_threads or single_threaded()):
        return None
    request_r, request_w = os.pipe()
    response_r, response_w = os.pipe()
    sys.stdout.flush()
    sys.stderr.flush()
    pid = os.fork()
    if pid == 0:  # the child never returns into the caller's code
        code = 1
        try:
            os.close(request_w)
            os.close(response_r)
            for f in close_in_child:
                f.close()
            if output_to_responses:
                os.dup2(response_w, 1)
                os.dup2(response_w, 2)
            else:
                os.dup2(2, 1)
            sys.stdout = sys.stderr  # line-buffered: a stray line is written whole
            code = serve(os.fdopen(request_r, "r"), os.fdopen(response_w, "w", buffering=1))
        except BaseException:
            traceback.print_exc()
        finally:
            for stream in (sys.stdout, sys.stderr):
                try:
                    stream.flush()
                except Exception:
                    pass
            os._exit(code)
    os.close(request_r)
    os.close(response_w)
    return ForkedProcess(pid, os.fdopen(request_w, "wb"), os.fdopen(response_r, "rb"))


def spawn(module: str, *args: str, stderr: int | None = subprocess.DEVNULL, cwd=None,
          env: dict[str, str] | None = None) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", module, *args], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
        stderr=stderr, cwd=cwd, env={**os.environ, "PYTHONUNBUFFERED": "1", **(env or {})})


class WorkerProcess:
    """The calling side: write requests, read responses, end the worker."""

    def __init__(self, process: subprocess.Popen | ForkedProcess) -> None:
        self.process = process

    def send(self, message: dict[str, Any]) -> None:
        self.process.stdin.write((json.dumps(message) + "\n").encode())
        self.process.stdin.flush()

    def alive(self) -> bool:
        return self.process.poll() is None

    def stop(self, terminate: bool = False) -> None:
        """End the process: an idle worker exits when its stdin closes; a busy one (`terminate`)
        is stopped."""
        if self.process.poll() is None:
            try:
                if terminate:
                    self.process.terminate()
                else:
                    self.process.stdin.close()
                self.process.wait(timeout=10)
            except (OSError, subprocess.TimeoutExpired):
                self.process.kill()
                self.process.wait()
        self.process.stdout.close()


def ignore_interrupts() -> None:
    """In a worker: Ctrl-C reaches the whole process group, and the calling process stops its
    workers itself, so a worker ignores it rather than print a traceback of its own."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)


def response_channel() -> IO[str]:
    """In a spawned worker: the stdout the caller reads, kept for responses; anything else
    printed (a library's stray print) goes to stderr instead."""
    channel = os.fdopen(os.dup(sys.stdout.fileno()), "w", buffering=1)
    sys.stdout = sys.stderr
    return channel
