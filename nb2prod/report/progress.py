"""A progress bar on standard error for long lint runs: only on a terminal, and only once a
run has taken longer than ``DELAY`` seconds (short runs never show one, piped output never
does). rich is imported when the bar first appears; it is removed when the run ends."""

from __future__ import annotations

import os
import sys
import time
from typing import Any, TextIO

DELAY = 1.0  # seconds before the bar appears


def wanted(stream: TextIO | None = None) -> bool:
    """A bar on ``stream`` (standard error): a terminal, and not a dumb one."""
    stream = stream if stream is not None else sys.stderr
    if os.environ.get("TERM") == "dumb":
        return False
    try:
        return stream.isatty()
    except (AttributeError, ValueError):
        return False


class Bar:
    """``bar(done, total)`` as notebooks are linted; ``close()`` at the end (also as a
    context manager). Does nothing until ``delay`` has passed."""

    def __init__(self, stream: TextIO | None = None, delay: float | None = None) -> None:
        self.stream = stream if stream is not None else sys.stderr
        self.start = time.monotonic()
        self.delay = DELAY if delay is None else delay
        self.progress: Any = None
        self.task: Any = None

    def __call__(self, done: int, total: int) -> None:
        if self.progress is None:
            if time.monotonic() - self.start < self.delay or done >= total:
                return
            self._show(total)
        self.progress.update(self.task, completed=done, total=total)

    def _show(self, total: int) -> None:
        from rich.console import Console
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeElapsedColumn

        console = Console(file=self.stream, force_terminal=True, highlight=False)
        self.progress = Progress(
            "linting",
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            console=console,
            transient=True,
        )
        self.progress.start()
        self.task = self.progress.add_task("lint", total=total)

    def close(self) -> None:
        if self.progress is not None:
            self.progress.stop()
            self.progress = None

    def __enter__(self) -> Bar:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
