"""The other processes of an indexing run: helpers that prepare articles, and writers forked
afresh for each batch by a launcher.

Every process is forked by a thread-free process, from its main thread, so that none starts
with a lock another thread held (Python 3.12 warns of that with a ``DeprecationWarning``):
the launcher is forked before anything else, and forks the writers; the helpers' pool is
forked by this process's main thread before its own threads start. No process runs the
program's main script again (as a ``forkserver`` or ``spawn`` start would), which a script
without an ``if __name__ == "__main__":`` guard cannot bear: it would do its work again, in
each. A writer forked from the launcher holds little: the launcher is forked when the run
starts, before this process holds a batch (forked from this process later, a writer would come
to hold a copy of each page of what this one holds as either of them writes to it, about
100 MB more each a million articles in).
"""

from __future__ import annotations

import gc
import multiprocessing
import os
import pickle
import signal
from collections.abc import Callable, Sequence
from multiprocessing.connection import Connection, wait
from multiprocessing.pool import Pool
from typing import Any


def helper_pool(
    procs: int, initializer: Callable[..., None], initargs: tuple[Any, ...] = ()
) -> Pool | None:
    """``procs`` helper processes, each set up by ``initializer``, for the whole run; None for
    one process. Close it when done."""
    if procs < 2:
        return None
    methods = multiprocessing.get_all_start_methods()
    context = multiprocessing.get_context("fork" if "fork" in methods else "spawn")
    return context.Pool(procs, initializer=_start_helper, initargs=(initializer, initargs))


def _start_helper(initializer: Callable[..., None], initargs: tuple[Any, ...]) -> None:
    """Helpers ignore Ctrl-C, which a terminal sends to every process of the run: the run
    decides what an interruption stops (it ends them), and they print no traceback of their own."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    initializer(*initargs)


class Launcher:
    """A process forked when a run starts, that forks a new process for each call of
    ``function`` it is given: each ends once its call returns, giving all its memory back.
    Close it when done.

    Arguments and results pass through the launcher as they were pickled, one call's at a time:
    it never holds a whole batch, and a process it forks holds only its own call's."""

    def __init__(self, procs: int, function: Callable[..., Any]) -> None:
        self.procs = procs
        self._tasks, theirs = multiprocessing.Pipe()
        # What the launcher inherits stays out of its collections, and of its writers': a
        # collection touches every object it looks at, which copies the page each is on.
        gc.freeze()
        self.pid = os.fork()
        if self.pid == 0:  # (the launcher)
            self._tasks.close()
            _launch(theirs, function)
        gc.unfreeze()
        theirs.close()
        self._running = 0  # calls whose results are still to be read

    def start(self, arguments: Sequence[tuple[Any, ...]]) -> Launched:
        """Begin ``function(*each)`` for each of ``arguments``, each in a process of its own."""
        self._results()  # (of a batch given up: nobody's)
        self._tasks.send(len(arguments))
        for each in arguments:
            self._tasks.send_bytes(pickle.dumps(each, pickle.HIGHEST_PROTOCOL))
        self._running = len(arguments)
        return Launched(self)

    def close(self) -> None:
        """End the launcher: it ends once the calls it runs have ended. Results not read by
        then are nobody's (a batch given up, or a run interrupted while reading them)."""
        self._tasks.close()
        os.waitpid(self.pid, 0)

    def _results(self) -> list[tuple[bool, Any]]:
        outcomes = [self._tasks.recv() for _ in range(self._running)]
        self._running = 0
        return outcomes


class Launched:
    """Calls running; ``wait`` waits for them to end, ``get`` for their results, in order
    (raising a call's error)."""

    def __init__(self, launcher: Launcher) -> None:
        self.launcher = launcher
        self.outcomes: list[tuple[bool, Any]] | None = None

    def wait(self) -> None:
        if self.outcomes is None:
            self.outcomes = self.launcher._results()

    def get(self) -> list[Any]:
        self.wait()
        assert self.outcomes is not None
        outcomes = self.outcomes
        for ok, value in outcomes:
            if not ok:
                raise value
        return [value for _, value in outcomes]


def _launch(tasks: Connection, function: Callable[..., Any]) -> None:
    """In the launcher: fork a process for each call given, pass their results on.

    The launcher and its processes ignore Ctrl-C, which a terminal sends to every process of the
    run: the run decides what an interruption stops. When the run closes its end while calls
    are running (it was interrupted, or gave their batch up), their processes are ended: what
    they wrote is left over, and the index's next commit removes it."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    running: dict[int, Connection] = {}
    try:
        while True:
            count = tasks.recv()
            running = dict(_fork(function, tasks.recv_bytes()) for _ in range(count))
            for pid, results in list(running.items()):
                if results not in wait([results, tasks]):
                    raise EOFError  # (the run gives nothing while calls run: it has closed)
                try:
                    outcome = results.recv_bytes()
                except EOFError:
                    outcome = pickle.dumps(
                        (False, ChildProcessError(f"a writing process ({pid}) died"))
                    )
                results.close()
                os.waitpid(pid, 0)
                del running[pid]
                tasks.send_bytes(outcome)
    except (EOFError, OSError):  # the run has closed its end: it is over
        for pid in running:
            os.kill(pid, signal.SIGKILL)
            os.waitpid(pid, 0)
    finally:
        os._exit(0)


def _fork(function: Callable[..., Any], arguments: bytes) -> tuple[int, Connection]:
    results, theirs = multiprocessing.Pipe(duplex=False)
    pid = os.fork()
    if pid == 0:
        results.close()
        code = 0
        try:
            given = pickle.loads(arguments)
            del arguments  # (the call's arguments are held once, as the call wants them)
            outcome = (True, function(*given))
        except BaseException as exc:
            outcome, code = (False, exc), 1
        try:
            theirs.send(outcome)
        finally:
            os._exit(code)
    theirs.close()
    return pid, results
