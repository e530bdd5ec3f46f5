"""The synthetic bank behind ``kequn generate`` (layout: docs/synthetic-bank.md)."""

from kequn.demo.generator.bank import FILES, generate_bank

__all__ = ["FILES", "generate_bank"]
