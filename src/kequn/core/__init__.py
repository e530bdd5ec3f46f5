"""Settings, workspace, errors and masking: the base every other package stands on."""

from kequn.core.errors import (
    KequnError,
    MappingError,
    NotFound,
    SnapshotMissing,
    SourceFileError,
    UserInputError,
    WorkspaceError,
)
from kequn.core.workspace import Workspace, init_workspace, open_workspace

__all__ = [
    "KequnError",
    "MappingError",
    "NotFound",
    "SnapshotMissing",
    "SourceFileError",
    "UserInputError",
    "Workspace",
    "WorkspaceError",
    "init_workspace",
    "open_workspace",
]
