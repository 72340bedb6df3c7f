"""The Tekton client: every endpoint of the API as an ``async`` method, heartbeats and live events.

    from tekton.client import TektonClient, ComponentRegistration

    client = TektonClient(host="localhost", port=8010)
    success, uuid = await client.register_component(ComponentRegistration(
        component_id="my_component", component_name="My Custom Component",
        component_type="service", version="1.0.0"))

Answers are the API's JSON as dicts (snake_case keys, as on the wire); list endpoints return the list.
Errors raise :class:`TektonApiError` (with ``status``, ``code``, ``problem``, ``retry_after``);
an unreachable Tekton raises :class:`TektonConnectionError` (:class:`TektonTimeoutError` for a timeout).
"""

from __future__ import annotations

import asyncio
import inspect
import logging
import math
import os
import uuid
from typing import Any, Callable, Mapping, Sequence

from . import __version__, _instances
from ._http import RetryPolicy, Transport, query, segment
from .errors import TektonApiError, TektonConnectionError, TektonError, TektonTimeoutError
from .models import ComponentRegistration, ComponentRequirements, ComponentStates, LaunchSpec, RegistrationResult, _wire

__all__ = [
    "TektonClient",
    "ComponentRegistration",
    "LaunchSpec",
    "ComponentRequirements",
    "ComponentStates",
    "RegistrationResult",
    "HeartbeatTask",
    "RetryPolicy",
    "TektonError",
    "TektonApiError",
    "TektonConnectionError",
    "TektonTimeoutError",
]

logger = logging.getLogger("tekton.client")

URL_VARIABLE = "TEKTON_URL"
API_KEY_VARIABLE = "TEKTON_API_KEY"
DEFAULT_URL = "http://localhost:8010"

_COMPONENTS = "api/tekton/components"


def _component(component_id: str) -> str:
    return f"{_COMPONENTS}/{segment(component_id)}"


def _uuid(value: "str | uuid.UUID") -> str:
    return str(uuid.UUID(str(value)))


def _drop_none(values: Mapping[str, Any]) -> dict[str, Any]:
    return {k: _wire(v) for k, v in values.items() if v is not None}


