"""Tags, tiers and segments: how analysts describe and divide the whole customer base (DESIGN.md ``tags/``).

Modules: ``catalog`` (tag definitions and their governed lifecycle), ``compute`` (tag values per snapshot),
``audience`` (the one view expressions run over, and fast counts), ``tiers`` (智慧分层), ``segments`` and
``clustering`` (智慧分群). Import the module you need; this package imports nothing heavy on its own.
"""
