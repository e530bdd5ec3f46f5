"""Rich progress bars for long steps, quiet when output is not a terminal or when asked."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager

from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    SpinnerColumn,
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
