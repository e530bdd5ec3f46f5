"""Imports every command module (``kequn/cli/*_cmd.py``) so each can register itself on the app.

Discovered rather than listed, so adding a capability's CLI face is adding one module.
"""

from __future__ import annotations

import importlib
import pkgutil

import kequn.cli as _cli

for _module in sorted(m.name for m in pkgutil.iter_modules(_cli.__path__) if m.name.endswith("_cmd")):
    importlib.import_module(f"kequn.cli.{_module}")
