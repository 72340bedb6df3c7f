"""Tekton's Python SDK.

- :mod:`tekton.client`: :class:`TektonClient` (every endpoint, ``async``), :class:`ComponentRegistration`,
  heartbeats and live event subscriptions.
- :mod:`tekton.utils.tekton_registration`: ``register_with_tekton``.
- :mod:`tekton.utils.tekton_client`: ``wait_for_dependencies``, ``listen_for_shutdown``, ``mark_ready``,
  ``notify_shutdown``, ``report_resources``, ``ResourceReporter``.
"""

import logging as _logging

__version__ = "1.0.0"

# A library logs to "tekton.*" and leaves the configuration to the application.
_logging.getLogger("tekton").addHandler(_logging.NullHandler())

from .errors import TektonApiError, TektonConnectionError, TektonError, TektonTimeoutError  # noqa: E402
from .models import ComponentRegistration, ComponentRequirements, ComponentStates, LaunchSpec, RegistrationResult  # noqa: E402
from .client import HeartbeatTask, RetryPolicy, TektonClient  # noqa: E402

__all__ = [
    "__version__",
    "TektonClient",
    "ComponentRegistration",
    "ComponentRequirements",
    "ComponentStates",
    "LaunchSpec",
    "RegistrationResult",
    "HeartbeatTask",
    "RetryPolicy",
    "TektonError",
    "TektonApiError",
    "TektonConnectionError",
    "TektonTimeoutError",
]
