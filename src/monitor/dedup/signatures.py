"""MinHash signatures over character shingles of the normalised body (datasketch)."""

from __future__ import annotations

import re
import unicodedata

import numpy as np
from datasketch import LeanMinHash, MinHash

# 3-character shingles: Chinese words are one to four characters, and a short shingle keeps a
# copy with edits scattered through it similar (each edit breaks at most three shingles).
SHINGLE_SIZE = 3
# 128 permutations give a Jaccard estimate within about ±0.09 (one standard deviation 1/sqrt(128)).
NUM_PERM = 128
SEED = 1
# datasketch 2's default permutation scheme: 32-bit hash values, half the storage of 64-bit.
SCHEME = "affine32"
# What the rest of the code calls a signature; datasketch's type stays behind this name.
Signature = LeanMinHash
_DROP = re.compile(r"[\s\u3000\xa0]+")


def normalise(text: str) -> str:
    """Fold full/half-width forms (NFKC), case, and drop all whitespace."""
    return _DROP.sub("", unicodedata.normalize("NFKC", text)).lower()


def shingles(text: str, size: int = SHINGLE_SIZE) -> set[str]:
    """The set of character `size`-grams of the normalised text."""
    norm = normalise(text)
    if len(norm) <= size:
        return {norm} if norm else set()
    return {norm[i : i + size] for i in range(len(norm) - size + 1)}


def signature(text: str) -> LeanMinHash:
    """The MinHash signature of a text's shingles."""
    minhash = MinHash(num_perm=NUM_PERM, seed=SEED, scheme=SCHEME)
    minhash.update_batch([s.encode("utf-8") for s in shingles(text)])
    return LeanMinHash(minhash)


def to_bytes(sig: LeanMinHash) -> bytes:
    """The signature's hash values as little-endian uint32 bytes, for storage."""
    return np.asarray(sig.hashvalues, dtype="<u4").tobytes()


def from_bytes(data: bytes) -> LeanMinHash:
    """A stored signature back as a LeanMinHash."""
    return LeanMinHash(
        seed=SEED, hashvalues=np.frombuffer(data, dtype="<u4").astype(np.uint32), scheme=SCHEME
    )


def jaccard(a: set[str], b: set[str]) -> float:
    """Exact Jaccard similarity of two shingle sets."""
    if not a or not b:
        return 0.0
    return len(a & b) / len(a | b)


def containment(inner: set[str], outer: set[str]) -> float:
    """Share of `inner`'s shingles found in `outer`."""
    return len(inner & outer) / len(inner) if inner else 0.0
