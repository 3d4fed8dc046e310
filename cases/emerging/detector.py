"""The emerging-issue detector's reasoning, pure over values: no database here, so it is tested by hand.

1. Per touchpoint (lower-cased), the last 24 hours' negative feedback is grouped by wording: TF-IDF
   vectors of the comments (scikit-learn), then average-linkage clustering on cosine distance, cut at
   `DISTANCE`. Touchpoints with fewer than `MIN_COUNT` pieces in the last 2 hours are skipped: nothing
   there can be emerging.
2. At most `MAX_CLUSTERED` newest pieces per touchpoint are clustered (the distance matrix is their
   square); older ones join the nearest group's centroid within `DISTANCE`, or none.
3. The usual rate of a group is the mean, over the same 2 hours of the week in each of the previous 4
   weeks, of that touchpoint's feedback nearest to the group's centroid within `DISTANCE`.
4. A group is emerging when its count in the last 2 hours is at least `MIN_COUNT` and at least
   `FACTOR` times its usual rate.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import numpy as np
    from scipy.sparse import csr_matrix

# numpy, SciPy and scikit-learn are imported where the detector runs, in the worker's task: importing
# them takes seconds, which every web process and every worker child would otherwise pay at start.

WINDOW = timedelta(hours=24)
RECENT = timedelta(hours=2)
WEEKS = 4
MIN_COUNT = 3
FACTOR = 3.0
# Cosine distance under which comments count as similar wording: "parcel arrived late" and "my parcel
# arrived very late" are ~0.2 apart, "parcel arrived late" and "courier was rude" 1.0.
DISTANCE = 0.6
# 2,000 newest pieces make a 2,000 x 2,000 distance matrix (32 MB); a spike is among the newest.
MAX_CLUSTERED = 2000
TERMS = 3


@dataclass(frozen=True)
class Piece:
    """One piece of negative feedback, as the detector needs it."""

    feedback_id: int
    case_id: int
    touchpoint: str
    comment: str
    received_at: datetime


@dataclass
class Group:
    touchpoint: str
    terms: list[str]
    pieces: list[Piece]
    count: int  # pieces in the last 2 hours
    expected: float  # the usual count for these 2 hours of the week
    since: datetime | None  # the earliest of the last 2 hours' pieces
    case_ids: list[int] = field(default_factory=list)

    @property
    def emerging(self) -> bool:
        return self.count >= MIN_COUNT and self.count >= FACTOR * self.expected


def baseline_windows(now: datetime) -> list[tuple[datetime, datetime]]:
    """The same 2 hours of the week, in each of the previous `WEEKS` weeks."""
    return [(now - timedelta(weeks=k) - RECENT, now - timedelta(weeks=k)) for k in range(1, WEEKS + 1)]


def touchpoint_key(touchpoint: str) -> str:
    return touchpoint.strip().lower()


def detect(pieces: Iterable[Piece], baseline: Iterable[Piece], *, now: datetime) -> list[Group]:
    """Every group of the last 24 hours' `pieces` at a touchpoint where something could be emerging,
    with its count and usual rate (`baseline`: the pieces of `baseline_windows(now)`)."""
    by_touchpoint: dict[str, list[Piece]] = defaultdict(list)
    for piece in pieces:
        if now - WINDOW <= piece.received_at <= now:
            by_touchpoint[touchpoint_key(piece.touchpoint)].append(piece)
    usual: dict[str, list[Piece]] = defaultdict(list)
    for piece in baseline:
        usual[touchpoint_key(piece.touchpoint)].append(piece)
    groups: list[Group] = []
    for touchpoint, found in sorted(by_touchpoint.items()):
        if sum(piece.received_at > now - RECENT for piece in found) >= MIN_COUNT:
            groups.extend(_groups_at(touchpoint, found, usual[touchpoint], now=now))
    return groups


def _groups_at(touchpoint: str, pieces: list[Piece], baseline: list[Piece], *, now: datetime) -> list[Group]:
    import numpy as np
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.preprocessing import normalize

    pieces = sorted(pieces, key=lambda p: (p.received_at, p.feedback_id), reverse=True)
    vectorizer = TfidfVectorizer(stop_words="english", sublinear_tf=True)
    try:
        vectors = normalize(vectorizer.fit_transform([p.comment for p in pieces]))
    except ValueError:  # not one word that is not a stop word: the touchpoint is one group
        return [_group(touchpoint, pieces, [], 0, now=now)]
    labels = _cluster(vectors[:MAX_CLUSTERED])
    centroids = _centroids(vectors[:MAX_CLUSTERED], labels)
    labels = np.concatenate([labels, _nearest(vectors[MAX_CLUSTERED:], centroids)])
    usual_labels = _nearest(normalize(vectorizer.transform([p.comment for p in baseline])), centroids)
    names = np.array(vectorizer.get_feature_names_out())
    groups = []
    for label in range(centroids.shape[0]):
        members = [piece for piece, mine in zip(pieces, labels, strict=True) if mine == label]
        weights = centroids[label]
        terms = [str(names[i]) for i in np.argsort(-weights, kind="stable")[:TERMS] if weights[i] > 0]
        groups.append(_group(touchpoint, members, terms, int(np.sum(usual_labels == label)), now=now))
    return groups


def _group(touchpoint: str, members: list[Piece], terms: list[str], usual: int, *, now: datetime) -> Group:
    recent = [p for p in members if p.received_at > now - RECENT]
    return Group(
        touchpoint=touchpoint,
        terms=terms,
        pieces=members,
        count=len(recent),
        expected=usual / WEEKS,
        since=min((p.received_at for p in recent), default=None),
        case_ids=sorted({p.case_id for p in members}),
    )


def _cluster(vectors: csr_matrix) -> np.ndarray:
    import numpy as np
    from sklearn.cluster import AgglomerativeClustering

    if vectors.shape[0] == 1:
        return np.zeros(1, dtype=int)
    distances = np.clip(1.0 - (vectors @ vectors.T).toarray(), 0.0, 2.0)
    model = AgglomerativeClustering(
        n_clusters=None, metric="precomputed", linkage="average", distance_threshold=DISTANCE
    )
    return model.fit_predict(distances)


def _centroids(vectors: csr_matrix, labels: np.ndarray) -> np.ndarray:
    import numpy as np
    from sklearn.preprocessing import normalize

    rows = [np.asarray(vectors[labels == label].mean(axis=0)).ravel() for label in range(labels.max() + 1)]
    return normalize(np.vstack(rows))


def _nearest(vectors: csr_matrix, centroids: np.ndarray) -> np.ndarray:
    import numpy as np

    """Each vector's nearest centroid within DISTANCE, or -1."""
    if vectors.shape[0] == 0:
        return np.zeros(0, dtype=int)
    similarity = np.asarray(vectors @ centroids.T)
    nearest = similarity.argmax(axis=1)
    return np.where(similarity.max(axis=1) >= 1.0 - DISTANCE, nearest, -1)


def in_windows(received_at: datetime, windows: Sequence[tuple[datetime, datetime]]) -> bool:
    return any(start <= received_at < end for start, end in windows)