class TektonClient:
    """A client of one Tekton.

    ``TektonClient(host="localhost", port=8010, api_key=None, base_url=None, timeout=30, retries=3)``

    - ``host``/``port``: where Tekton answers (``http://{host}:{port}``). When neither is given and no
      ``base_url`` either, ``TEKTON_URL`` is used (set for every process Tekton launches), else
      ``http://localhost:8010``.
    - ``api_key``: an API key or a JWT access token, sent as ``Authorization: Bearer``; default
      ``TEKTON_API_KEY``. Pass ``""`` to send none.
    - ``base_url``: the whole address (``http://tekton.internal:8010``), instead of host and port.
    - ``timeout``: seconds one attempt of a request may take; long polls, waited starts and stops add
      their own wait.
    - ``retries``: retries after the first attempt of calls that are safe to repeat (an int), or a
      :class:`RetryPolicy`. ``0`` turns retries off.

    The client holds no connection (each request opens its own on a daemon thread), so it can be shared
    by tasks and event loops. ``await client.close()`` (or ``async with``) stops the heartbeats and
    subscriptions it started.
    """

    def __init__(
        self,
        host: str | None = None,
        port: int | None = None,
        api_key: str | None = None,
        base_url: str | None = None,
        timeout: float = 30.0,
        retries: "int | RetryPolicy | None" = None,
    ) -> None:
        if base_url is None:
            if host is None and port is None:
                base_url = os.environ.get(URL_VARIABLE) or DEFAULT_URL
            else:
                host = host or "localhost"
                if ":" in host and not host.startswith("["):
                    host = f"[{host}]"
                base_url = f"http://{host}:{port if port is not None else 8010}"
        elif host is not None or port is not None:
            raise ValueError("Give either base_url, or host and port, not both.")
        if api_key is None:
            api_key = os.environ.get(API_KEY_VARIABLE) or None
        if timeout is None or timeout <= 0:
            raise ValueError("timeout must be a positive number of seconds")
        self.retry_policy = RetryPolicy.of(retries)
        self._transport = Transport(base_url, api_key or None, float(timeout), self.retry_policy, f"tekton-python/{__version__}")
        self._owned: set[Any] = set()

    # ---- configuration -----------------------------------------------------------------------------

    @property
    def base_url(self) -> str:
        """Tekton's address, ending with ``/``."""
        return self._transport.base_url

    @property
    def api_key(self) -> str | None:
        """The API key or token this client sends, if any."""
        return self._transport.api_key

    @property
    def timeout(self) -> float:
        return self._transport.timeout

    def __repr__(self) -> str:
        return f"TektonClient(base_url={self.base_url!r}, auth={'yes' if self.api_key else 'no'})"

    async def close(self) -> None:
        """Stops the heartbeat tasks and subscriptions this client started."""
        owned, self._owned = list(self._owned), set()
        for item in owned:
            try:
                if isinstance(item, HeartbeatTask):
                    await item.stop()
                else:
                    await item.unsubscribe()
            except Exception:  # noqa: BLE001 - closing goes on
                logger.debug("closing %r failed", item, exc_info=True)

    async def __aenter__(self) -> "TektonClient":
        return self

    async def __aexit__(self, *exc: Any) -> None:
        await self.close()

    # ---- plumbing ----------------------------------------------------------------------------------

    async def _call(self, method: str, path: str, body: Any = ..., **options: Any) -> Any:
        if body is ...:
            response = await self._transport.request(method, path, **options)
        else:
            response = await self._transport.request(method, path, body, **options)
        return response.json()

    async def _get(self, path: str, **options: Any) -> Any:
        return await self._call("GET", path, **options)

    # ---- components --------------------------------------------------------------------------------

    async def register_component(
        self, registration: "ComponentRegistration | Mapping[str, Any]", *, idempotency_key: str | None = None
    ) -> RegistrationResult:
        """Registers a component (``POST /api/tekton/components``) and returns ``(success, instance_uuid)``.

        The request carries an ``Idempotency-Key`` (a new one unless given), the same on every attempt, so a
        retry after a lost answer gets the first answer and creates no second instance. The result also has
        ``message``, ``warnings``, ``created`` and ``response``. Errors raise :class:`TektonApiError`
        (400/1002 invalid, 409/1011 another type, ...).
        """
        body = registration.to_dict() if isinstance(registration, ComponentRegistration) else _drop_none(registration)
        key = idempotency_key or uuid.uuid4().hex
        response = await self._transport.request("POST", _COMPONENTS, body, headers={"Idempotency-Key": key})
        answer = response.json() or {}
        result = RegistrationResult(
            bool(answer.get("success")), answer.get("instance_uuid"), answer.get("message", ""),
            answer.get("warnings"), response.status == 201, answer)
        if result.success and result.instance_uuid:
            _instances.remember(result.instance_uuid, body.get("component_id", ""))
        return result

    async def list_components(
        self, status: str | None = None, type: str | None = None, capability: str | None = None  # noqa: A002 - the API's name
    ) -> list[dict[str, Any]]:
        """The registered components in registration order; each filter given must match exactly."""
        answer = await self._get(_COMPONENTS + query([("status", status), ("type", type), ("capability", capability)]))
        return answer["components"]

    async def find_components_by_capability(self, capability: str) -> list[dict[str, Any]]:
        """The components that offer ``capability``."""
        return await self.list_components(capability=capability)

    async def get_component(self, component_id: str) -> dict[str, Any]:
        """One component with its instances, newest first (404/1001 when it is not registered)."""
        return await self._get(_component(component_id))

    async def get_component_status(self, component_id: str) -> dict[str, Any]:
        """The status of the component's current instance, with ``health_status``."""
        return await self._get(_component(component_id) + "/status")

    async def deregister_component(self, component_id: str) -> dict[str, Any]:
        """Removes a component and its instances, stopping what Tekton runs for it."""
        return await self._call("DELETE", _component(component_id))

    # ---- lifecycle ---------------------------------------------------------------------------------

    async def send_heartbeat(
        self,
        component_id: str,
        instance_uuid: "str | uuid.UUID | None" = None,
        status: str | None = None,
        metrics: Mapping[str, Any] | None = None,
        health: Mapping[str, str] | None = None,
    ) -> dict[str, Any]:
        """Sends one heartbeat (default: for the component's current instance). A ``status`` that differs
        from the instance's state is applied as a transition."""
        body = _drop_none({"instance_uuid": instance_uuid, "status": status, "metrics": metrics, "health": health})
        return await self._call("POST", _component(component_id) + "/heartbeat", body)

    async def change_instance_state(
        self, component_id: str, instance_uuid: "str | uuid.UUID", state: str, reason: str | None = None
    ) -> dict[str, Any]:
        """Reports a state change of an instance (``PUT .../instances/{uuid}/state``); 409/1012 when the
        transition is not allowed."""
        body = _drop_none({"state": state, "reason": reason})
        return await self._call("PUT", f"{_component(component_id)}/instances/{_uuid(instance_uuid)}/state", body)

    async def start_component(
        self,
        component_id: str,
        wait: bool = False,
        dependency_timeout: float | None = None,
        *,
        full_response: bool = False,
    ) -> "bool | dict[str, Any]":
        """Starts a component that has a launch spec, and first every dependency it needs.

        Returns ``success`` (``True``), or the whole answer (``message``, ``instance_uuid``) with
        ``full_response=True``. With ``wait=True`` it returns when the component is ready, or raises the
        error that kept it from becoming ready (409/1004, 409/1003, ...).
        """
        path = _component(component_id) + "/start" + query([
            ("wait", True if wait else None),
            ("dependency_timeout", _seconds(dependency_timeout)),
        ])
        answer = await self._call("POST", path, extra_time=7200.0 if wait else 0.0)
        return answer if full_response else bool(answer.get("success"))

    async def stop_component(
        self,
        component_id: str,
        instance_uuid: "str | uuid.UUID | None" = None,
        force: bool | None = None,
        timeout: float | None = None,
        cascade: bool | None = None,
    ) -> dict[str, Any]:
        """Stops a component's instances (or only ``instance_uuid``) and answers once they are stopped.

        ``timeout`` is the seconds between SIGTERM and SIGKILL (or, for a component Tekton does not run, to
        report ``stopped``; else 504/1006). ``force`` kills at once; ``cascade`` stops running dependents first.
        """
        body = _drop_none({"instance_uuid": instance_uuid, "force": force, "timeout": timeout, "cascade": cascade})
        wait = (timeout if timeout is not None else 3600.0) + 5.0
        return await self._call("POST", _component(component_id) + "/stop", body, extra_time=wait)

    async def get_component_logs(
        self, component_id: str, tail: int | None = None, instance_uuid: "str | uuid.UUID | None" = None
    ) -> dict[str, Any]:
        """The last ``tail`` lines (default 200) an instance's process wrote (default: the current instance)."""
        return await self._get(
            _component(component_id) + "/logs"
            + query([("tail", tail), ("instance_uuid", str(instance_uuid) if instance_uuid else None)]))

    async def wait_for_signal(
        self, component_id: str, instance_uuid: "str | uuid.UUID", wait: float = 30
    ) -> dict[str, Any] | None:
        """Long-polls an instance's control signals for up to ``wait`` seconds (0-60).

        Returns the signal (``{"signal": "shutdown", "force": ..., "timeout": ..., "requested_at": ...}``) or
        ``None`` when none came in time.
        """
        seconds = int(min(60, max(0, math.ceil(wait))))
        path = f"{_component(component_id)}/instances/{_uuid(instance_uuid)}/signals?wait={seconds}"
        response = await self._transport.request("GET", path, extra_time=float(seconds))
        return None if response.status == 204 else response.json()

    # ---- dependencies ------------------------------------------------------------------------------

    async def get_dependency_graph(self) -> dict[str, Any]:
        """The whole graph: ``dependencies``, ``startup_order``, ``circular_dependencies``, ``missing_dependencies``."""
        return await self._get("api/tekton/dependencies")

    async def get_component_dependencies(self, component_id: str) -> dict[str, Any]:
        """What a component depends on (``depends_on``) and what depends on it (``dependent_components``)."""
        return await self._get(_component(component_id) + "/dependencies")

    # ---- resources ---------------------------------------------------------------------------------

    async def get_system_resources(self) -> dict[str, Any]:
        """CPU, memory, disk and GPUs of Tekton's machine (GiB, percentages 0-100)."""
        return await self._get("api/tekton/resources")

    async def get_resource_history(self, minutes: int | None = None) -> dict[str, Any]:
        """The retained resource samples, oldest first (the last ``minutes``, or all)."""
        return await self._get("api/tekton/resources/history" + query([("minutes", minutes)]))

    async def get_component_resources(self, component_id: str) -> dict[str, Any]:
        """A component's resource usage, measured by Tekton and reported by the component."""
        return await self._get(_component(component_id) + "/resources")

    async def report_resources(
        self,
        component_id: str,
        usage: Mapping[str, Any] | None = None,
        *,
        instance_uuid: "str | uuid.UUID | None" = None,
        cpu_percent: float | None = None,
        memory: Mapping[str, Any] | None = None,
        gpu: Mapping[str, Any] | None = None,
        network: Mapping[str, Any] | None = None,
        disk_io: Mapping[str, Any] | None = None,
    ) -> dict[str, Any]:
        """Reports a component's own usage (``POST .../resources``): a ``usage`` dict as the API takes it, or
        its parts as keywords (``cpu_percent``, ``memory={"rss", "vms", "percent"}``, ``gpu``, ``network``,
        ``disk_io``). What :class:`tekton.utils.tekton_client.ResourceReporter` sends."""
        body = dict(_drop_none(usage or {}))
        body.update(_drop_none({"instance_uuid": instance_uuid, "cpu_percent": cpu_percent, "memory": memory,
                                "gpu": gpu, "network": network, "disk_io": disk_io}))
        return await self._call("POST", _component(component_id) + "/resources", body)

    # ---- models and routing ------------------------------------------------------------------------

    async def list_models(
        self, capability: str | None = None, provider: str | None = None, status: str | None = None
    ) -> list[dict[str, Any]]:
        """The model catalog, ordered by id; each filter given must hold."""
        answer = await self._get("api/tekton/models" + query([("capability", capability), ("provider", provider), ("status", status)]))
        return answer["models"]

    async def get_model(self, model_id: str) -> dict[str, Any]:
        """One model (404/1000 when it is not in the catalog)."""
        return await self._get("api/tekton/models/" + segment(model_id))

    async def add_model(self, model: Mapping[str, Any] | None = None, **fields: Any) -> dict[str, Any]:
        """Adds a model to the catalog, or replaces one added through the API. Pass the model as a dict or as
        keywords: ``id``, ``provider``, ``capabilities``, ``tier``, ``context_window``, optionally ``status``,
        ``endpoint``, ``priority``, ``cost_per_1k_tokens``."""
        body = _drop_none({**(model or {}), **fields})
        return await self._call("POST", "api/tekton/models", body)

    async def put_model(self, model_id: str, model: Mapping[str, Any] | None = None, **fields: Any) -> dict[str, Any]:
        """Creates or replaces the model ``model_id`` (``PUT /api/tekton/models/{id}``)."""
        body = _drop_none({**(model or {}), **fields})
        return await self._call("PUT", "api/tekton/models/" + segment(model_id), body)

    async def delete_model(self, model_id: str) -> dict[str, Any]:
        """Removes a model added through the API."""
        return await self._call("DELETE", "api/tekton/models/" + segment(model_id))

    async def route_task(
        self,
        task_type: str,
        complexity: str | None = None,
        context_length: int | None = None,
        requirements: Mapping[str, Any] | None = None,
        fallback: bool | None = None,
    ) -> dict[str, Any]:
        """Chooses the model for a task (``POST /api/tekton/route``): ``selected_model``, ``provider``,
        ``endpoint``, ``selection_criteria``, ``fallback_models``. 404/1009 when no model can ever serve it,
        503/1010 (not retried) when none is available now. ``complexity`` defaults to ``medium`` on the server,
        ``context_length`` to 0, ``fallback`` to ``True``."""
        body = _drop_none({"task_type": task_type, "complexity": complexity, "context_length": context_length,
                           "requirements": requirements, "fallback": fallback})
        return await self._call("POST", "api/tekton/route", body)

    async def get_capabilities(self) -> list[dict[str, Any]]:
        """Every capability with its description and the models that declare it."""
        return (await self._get("api/tekton/capabilities"))["capabilities"]

    # ---- service -----------------------------------------------------------------------------------

    async def get_version(self) -> dict[str, Any]:
        """Tekton's version, build date, commit and API version."""
        return await self._get("api/tekton/version")

    async def is_ready(self) -> bool:
        """Whether Tekton is ready to serve (``GET /health/ready``); ``False`` when it cannot be reached."""
        try:
            await self._transport.request("GET", "health/ready")
            return True
        except TektonError:
            return False

    async def get_metrics(self) -> str:
        """The Prometheus text of ``GET /metrics``."""
        response = await self._transport.request("GET", "metrics", accept="text/plain")
        return response.text()

    # ---- security ----------------------------------------------------------------------------------

    async def create_api_key(self, name: str, role: str, component_id: str | None = None) -> dict[str, Any]:
        """Creates an API key (Admin): ``id``, ``name``, ``role``, ``component_id``, ``api_key`` (shown only
        here), ``created_at``. Never retried: a retry could create a second key."""
        body = _drop_none({"name": name, "role": role, "component_id": component_id})
        return await self._call("POST", "api/tekton/auth/keys", body, idempotent=False)

    async def list_api_keys(self) -> list[dict[str, Any]]:
        """Every API key, without secrets (Admin)."""
        return (await self._get("api/tekton/auth/keys"))["keys"]

    async def revoke_api_key(self, key_id: str) -> dict[str, Any]:
        """Revokes an API key and its tokens (Admin)."""
        return await self._call("DELETE", "api/tekton/auth/keys/" + segment(key_id))

    async def issue_token(self, api_key: str | None = None) -> dict[str, Any]:
        """Exchanges an API key (default: this client's) for a JWT: ``access_token``, ``token_type``,
        ``expires_in``, ``role``, ``component_id``."""
        key = api_key or self.api_key
        if not key:
            raise ValueError("No API key: pass one, or create the client with one.")
        return await self._call("POST", "api/tekton/auth/token", {"api_key": key})

    async def get_audit_trail(
        self, limit: int | None = None, before_id: int | None = None, outcome: str | None = None
    ) -> dict[str, Any]:
        """A page of the audit trail, newest first (Admin): ``entries`` and ``next_before_id``."""
        return await self._get("api/tekton/audit" + query([("limit", limit), ("before_id", before_id), ("outcome", outcome)]))

    # ---- heartbeats --------------------------------------------------------------------------------

    def start_heartbeat(
        self,
        component_id: str,
        interval: float = 10,
        instance_uuid: "str | uuid.UUID | None" = None,
        *,
        status: "str | Callable[[], str | None] | None" = None,
        metrics: "Mapping[str, Any] | Callable[[], Mapping[str, Any] | None] | None" = None,
        health: "Mapping[str, str] | Callable[[], Mapping[str, str] | None] | None" = None,
        on_error: Callable[[BaseException], Any] | None = None,
    ) -> "HeartbeatTask":
        """Sends heartbeats for ``component_id`` every ``interval`` seconds in a background task, the first at
        once. Call it from a coroutine (it needs the running loop); stop it with ``await task.stop()``.

        ``status``, ``metrics`` and ``health`` may be values or callables evaluated for each heartbeat. A failed
        heartbeat is counted (``failed``, ``last_error``) and passed to ``on_error``; the next one goes on time.
        """
        task = HeartbeatTask(self, component_id, interval, instance_uuid, status, metrics, health, on_error)
        self._owned.add(task)
        return task

    # ---- live events -------------------------------------------------------------------------------

    async def subscribe_to_heartbeats(
        self,
        component_id: str,
        callback: Callable[[dict[str, Any]], Any],
        *,
        since_sequence: int | None = None,
        **options: Any,
    ) -> "Any":
        """Subscribes to the heartbeats of ``component_id`` (or ``"all"``) on ``/ws/tekton/heartbeat``.

        ``callback(event)`` (a function or a coroutine function) gets each ``heartbeat`` event as a dict, one at
        a time, in sequence order. Returns a :class:`tekton.events.Subscription` once Tekton confirmed it
        (raises :class:`TektonApiError` when it refuses it); it reconnects by itself and resumes by
        ``since_sequence``. Stop it with ``await subscription.unsubscribe()``. Options: ``on_resync_required``,
        ``on_disconnected``, ``on_reconnected``, ``on_error``, ``max_reconnect_delay``.
        """
        from .events import Subscription

        def message(since: int | None) -> dict[str, Any]:
            body: dict[str, Any] = {"action": "subscribe", "component_id": component_id}
            if since is not None:
                body["since_sequence"] = since
            return body

        subscription = await Subscription.start(self, "heartbeat", message, {"heartbeat"}, callback, since_sequence, **options)
        self._owned.add(subscription)
        return subscription

    async def subscribe_to_state_changes(
        self,
        component_types: "Sequence[str] | str",
        callback: Callable[[dict[str, Any]], Any],
        component_ids: Sequence[str] | None = None,
        *,
        since_sequence: int | None = None,
        **options: Any,
    ) -> "Any":
        """Subscribes to the state changes of components of ``component_types`` (``["all"]`` for every type),
        optionally only of ``component_ids``, on ``/ws/tekton/state``. As :meth:`subscribe_to_heartbeats`."""
        from .events import Subscription

        types = [component_types] if isinstance(component_types, str) else list(component_types)
        ids = list(component_ids) if component_ids is not None else None

        def message(since: int | None) -> dict[str, Any]:
            body: dict[str, Any] = {"action": "subscribe", "component_types": types}
            if ids is not None:
                body["component_ids"] = ids
            if since is not None:
                body["since_sequence"] = since
            return body

        subscription = await Subscription.start(self, "state", message, {"state_change"}, callback, since_sequence, **options)
        self._owned.add(subscription)
        return subscription

    def _forget(self, item: Any) -> None:
        self._owned.discard(item)


