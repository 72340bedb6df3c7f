"""The client the integration helpers use when none is passed: from ``TEKTON_URL`` and ``TEKTON_API_KEY``."""

from __future__ import annotations

import os
import threading

from ..client import API_KEY_VARIABLE, URL_VARIABLE, TektonClient

_lock = threading.Lock()
_explicit: TektonClient | None = None
_cached: tuple[tuple[str | None, str | None], TektonClient] | None = None


def set_default_client(client: TektonClient | None) -> None:
    """Makes the helpers use ``client`` when none is passed; ``None`` goes back to the environment."""
    global _explicit
    with _lock:
        _explicit = client


def get_default_client() -> TektonClient:
    """The client set with :func:`set_default_client`, else one for ``TEKTON_URL`` (default
    ``http://localhost:8010``) with ``TEKTON_API_KEY``, rebuilt when those variables change."""
    global _cached
    with _lock:
        if _explicit is not None:
            return _explicit
        key = (os.environ.get(URL_VARIABLE) or None, os.environ.get(API_KEY_VARIABLE) or None)
        if _cached is None or _cached[0] != key:
            _cached = (key, TektonClient())
        return _cached[1]


def resolve(client: TektonClient | None) -> TektonClient:
    return client if client is not None else get_default_client()
