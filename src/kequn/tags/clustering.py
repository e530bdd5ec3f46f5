"""K-means clustering of customers on features an analyst picks (智慧分群, clustering segments).

Training is numpy + scikit-learn on a bounded sample; assignment is SQL, so every later snapshot — on
DuckDB or Spark — puts each customer in the same cluster the stored model would.

The model, all of it JSON so it lives in the segment's ``config``:

1. **Transform.** Money features (catalog unit CNY) get a signed log1p, ``sign(x)·ln(1+|x|)``: balances
   and amounts span six orders of magnitude and would otherwise let a few rich customers decide every
   cluster. Booleans become 0/1. A missing value takes the training median (raw units).
2. **Scale.** Numbers: standard scaling (mean, population standard deviation of the transformed training
   sample; a constant feature gets scale 1). Yes/no features are centred but not divided by their
   standard deviation: a flag held by 5% of customers would otherwise sit 4.4 units away and split the
   base on that flag alone; unscaled, having it or not is one unit, as one standard deviation of a number.
3. **k.** Given, or the best mean silhouette for k in 2..8 on a fixed-seed sample (``K_RANGE``).
4. **Fit.** ``KMeans(random_state=seed)``; clusters are renumbered by size (0 = largest) so the labels
   do not depend on initialisation order.
5. **Describe.** Per cluster, the z-score of its mean against the base for every feature (transformed
   units, base standard deviation); the largest |z| name the cluster (``describe``).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np

from kequn.core.errors import UserInputError

K_RANGE = range(2, 9)
SELECTION_ROWS = 20_000  # k is chosen on at most this many customers (a fit per k)
SILHOUETTE_ROWS = 3_000  # silhouette is quadratic in rows: scored on a sample of this size
MIN_ROWS = 10
DESCRIBE_TOP = 3
DESCRIBE_MIN_Z = 0.25  # a feature this close to the base average does not describe a cluster
MAX_K = 20

SIGNED_LOG1P = "signed_log1p"
IDENTITY = "identity"


@dataclass(frozen=True)
class FeatureSpec:
    """A clustering input: its name, whether it is boolean or money, and its zh-CN / English names."""

    name: str
    name_zh: str
    name_en: str
    boolean: bool = False
    money: bool = False

    @property
    def transform(self) -> str:
        return SIGNED_LOG1P if self.money else IDENTITY


@dataclass(frozen=True)
class ClusterModel:
    """Everything needed to assign a customer to a cluster, later, on any engine."""

    features: list[str]
    transforms: list[str]
    fill: list[float]
    center: list[float]
    scale: list[float]
    centroids: list[list[float]]
    seed: int
    k_criterion: str  # "given" | "silhouette"
    silhouette: dict[str, float] = field(default_factory=dict)
    cluster_z: list[list[float]] = field(default_factory=list)  # per cluster, per feature: z of the mean

    @property
    def k(self) -> int:
        return len(self.centroids)

    def as_config(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_config(cls, config: dict[str, Any]) -> ClusterModel:
        names = cls.__dataclass_fields__
        return cls(**{k: v for k, v in config.items() if k in names})


# ---- training (numpy, on a bounded sample) --------------------------------------------------------------


def transform(raw: np.ndarray, specs: list[FeatureSpec], fill: np.ndarray) -> np.ndarray:
    """Raw values (NaN = missing) → transformed values, column by column as ``specs`` say."""
    values = np.where(np.isnan(raw), fill, raw)
    money = np.array([s.money for s in specs])
    values[:, money] = np.sign(values[:, money]) * np.log1p(np.abs(values[:, money]))
    return values


def fit_clusters(raw: np.ndarray, specs: list[FeatureSpec], *, k: int | None, seed: int) -> ClusterModel:
    """Fit the model on ``raw`` (rows × features, float, NaN = missing), choosing k when not given.

    scikit-learn runs on one thread: the result then does not depend on the machine's core count (same
    seed → same centroids everywhere), and on a busy 2-core server one thread was also 3-8× faster.
    """
    from threadpoolctl import threadpool_limits

    with threadpool_limits(1):
        return _fit(raw, specs, k=k, seed=seed)


def _fit(raw: np.ndarray, specs: list[FeatureSpec], *, k: int | None, seed: int) -> ClusterModel:
    _check_shape(raw, specs, k)
    fill = _medians(raw)
    values = transform(raw, specs, fill)
    center = values.mean(axis=0)
    spread = values.std(axis=0)
    spread[spread == 0] = 1.0
    scale = np.where([s.boolean for s in specs], 1.0, spread)
    scaled = (values - center) / scale
    scores: dict[str, float] = {}
    if k is None:
        scores = _silhouette_by_k(scaled, seed)
        k = int(max(scores, key=lambda key: scores[key]))
    centroids = _kmeans(scaled, k, seed, n_init=4)
    labels = _labels(scaled, centroids)
    cluster_z = [_z_of_mean(values[labels == c], center, spread) for c in range(k)]
    return ClusterModel(
        features=[s.name for s in specs],
        transforms=[s.transform for s in specs],
        fill=fill.tolist(),
        center=center.tolist(),
        scale=scale.tolist(),
        centroids=centroids.tolist(),
        seed=seed,
        k_criterion="given" if not scores else "silhouette",
        silhouette=scores,
        cluster_z=cluster_z,
    )


def _z_of_mean(members: np.ndarray, center: np.ndarray, spread: np.ndarray) -> list[float]:
    """z-score of the members' mean against the base, per feature (0 for a cluster with no member)."""
    if not len(members):
        return [0.0] * len(center)
    z: list[float] = ((members.mean(axis=0) - center) / spread).round(4).tolist()
    return z


