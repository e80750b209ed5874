"""What a run shows on a terminal as it goes: a bar a stage, with how many of how many and the
time left, and a line as each stage ends. Nothing at all when standard error is a pipe or a
log file: there the summary on standard output says what the run did."""

from __future__ import annotations

import sys
from types import TracebackType
from typing import TextIO


class RunProgress:
    """Progress of one command on standard error, shown only on a terminal."""

    def __init__(self, stream: TextIO | None = None) -> None:
        stream = stream if stream is not None else sys.stderr
        self.live = stream.isatty()
        self._tasks: dict[str, object] = {}
        self._bars = None
        if self.live:
            from rich.console import Console
            from rich.progress import (
                BarColumn,
                MofNCompleteColumn,
                Progress,
                TextColumn,
                TimeElapsedColumn,
                TimeRemainingColumn,
            )

            self._bars = Progress(
                TextColumn("{task.description:<9}"),
                BarColumn(),
                MofNCompleteColumn(),
                TimeElapsedColumn(),
                TextColumn("ETA"),
                TimeRemainingColumn(),
                console=Console(file=stream),
            )

    def __enter__(self) -> RunProgress:
        if self._bars is not None:
            self._bars.start()
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.stop()

    def stop(self) -> None:
        """Leave the bars as they stand; what is printed next goes below them."""
        if self._bars is not None:
            self._bars.stop()
            self._bars = None

    def line(self, text: str) -> None:
        """A line above the bars: what the run has done."""
        if self._bars is not None:
            self._bars.console.print(f"... {text}", markup=False, highlight=False)

    def advance(self, stage: str, done: int, total: int) -> None:
        """Move a stage's bar: `done` of `total` items."""
        if self._bars is None:
            return
        task = self._tasks.get(stage)
        if task is None:
            task = self._tasks[stage] = self._bars.add_task(stage, total=total)
        self._bars.update(task, completed=done, total=total)  # type: ignore[arg-type]
