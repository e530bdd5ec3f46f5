"""REST API (FastAPI, /api/v1): thin routes over the domain packages."""

from kequn.api.app import create_app

__all__ = ["create_app"]
