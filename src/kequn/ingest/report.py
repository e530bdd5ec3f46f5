"""What an ingest run did, per file and in total; read = loaded + skipped + quarantined, always."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from rich.table import Table


@dataclass(frozen=True)
class FileReport:
    file: str
    target: str
    read: int
    loaded: int
    quarantined: int
    skipped: int = 0  # left out on purpose by the mapping (`where`, or superseded under `dedupe: last`)
    seconds: float = 0.0

    @property
    def reconciles(self) -> bool:
        return self.read == self.loaded + self.skipped + self.quarantined


@dataclass(frozen=True)
class IngestReport:
    as_of: date
    mapping: str
    files: list[FileReport]
    tables: dict[str, int] = field(default_factory=dict)  # published rows per warehouse table
    seconds: float = 0.0

    @property
    def read(self) -> int:
        return sum(f.read for f in self.files)

    @property
    def loaded(self) -> int:
        return sum(f.loaded for f in self.files)

    @property
    def skipped(self) -> int:
        return sum(f.skipped for f in self.files)

    @property
    def quarantined(self) -> int:
        return sum(f.quarantined for f in self.files)

    def for_target(self, target: str) -> list[FileReport]:
        return [f for f in self.files if f.target == target]


def summary_table(report: IngestReport) -> Table:
    """A Rich table: one line per file and target, then the totals."""
    table = Table(title=f"ingest {report.mapping} as of {report.as_of}", show_footer=True)
    totals = (report.read, report.loaded, report.skipped, report.quarantined)
    table.add_column("file", footer="total")
    table.add_column("target")
    for name, total in zip(("read", "loaded", "skipped", "quarantined"), totals, strict=True):
        table.add_column(name, justify="right", footer=f"{total:,}")
    table.add_column("seconds", justify="right", footer=f"{report.seconds:.1f}")
    for f in report.files:
        style = "yellow" if f.quarantined else None
        row = (f.file, f.target, f"{f.read:,}", f"{f.loaded:,}", f"{f.skipped:,}", f"{f.quarantined:,}")
        table.add_row(*row, f"{f.seconds:.1f}", style=style)
    return table
