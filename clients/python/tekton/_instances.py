"""Which component each instance registered through this process belongs to.

``mark_ready(instance_uuid)`` and ``notify_shutdown(instance_uuid)`` take only the instance, as in the reference,
but the API paths need the component id: registrations made through the SDK remember it here.
"""

from __future__ import annotations

import os
import threading
import uuid

_lock = threading.Lock()
_components: dict[str, str] = {}

COMPONENT_VARIABLE = "TEKTON_COMPONENT_ID"
INSTANCE_VARIABLE = "TEKTON_INSTANCE_UUID"


def normalize(instance_uuid: "str | uuid.UUID") -> str:
    return str(uuid.UUID(str(instance_uuid)))


def remember(instance_uuid: "str | uuid.UUID | None", component_id: str) -> None:
    if not instance_uuid:
        return
    with _lock:
        _components[normalize(instance_uuid)] = component_id


def component_of(instance_uuid: "str | uuid.UUID", component_id: str | None = None) -> str:
    """The component of an instance: ``component_id`` if given, else the one it registered as through this
    process, else ``TEKTON_COMPONENT_ID``."""
    if component_id:
        return component_id
    with _lock:
        known = _components.get(normalize(instance_uuid))
    if known:
        return known
    from_env = os.environ.get(COMPONENT_VARIABLE)
    if from_env:
        return from_env
    raise ValueError(
        f"Unknown component for instance {instance_uuid}: register it with register_with_tekton first, "
        f"pass component_id=..., or set {COMPONENT_VARIABLE}.")


def launched_instance() -> str | None:
    """The instance Tekton launched this process for (``TEKTON_INSTANCE_UUID``), if it did."""
    value = os.environ.get(INSTANCE_VARIABLE)
    if not value:
        return None
    try:
        parsed = uuid.UUID(value)
    except ValueError:
        return None
    return None if parsed.int == 0 else str(parsed)
