"""kequn serve: the REST API and the console."""

from __future__ import annotations

from pathlib import Path

from rich.console import Console

from kequn.cli import app
from kequn.cli.options import WorkspaceOption, workspace

out = Console()


@app.command("serve")
def serve(ws: WorkspaceOption = None, host: str = "127.0.0.1", port: int = 8000) -> None:
    """Serve the REST API and the console."""
    serve_workspace(workspace(ws).root, host, port)


def serve_workspace(root: Path, host: str, port: int) -> None:
    import uvicorn

    from kequn.api import create_app
    from kequn.core.workspace import open_workspace

    out.print(f"console: http://{host}:{port}/   API: http://{host}:{port}/api/v1/docs")
    uvicorn.run(create_app(open_workspace(root)), host=host, port=port, log_level="warning")
