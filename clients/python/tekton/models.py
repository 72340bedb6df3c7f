"""Request models. Answers are returned as the API's JSON (dicts with snake_case keys)."""

from __future__ import annotations

import dataclasses
import uuid
from dataclasses import dataclass
from typing import Any, Mapping, Sequence

__all__ = [
    "ComponentRegistration",
    "LaunchSpec",
    "ComponentRequirements",
    "RegistrationResult",
    "ComponentStates",
]


class ComponentStates:
    """The seven states of an instance."""

    REGISTERED = "registered"
    INITIALIZING = "initializing"
    READY = "ready"
    DEGRADED = "degraded"
    STOPPING = "stopping"
    STOPPED = "stopped"
    FAILED = "failed"

    ALL = (REGISTERED, INITIALIZING, READY, DEGRADED, STOPPING, STOPPED, FAILED)

    @staticmethod
    def is_serving(state: str | None) -> bool:
        """``ready`` or ``degraded``: what a dependency must be to count as up."""
        return state in (ComponentStates.READY, ComponentStates.DEGRADED)


def _wire(value: Any) -> Any:
    """A value as JSON: dataclasses as dicts without ``None`` members, UUIDs as strings."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: _wire(getattr(value, f.name)) for f in dataclasses.fields(value) if getattr(value, f.name) is not None}
    if isinstance(value, uuid.UUID):
        return str(value)
    if isinstance(value, Mapping):
        return {str(k): _wire(v) for k, v in value.items()}
    if isinstance(value, (list, tuple, set, frozenset)):
        return [_wire(v) for v in value]
    return value


@dataclass
class LaunchSpec:
    """How Tekton starts a component as a supervised process (``launch``; Admin only with auth on)."""

    command: str
    args: Sequence[str] | None = None
    working_directory: str | None = None
    env: Mapping[str, str] | None = None
    restart: str | None = None  # "no" | "on-failure" | "always"
    max_restarts: int | None = None
    restart_window: float | None = None
    startup_timeout: float | None = None
    stop_timeout: float | None = None

    def to_dict(self) -> dict[str, Any]:
        return _wire(self)


@dataclass
class ComponentRequirements:
    """What must be free before a start (``requirements``)."""

    min_memory_gb: float | None = None
    min_disk_gb: float | None = None
    gpu_count: int | None = None
    min_gpu_memory_gb: float | None = None

    def to_dict(self) -> dict[str, Any]:
        return _wire(self)


@dataclass
class ComponentRegistration:
    """The body of ``POST /api/tekton/components``. Fields left ``None`` are not sent (server defaults apply)."""

    component_id: str
    component_name: str
    component_type: str
    version: str
    capabilities: Sequence[str] | None = None
    dependencies: Sequence[str] | None = None
    host: str | None = None
    port: int | None = None
    health_check: str | None = None
    metadata: Mapping[str, Any] | None = None
    heartbeat_interval: float | None = None
    heartbeat_timeout: float | None = None
    launch: LaunchSpec | Mapping[str, Any] | None = None
    autostart: bool | None = None
    requirements: ComponentRequirements | Mapping[str, Any] | None = None
    instance_uuid: str | uuid.UUID | None = None

    def to_dict(self) -> dict[str, Any]:
        """The registration as the JSON body."""
        return _wire(self)


class RegistrationResult(tuple):
    """The answer to a registration: unpacks as ``success, instance_uuid`` like the reference's tuple.

    It also carries ``message``, ``warnings`` (``[]`` unless Tekton warned about cycles or missing
    dependencies), ``created`` (``True`` for a new component id, answered 201), ``response`` (the whole
    JSON answer) and ``error`` (the exception, for the helpers that do not raise).
    """

    def __new__(
        cls,
        success: bool,
        instance_uuid: str | None,
        message: str = "",
        warnings: Sequence[str] | None = None,
        created: bool = False,
        response: Mapping[str, Any] | None = None,
        error: BaseException | None = None,
    ) -> "RegistrationResult":
        self = super().__new__(cls, (success, instance_uuid))
        self.message = message
        self.warnings = list(warnings or [])
        self.created = created
        self.response = dict(response) if response is not None else None
        self.error = error
        return self

    @property
    def success(self) -> bool:
        return self[0]

    @property
    def instance_uuid(self) -> str | None:
        return self[1]

    def __repr__(self) -> str:
        return f"RegistrationResult(success={self[0]!r}, instance_uuid={self[1]!r}, message={self.message!r})"