def _seconds(value: float | None) -> str | None:
    if value is None:
        return None
    return f"{value:g}"


async def _maybe_await(value: Any) -> Any:
    if inspect.isawaitable(value):
        return await value
    return value


class HeartbeatTask:
    """Heartbeats sent in the background every ``interval`` seconds until ``await stop()``.

    ``sent`` and ``failed`` count them; ``last_result`` is the answer to the latest accepted heartbeat and
    ``last_error`` the latest failure.
    """

    def __init__(
        self,
        client: TektonClient,
        component_id: str,
        interval: float,
        instance_uuid: "str | uuid.UUID | None",
        status: Any,
        metrics: Any,
        health: Any,
        on_error: Callable[[BaseException], Any] | None,
    ) -> None:
        if not interval or interval <= 0:
            raise ValueError("interval must be a positive number of seconds")
        self.client = client
        self.component_id = component_id
        self.interval = float(interval)
        self.instance_uuid = str(instance_uuid) if instance_uuid else None
        self._status, self._metrics, self._health = status, metrics, health
        self._on_error = on_error
        self.sent = 0
        self.failed = 0
        self.last_result: dict[str, Any] | None = None
        self.last_error: BaseException | None = None
        self._task = asyncio.get_running_loop().create_task(self._run(), name=f"tekton-heartbeat-{component_id}")

    @property
    def running(self) -> bool:
        return not self._task.done()

    async def stop(self) -> None:
        """Stops sending heartbeats. Safe to call more than once."""
        self.client._forget(self)
        if not self._task.done():
            self._task.cancel()
        await asyncio.gather(self._task, return_exceptions=True)

    def __repr__(self) -> str:
        return f"HeartbeatTask({self.component_id!r}, interval={self.interval:g}, sent={self.sent}, failed={self.failed})"

    @staticmethod
    def _value(source: Any) -> Any:
        return source() if callable(source) else source

    async def _run(self) -> None:
        loop = asyncio.get_running_loop()
        next_at = loop.time()
        while True:
            try:
                self.last_result = await self.client.send_heartbeat(
                    self.component_id, self.instance_uuid,
                    status=self._value(self._status), metrics=self._value(self._metrics), health=self._value(self._health))
                self.sent += 1
            except asyncio.CancelledError:
                raise
            except Exception as error:  # noqa: BLE001 - reported, the loop goes on
                self.failed += 1
                self.last_error = error
                logger.warning("heartbeat of %s failed: %s", self.component_id, error)
                if self._on_error is not None:
                    try:
                        await _maybe_await(self._on_error(error))
                    except Exception:  # noqa: BLE001
                        logger.exception("heartbeat on_error handler failed")
            next_at += self.interval
            now = loop.time()
            if next_at <= now:  # late: skip the missed ticks, keep the schedule
                next_at += math.ceil((now - next_at) / self.interval) * self.interval
                if next_at <= now:
                    next_at += self.interval
            await asyncio.sleep(next_at - now)
