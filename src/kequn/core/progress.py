"""Rich progress bars for long steps, quiet when output is not a terminal or when asked."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    SpinnerColumn,
    TaskID,
    TextColumn,
    TimeElapsedColumn,
)

console = Console(stderr=True)


@contextmanager
def progress(*, transient: bool = False) -> Iterator[Progress]:
    """A progress display for a multi-step job (each step: ``add_task`` then ``advance``)."""
    bar = Progress(
        SpinnerColumn(),
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=console,
        transient=transient,
        disable=bool(os.environ.get("KEQUN_NO_PROGRESS")),
    )
    with bar:
        yield bar


def counter_reporter(bar: Progress | None, prefix: str = "") -> Callable[[str, int, int], None] | None:
    """A ``(label, done, total)`` callback that keeps one bar per label."""
    if bar is None:
        return None
    tasks: dict[str, TaskID] = {}

    def report(label: str, done: int, total: int) -> None:
        if label not in tasks:
            tasks[label] = bar.add_task(f"{prefix}{label}", total=total or None)
        bar.update(tasks[label], completed=done, total=total or None)

    return report


class PhaseReporter:
    """A ``(phase)`` callback: each new phase completes the previous one and starts its own line."""

    def __init__(self, bar: Progress, prefix: str = ""):
        self.bar, self.prefix = bar, prefix
        self.current: TaskID | None = None

    def __call__(self, phase: str) -> None:
        self.finish()
        self.current = self.bar.add_task(f"{self.prefix}{phase}", total=1)

    def finish(self) -> None:
        if self.current is not None:
            self.bar.update(self.current, completed=1)


def phase_reporter(bar: Progress | None, prefix: str = "") -> PhaseReporter | None:
    return None if bar is None else PhaseReporter(bar, prefix)


@contextmanager
def phase_progress(bar: Progress | None, prefix: str = "") -> Iterator[PhaseReporter | None]:
    """A phase reporter whose last phase is marked done when the block ends."""
    reporter = phase_reporter(bar, prefix)
    try:
        yield reporter
    finally:
        if reporter is not None:
            reporter.finish()
