"""Component registration, as the reference's integration pattern::

    from tekton.utils.tekton_registration import register_with_tekton

    success, instance_uuid = await register_with_tekton(
        component_id="my_component", component_name="My Custom Component", component_type="service",
        version="1.0.0", capabilities=["data_processing"], dependencies=["engram"], port=8500)
"""

from __future__ import annotations

import logging
import os
import uuid
from typing import Any, Mapping, Sequence

from .. import _instances
from ..client import HeartbeatTask, TektonClient
from ..errors import TektonError
from ..models import ComponentRegistration, RegistrationResult
from ._default import get_default_client, resolve, set_default_client
from .tekton_client import mark_ready, notify_shutdown

__all__ = [
    "register_with_tekton",
    "start_heartbeat_task",
    "mark_ready",
    "notify_shutdown",
    "launched_instance",
    "get_default_client",
    "set_default_client",
]

logger = logging.getLogger("tekton.integration")


def launched_instance() -> str | None:
    """The instance Tekton launched this process for (``TEKTON_INSTANCE_UUID``), or ``None``."""
    return _instances.launched_instance()


async def register_with_tekton(
    component_id: str,
    component_name: str,
    component_type: str,
    version: str,
    capabilities: Sequence[str] | None = None,
    dependencies: Sequence[str] | None = None,
    port: int | None = None,
    host: str | None = None,
    health_check: str | None = None,
    metadata: Mapping[str, Any] | None = None,
    heartbeat_interval: float | None = None,
    heartbeat_timeout: float | None = None,
    instance_uuid: "str | uuid.UUID | None" = None,
    *,
    client: TektonClient | None = None,
    **fields: Any,
) -> RegistrationResult:
    """Registers the component and returns ``(success, instance_uuid)``.

    When Tekton launched this process (``TEKTON_INSTANCE_UUID`` is set, and ``TEKTON_COMPONENT_ID`` is unset
    or names this component) and no ``instance_uuid`` is given, the registration attaches to that instance
    instead of adding one. The component id of the instance is remembered, so ``mark_ready(instance_uuid)``
    and ``notify_shutdown(instance_uuid)`` need nothing more.

    Never raises for Tekton's errors or an unreachable Tekton: ``success`` is ``False``, ``instance_uuid``
    ``None``, and the result's ``error`` and ``message`` say why. ``fields`` are further registration fields
    (``launch``, ``autostart``, ``requirements``). The Tekton it talks to is ``client``, else
    ``TEKTON_URL``/``TEKTON_API_KEY`` (see :func:`set_default_client`).
    """
    if instance_uuid is None:
        launched_as = os.environ.get(_instances.COMPONENT_VARIABLE)
        if not launched_as or launched_as == component_id:
            instance_uuid = _instances.launched_instance()
    registration = ComponentRegistration(
        component_id=component_id,
        component_name=component_name,
        component_type=component_type,
        version=version,
        capabilities=capabilities,
        dependencies=dependencies,
        host=host,
        port=port,
        health_check=health_check,
        metadata=metadata,
        heartbeat_interval=heartbeat_interval,
        heartbeat_timeout=heartbeat_timeout,
        instance_uuid=str(instance_uuid) if instance_uuid else None,
        **fields,
    )
    try:
        result = await resolve(client).register_component(registration)
    except TektonError as error:
        logger.error("Registering %s with Tekton failed: %s", component_id, error)
        return RegistrationResult(False, None, str(error), error=error)
    if result.success:
        _instances.remember(result.instance_uuid, component_id)
        for warning in result.warnings:
            logger.warning("Tekton: %s", warning)
    return result


def start_heartbeat_task(
    instance_uuid: "str | uuid.UUID | None" = None,
    interval: float = 10,
    *,
    component_id: str | None = None,
    client: TektonClient | None = None,
    **options: Any,
) -> HeartbeatTask:
    """Starts heartbeats for a registered instance (the reference's ``start_heartbeat_task(instance_uuid)``):
    ``client.start_heartbeat(component_id, interval, instance_uuid)`` with the component id of the
    instance. Stop it with ``await task.stop()``. ``options`` go to :meth:`TektonClient.start_heartbeat`."""
    if instance_uuid is None:
        instance_uuid = _instances.launched_instance()
    if component_id is None:
        if instance_uuid is None:
            raise ValueError("start_heartbeat_task needs an instance_uuid or a component_id")
        component_id = _instances.component_of(instance_uuid)
    return resolve(client).start_heartbeat(component_id, interval=interval, instance_uuid=instance_uuid, **options)