def _check_shape(raw: np.ndarray, specs: list[FeatureSpec], k: int | None) -> None:
    if raw.ndim != 2 or raw.shape[1] != len(specs) or not specs:
        raise UserInputError("clustering needs at least one feature")
    if raw.shape[0] < MIN_ROWS:
        raise UserInputError(
            f"clustering needs at least {MIN_ROWS} customers, the snapshot has {raw.shape[0]}"
        )
    if k is not None and not 2 <= k <= min(MAX_K, raw.shape[0] - 1):
        raise UserInputError(f"--k {k}: choose between 2 and {min(MAX_K, raw.shape[0] - 1)}")


def _medians(raw: np.ndarray) -> np.ndarray:
    all_missing = np.isnan(raw).all(axis=0)
    if all_missing.any():
        raise UserInputError("a clustering feature has no value for any customer")
    return np.nanmedian(raw, axis=0)


def _sample(rows: int, size: int, seed: int) -> np.ndarray:
    """Sorted row positions of a fixed-seed sample (all rows when there are few)."""
    if rows <= size:
        return np.arange(rows)
    return np.sort(np.random.default_rng(seed).choice(rows, size=size, replace=False))


def _silhouette_by_k(scaled: np.ndarray, seed: int) -> dict[str, float]:
    """Mean silhouette per k on a fixed-seed sample (higher = better separated)."""
    from sklearn.metrics import silhouette_score

    sample = scaled[_sample(len(scaled), SELECTION_ROWS, seed)]
    scored = _sample(len(sample), SILHOUETTE_ROWS, seed)
    distinct = len(np.unique(sample, axis=0))
    scores = {}
    for k in K_RANGE:
        if k >= distinct:
            break
        labels = _labels(sample, _kmeans(sample, k, seed, n_init=4))
        if len(np.unique(labels[scored])) < 2:
            continue
        scores[str(k)] = round(float(silhouette_score(sample[scored], labels[scored])), 6)
    if not scores:
        raise UserInputError("the chosen features do not separate customers (too few distinct values)")
    return scores


def _kmeans(scaled: np.ndarray, k: int, seed: int, *, n_init: int) -> np.ndarray:
    """Centroids of a seeded k-means, renumbered by cluster size (largest first, ties by position)."""
    from sklearn.cluster import KMeans

    model = KMeans(n_clusters=k, random_state=seed, n_init=n_init).fit(scaled)
    sizes = np.bincount(model.labels_, minlength=k)
    order = np.lexsort((np.arange(k), -sizes))
    centroids: np.ndarray = model.cluster_centers_[order]
    return centroids


def _labels(scaled: np.ndarray, centroids: np.ndarray) -> np.ndarray:
    distances = ((scaled[:, None, :] - centroids[None, :, :]) ** 2).sum(axis=2)
    labels: np.ndarray = distances.argmin(axis=1)
    return labels


def assign(raw: np.ndarray, specs: list[FeatureSpec], model: ClusterModel) -> np.ndarray:
    """Cluster of each row (numpy; the SQL of ``assignment_sql`` computes the same)."""
    values = transform(raw, specs, np.asarray(model.fill))
    scaled = (values - np.asarray(model.center)) / np.asarray(model.scale)
    return _labels(scaled, np.asarray(model.centroids))


