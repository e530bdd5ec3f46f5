"""kequn (客群): customer-base operations for banks."""

__version__ = "0.1.0"
