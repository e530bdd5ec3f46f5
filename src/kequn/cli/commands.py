"""Imports every command module so each can register itself on the app."""

from kequn.cli import (  # noqa: F401
    customer_cmd,
    demo_cmd,
    generate_cmd,
    identity_cmd,
    ingest_cmd,
    serve_cmd,
    workspace_cmd,
)
