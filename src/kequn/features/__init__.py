"""Per-customer features per as_of, point-in-time correct (nothing after as_of is read).

``compute_features(engine, as_of)`` publishes the ``features`` snapshot: one row per customer known on
as_of, one column per entry of ``FEATURES`` (see docs/features.md).
"""

from __future__ import annotations

from kequn.features.catalog import FEATURES, GROUPS, FeatureDef, feature
from kequn.features.compute import compute_features, features_sql, open_inputs
from kequn.features.read import catalog, customer_features, features_date, read_features
from kequn.features.steps import FeatureSettings

__all__ = [
    "FEATURES",
    "GROUPS",
    "FeatureDef",
    "FeatureSettings",
    "catalog",
    "compute_features",
    "customer_features",
    "feature",
    "features_date",
    "features_sql",
    "open_inputs",
    "read_features",
]
