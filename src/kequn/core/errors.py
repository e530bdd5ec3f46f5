"""One error family. Each maps to an exit code (CLI) and an HTTP status (API) in one place.

A user error carries one line that names the file, row, column or field and what is wrong.
"""

from __future__ import annotations


class KequnError(Exception):
    """Root of every error kequn raises on purpose."""

    exit_code = 1
    http_status = 500


class UserInputError(KequnError, ValueError):
    """Bad input from the user: a file, an option, a value. Exit code 2, HTTP 400."""

    exit_code = 2
    http_status = 400


class SourceFileError(UserInputError):
    """A source file that cannot be read as its mapping says (missing, undecodable, wrong columns)."""


class MappingError(UserInputError):
    """A source mapping (YAML) that is not valid."""


class WorkspaceError(UserInputError):
    """No workspace where one is needed, or a workspace that is not valid."""


class NotFound(KequnError, LookupError):
    """The thing asked for does not exist (or is out of the caller's scope). HTTP 404."""

    exit_code = 2
    http_status = 404


class SnapshotMissing(NotFound):
    """A warehouse table has no snapshot for the date asked for."""