# ---- descriptions ---------------------------------------------------------------------------------------


def describe(model: ClusterModel, specs: list[FeatureSpec], sizes: list[int]) -> list[dict[str, Any]]:
    """Each cluster: size, share, its most distinctive features (z of its mean vs base) and a label."""
    total = sum(sizes) or 1
    return [
        {"cluster": c, "size": sizes[c], "share": round(sizes[c] / total, 4), **_label(z, specs)}
        for c, z in enumerate(model.cluster_z)
    ]


def _label(z: list[float], specs: list[FeatureSpec]) -> dict[str, Any]:
    ranked = sorted(range(len(specs)), key=lambda i: (-abs(z[i]), i))
    top = [i for i in ranked[:DESCRIBE_TOP] if abs(z[i]) >= DESCRIBE_MIN_Z]
    traits: list[dict[str, Any]] = [
        {"feature": specs[i].name, "z": round(z[i], 3), **_words(specs[i], z[i] > 0)} for i in top
    ]
    return {
        "label_zh": "、".join(t["zh"] for t in traits) or "接近整体平均",
        "label_en": ", ".join(t["en"] for t in traits) or "close to the base average",
        "traits": traits,
    }


# Features whose "high"/"low" reads badly get their own words: (zh high, zh low, en high, en low).
OWN_WORDS = {"age": ("年长", "年轻", "older", "younger")}


def _words(spec: FeatureSpec, high: bool) -> dict[str, str]:
    """Direction words: 高AUM / high AUM for numbers, 偏多 / more often for yes-no features."""
    if spec.name in OWN_WORDS:
        zh_high, zh_low, en_high, en_low = OWN_WORDS[spec.name]
        return {"zh": zh_high if high else zh_low, "en": en_high if high else en_low}
    en = _lower_first(spec.name_en)
    if spec.boolean:
        return {
            "zh": f"{spec.name_zh}偏{'多' if high else '少'}",
            "en": f"{'more' if high else 'less'} often {en}",
        }
    return {"zh": f"{'高' if high else '低'}{spec.name_zh}", "en": f"{'high' if high else 'low'} {en}"}


def _lower_first(text: str) -> str:
    """ "Monthly average" → "monthly average", but "AUM …" and "RFM …" keep their capitals."""
    if len(text) > 1 and text[0].isupper() and text[1].islower():
        return text[0].lower() + text[1:]
    return text


# ---- assignment (SQL) -----------------------------------------------------------------------------------


def _quote(identifier: str) -> str:
    return '"' + identifier.replace('"', '""') + '"'


def _number(value: float) -> str:
    text = repr(float(value))
    return f"CAST({text} AS DOUBLE)" if "e" in text or "inf" in text or "nan" in text else text


def _scaled_expr(model: ClusterModel, i: int, source: str) -> str:
    value = f"COALESCE(CAST({source}.{_quote(model.features[i])} AS DOUBLE), {_number(model.fill[i])})"
    if model.transforms[i] == SIGNED_LOG1P:
        value = f"SIGN({value}) * LN(1 + ABS({value}))"
    return f"(({value}) - {_number(model.center[i])}) / {_number(model.scale[i])}"


def _distance_expr(model: ClusterModel, c: int) -> str:
    terms = [f"(z{i} - {_number(v)}) * (z{i} - {_number(v)})" for i, v in enumerate(model.centroids[c])]
    return " + ".join(terms)


def assignment_sql(model: ClusterModel, source: str = "audience") -> str:
    """SELECT customer_id, cluster FROM ``source``: the nearest centroid (first on a tie, like argmin)."""
    z = ", ".join(f"{_scaled_expr(model, i, 's')} AS z{i}" for i in range(len(model.features)))
    d = ", ".join(f"{_distance_expr(model, c)} AS d{c}" for c in range(model.k))
    nearest = f"LEAST({', '.join(f'd{c}' for c in range(model.k))})"
    cases = " ".join(f"WHEN d{c} = {nearest} THEN {c}" for c in range(model.k - 1))
    return (
        f"SELECT customer_id, CAST(CASE {cases} ELSE {model.k - 1} END AS INTEGER) AS cluster FROM ("
        f"SELECT customer_id, {d} FROM (SELECT s.customer_id, {z} FROM {source} s) scaled) distances"
    )
