"""The `kequn` command. Sub-commands live in one module each; errors are rendered here, once."""

from __future__ import annotations

import sys

import typer
from rich.console import Console

from kequn.core.errors import KequnError

app = typer.Typer(
    name="kequn",
    help="kequn (客群): customer-base operations for banks.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)

_err = Console(stderr=True)


@app.callback()
def _root() -> None:
    """kequn (客群): customer-base operations for banks."""


def _register() -> None:
    # Imported here so `import kequn.cli` stays cheap and each module registers its own commands.
    from kequn.cli import commands  # noqa: F401


def main() -> None:
    """Entry point: a KequnError becomes one line on stderr and its exit code (2 for bad input)."""
    _register()
    try:
        app()
    except KequnError as exc:
        _err.print(f"error: {exc}", style="red", highlight=False, soft_wrap=True, markup=False)
        sys.exit(exc.exit_code)
