"""RDF Dataset Canonicalization (RDFC-1.0, PyLD's URDNA2015) with contexts shipped in this package only.

No context is ever fetched: the loader answers from `contexts/` (see its README for each file's source)
and refuses any other URL with an error that names it.
"""
from __future__ import annotations

import copy
import json
from collections.abc import Callable, Mapping
from functools import lru_cache
from pathlib import Path
from typing import Any

from pyld import jsonld
from pyld.context_resolver import ContextResolver

CONTEXTS = Path(__file__).resolve().parent / "contexts"
Loader = Callable[[str, Any], dict[str, Any]]


class ContextError(ValueError):
    """The document cannot be canonicalized here; the message says why (e.g. an unknown context URL)."""


@lru_cache(maxsize=1)
def shipped_contexts() -> Mapping[str, Any]:
    """context URL -> the parsed context document, for every context in `contexts/index.json`."""
    index = json.loads((CONTEXTS / "index.json").read_text(encoding="utf-8"))
    return {url: json.loads((CONTEXTS / name).read_text(encoding="utf-8")) for url, name in index.items()}


def document_loader(extra: Mapping[str, Any] | None = None) -> Loader:
    """A PyLD document loader over the shipped contexts (plus `extra`, url -> document, e.g. in tests)."""
    known = {**shipped_contexts(), **(extra or {})}

    def load(url: str, options: Any = None) -> dict[str, Any]:
        if url not in known:
            raise ContextError(f"the JSON-LD context {url} is not one this verifier ships; "
                               "contexts are never fetched from the network")
        return {"contextUrl": None, "documentUrl": url, "document": copy.deepcopy(known[url])}

    return load


def _unknown_context(exc: BaseException) -> ContextError | None:
    seen: BaseException | None = exc
    while seen is not None:
        if isinstance(seen, ContextError):
            return seen
        for attr in ("cause", "__cause__", "__context__"):
            nested = getattr(seen, attr, None)
            if isinstance(nested, BaseException):
                seen = nested
                break
        else:
            seen = None
    return None


def canonicalize(doc: dict[str, Any], loader: Loader | None = None) -> str:
    """The RDFC-1.0 canonical N-Quads of `doc`; ContextError if a context is unknown or a term undefined."""
    loader = loader or document_loader()
    options = {
        "algorithm": "URDNA2015", "format": "application/n-quads", "documentLoader": loader,
        # A resolver of our own: PyLD's default caches resolved contexts process-wide, across loaders.
        "contextResolver": ContextResolver({}, loader),
    }
    dropped: list[str] = []
    # Safe mode: a property that the contexts do not define would be left out of the canonical form, and
    # so out of what is signed; such a document is refused rather than signed or verified in part.
    processor = jsonld.JsonLdProcessor(on_property_dropped=lambda term: dropped.append(str(term)))
    try:
        canonical = processor.normalize(copy.deepcopy(doc), options)
    except Exception as exc:  # noqa: BLE001 - PyLD raises JsonLdError wrapping the real cause
        unknown = _unknown_context(exc)
        if unknown is not None:
            raise ContextError(str(unknown)) from None
        raise ContextError(f"the document is not valid JSON-LD ({exc.__class__.__name__}: "
                           f"{str(exc).splitlines()[0] if str(exc) else ''})") from None
    if dropped:
        names = ", ".join(sorted(set(dropped)))
        raise ContextError(f"the document has properties that its JSON-LD contexts do not define ({names}): "
                           "they would not be signed")
    return canonical
