"""Text ranking with the standard library: a hashed n-gram embedding (the offline default,
no model download) and reciprocal rank fusion of several rankings."""

from __future__ import annotations

import hashlib
import math
import re
from collections import Counter

DIMENSIONS = 768
_WORD = re.compile(r"[a-z0-9][a-z0-9_.+-]*")
STOP = frozenset("""a an the and or of to in on for with by is are be it this that how do i we
my our what which can you your does from as at not no if""".split())


def words(text: str) -> list[str]:
    return [w.strip(".-") for w in _WORD.findall(text.lower()) if w.strip(".-") not in STOP]


def _stem(word: str) -> str:
    for suffix in ("ing", "ies", "es", "ed", "s"):
        if len(word) > len(suffix) + 2 and word.endswith(suffix):
            return word[: -len(suffix)]
    return word


def _bucket(feature: str) -> tuple[int, float]:
    digest = hashlib.blake2b(feature.encode(), digest_size=8).digest()
    value = int.from_bytes(digest, "little")
    return value % DIMENSIONS, (1.0 if (value >> 63) & 1 else -1.0)


def hashed_embedding(text: str) -> list[float]:
    """Words, stems, word pairs and character trigrams hashed into a fixed-size vector
    (signed feature hashing, sublinear term frequency, L2-normalised)."""
    tokens = words(text)
    features: Counter = Counter()
    for i, word in enumerate(tokens):
        stem = _stem(word)
        features["w:" + stem] += 2.0
        if i + 1 < len(tokens):
            features["b:" + stem + " " + _stem(tokens[i + 1])] += 1.0
        padded = f" {stem} "
        for j in range(len(padded) - 2):
            features["c:" + padded[j:j + 3]] += 0.3
    vector = [0.0] * DIMENSIONS
    for feature, count in features.items():
        index, sign = _bucket(feature)
        vector[index] += sign * (1.0 + math.log(count)) if count >= 1 else sign * count
    norm = math.sqrt(sum(v * v for v in vector)) or 1.0
    return [v / norm for v in vector]


def reciprocal_rank_fusion(rankings: list[list[str]], k: int = 60) -> list[str]:
    scores: Counter = Counter()
    for ranking in rankings:
        for rank, item in enumerate(ranking):
            scores[item] += 1.0 / (k + rank + 1)
    return [item for item, _ in scores.most_common()]
