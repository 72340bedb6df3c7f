"""The reference's integration helpers for a component::

    from tekton.utils.tekton_client import (
        wait_for_dependencies, listen_for_shutdown, report_resources, ResourceReporter, mark_ready, notify_shutdown)

Each takes an optional ``client=`` (a :class:`tekton.client.TektonClient`); without one they use
``TEKTON_URL`` and ``TEKTON_API_KEY`` (see :func:`set_default_client`). Helpers that take only an instance
UUID find its component id from ``register_with_tekton`` (or ``component_id=``, or ``TEKTON_COMPONENT_ID``).
"""

from __future__ import annotations

import asyncio
import logging
import os
import random
import resource
import time
import uuid
from typing import Any, Callable, Iterable

from .. import _instances
from ..client import TektonClient, _maybe_await
from ..errors import TektonApiError, TektonConnectionError, TektonError
from ..models import ComponentStates
from ._default import get_default_client, resolve, set_default_client

__all__ = [
    "wait_for_dependencies",
    "listen_for_shutdown",
    "mark_ready",
    "notify_shutdown",
    "report_resources",
    "measure_process",
    "ResourceReporter",
    "get_default_client",
    "set_default_client",
]

logger = logging.getLogger("tekton.integration")


async def wait_for_dependencies(
    dependencies: Iterable[str],
    timeout: float = 60,
    check_interval: float = 1,
    *,
    client: TektonClient | None = None,
) -> tuple[bool, list[str]]:
    """Polls every ``check_interval`` seconds until every dependency is ``ready`` or ``degraded``, or
    ``timeout`` seconds pass. Returns ``(success, failed_deps)``: the dependencies that were not up when the
    time ran out (``[]`` on success). A dependency that is not registered, or cannot be read, counts as not
    up. Never raises for Tekton's errors."""
    tekton = resolve(client)
    pending = list(dict.fromkeys(dependencies))
    loop = asyncio.get_running_loop()
    deadline = loop.time() + max(0.0, timeout)
    while True:
        states = await asyncio.gather(*(_is_serving(tekton, dependency) for dependency in pending))
        pending = [dependency for dependency, serving in zip(pending, states) if not serving]
        left = deadline - loop.time()
        if not pending or left <= 0:
            if pending:
                logger.warning("Dependencies not ready after %g s: %s", timeout, ", ".join(pending))
            return not pending, pending
        await asyncio.sleep(min(check_interval, left))


async def _is_serving(client: TektonClient, component_id: str) -> bool:
    try:
        return ComponentStates.is_serving((await client.get_component_status(component_id)).get("status"))
    except TektonError:
        return False


async def listen_for_shutdown(
    component_id: str | None = None,
    instance_uuid: "str | uuid.UUID | None" = None,
    shutdown_event: asyncio.Event | None = None,
    *,
    client: TektonClient | None = None,
    wait: float = 30,
    on_signal: Callable[[dict[str, Any]], Any] | None = None,
) -> dict[str, Any]:
    """Long-polls the instance's control signals until Tekton asks it to shut down (a stop requested through
    the API, or a deregistration), then sets ``shutdown_event``, calls ``on_signal(signal)`` and returns the
    signal (``{"signal": "shutdown", "force": ..., "timeout": ..., "requested_at": ...}``).

    Run it as a task: ``asyncio.create_task(listen_for_shutdown(component_id=..., instance_uuid=...,
    shutdown_event=event))``. Connection failures and 5xx answers are retried with back-off (Tekton may be
    restarting); an instance Tekton no longer knows raises :class:`TektonApiError` 404/1001. Defaults:
    ``TEKTON_INSTANCE_UUID`` and the instance's component."""
    tekton = resolve(client)
    if instance_uuid is None:
        instance_uuid = _instances.launched_instance()
        if instance_uuid is None:
            raise ValueError("listen_for_shutdown needs an instance_uuid (or TEKTON_INSTANCE_UUID)")
    component_id = _instances.component_of(instance_uuid, component_id)
    failures = 0
    while True:
        try:
            signal = await tekton.wait_for_signal(component_id, instance_uuid, wait=wait)
        except (TektonConnectionError, TektonApiError) as error:
            if isinstance(error, TektonApiError) and error.status < 500:
                raise
            failures += 1
            delay = min(5.0, 0.25 * 2 ** min(failures, 8)) * (0.5 + random.random() / 2)
            logger.debug("waiting for signals of %s failed (%s); again in %.2f s", component_id, error, delay)
            await asyncio.sleep(delay)
            continue
        failures = 0
        if signal is not None and signal.get("signal") == "shutdown":
            logger.info("Tekton asked %s to shut down (force=%s)", component_id, signal.get("force"))
            if shutdown_event is not None:
                shutdown_event.set()
            if on_signal is not None:
                await _maybe_await(on_signal(signal))
            return signal


async def mark_ready(
    instance_uuid: "str | uuid.UUID",
    *,
    component_id: str | None = None,
    reason: str = "initialized",
    client: TektonClient | None = None,
) -> dict[str, Any]:
    """Tells Tekton the instance is ready: a state change to ``ready``. Raises :class:`TektonApiError`
    (409/1012 when the instance cannot become ready from its state)."""
    component = _instances.component_of(instance_uuid, component_id)
    return await resolve(client).change_instance_state(component, instance_uuid, ComponentStates.READY, reason)


async def notify_shutdown(
    instance_uuid: "str | uuid.UUID",
    *,
    component_id: str | None = None,
    reason: str = "shut down cleanly",
    client: TektonClient | None = None,
) -> dict[str, Any]:
    """Tells Tekton the instance is shutting down: ``stopping``, then ``stopped``. Call it last, once the
    component has cleaned up; an instance that is already stopped is left as it is. Raises
    :class:`TektonApiError` or :class:`TektonConnectionError` when Tekton refuses it or cannot be reached."""
    component = _instances.component_of(instance_uuid, component_id)
    tekton = resolve(client)
    try:
        await tekton.change_instance_state(component, instance_uuid, ComponentStates.STOPPING, "shutting down")
    except TektonApiError as error:
        if error.code != 1012:  # 1012: already stopped (stopped -> stopping is no transition)
            raise
    return await tekton.change_instance_state(component, instance_uuid, ComponentStates.STOPPED, reason)


# ---- resources ------------------------------------------------------------------------------------

_MIB = 1024 * 1024


def _read_proc(path: str) -> dict[str, str]:
    values: dict[str, str] = {}
    try:
        with open(path, encoding="ascii", errors="replace") as handle:
            for line in handle:
                name, _, value = line.partition(":")
                values[name.strip()] = value.strip()
    except OSError:
        pass
    return values


def _kib(values: dict[str, str], name: str) -> int | None:
    raw = values.get(name)
    if not raw:
        return None
    try:
        return int(raw.split()[0]) * 1024
    except (ValueError, IndexError):
        return None


def _total_memory() -> int | None:
    total = _kib(_read_proc("/proc/meminfo"), "MemTotal")
    if total:
        return total
    try:
        return os.sysconf("SC_PHYS_PAGES") * os.sysconf("SC_PAGE_SIZE")
    except (ValueError, OSError, AttributeError):
        return None


def _cpu_seconds() -> float:
    times = os.times()
    return times.user + times.system + times.children_user + times.children_system


def measure_process(since: tuple[float, float] | None = None) -> tuple[dict[str, Any], tuple[float, float]]:
    """This process's figures as a ``POST .../resources`` body, without ``instance_uuid``.

    ``cpu_percent`` is the CPU time (user and system, plus waited-for children, from ``os.times()``) since
    ``since`` (a ``(cpu_seconds, monotonic)`` pair from a previous call) over the time between, in percent of
    one core; absent on the first call. ``memory.rss``/``vms`` are ``VmRSS``/``VmSize`` of
    ``/proc/self/status`` in MiB (``rss`` falls back to ``resource.getrusage``'s peak where ``/proc`` is
    missing), ``memory.percent`` is ``rss`` over the machine's memory, and ``disk_io`` is ``read_bytes`` and
    ``write_bytes`` of ``/proc/self/io``. Network bytes are not known per process and are not sent.
    Returns the body and the new ``(cpu_seconds, monotonic)`` pair."""
    now = (_cpu_seconds(), time.monotonic())
    usage: dict[str, Any] = {}
    if since is not None and now[1] > since[1]:
        usage["cpu_percent"] = round(max(0.0, (now[0] - since[0]) / (now[1] - since[1]) * 100), 1)

    status = _read_proc("/proc/self/status")
    rss = _kib(status, "VmRSS")
    vms = _kib(status, "VmSize")
    if rss is None:
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        rss = peak * 1024 if os.uname().sysname == "Linux" else peak  # KiB on Linux, bytes on macOS
    memory: dict[str, Any] = {"rss": round(rss / _MIB, 1)}
    if vms is not None:
        memory["vms"] = round(vms / _MIB, 1)
    total = _total_memory()
    if total:
        memory["percent"] = min(100.0, round(rss * 100 / total, 1))
    usage["memory"] = memory

    io = _read_proc("/proc/self/io")
    disk: dict[str, int] = {}
    for name in ("read_bytes", "write_bytes"):
        try:
            disk[name] = int(io[name])
        except (KeyError, ValueError):
            pass
    if disk:
        usage["disk_io"] = disk
    return usage, now


async def report_resources(
    component_id: str | None = None,
    instance_uuid: "str | uuid.UUID | None" = None,
    usage: dict[str, Any] | None = None,
    *,
    client: TektonClient | None = None,
) -> dict[str, Any]:
    """Reports resource usage once: ``usage`` as the API takes it, else this process's own figures
    (:func:`measure_process`, without ``cpu_percent``, which needs two readings: use
    :class:`ResourceReporter` for that). Raises on Tekton's errors."""
    if instance_uuid is None:
        instance_uuid = _instances.launched_instance()
    if component_id is None:
        if instance_uuid is None:
            raise ValueError("report_resources needs a component_id or an instance_uuid")
        component_id = _instances.component_of(instance_uuid)
    body = dict(usage) if usage is not None else measure_process()[0]
    return await resolve(client).report_resources(component_id, body, instance_uuid=instance_uuid)


class ResourceReporter:
    """Reports this process's resource usage to Tekton every ``interval`` seconds, the first report at once::

        reporter = ResourceReporter(component_id="my_component", instance_uuid=instance_uuid, interval=10)
        await reporter.start()
        ...
        await reporter.stop()

    ``reports`` counts the reports Tekton accepted, ``last_error`` is the latest failure (reporting goes on;
    ``on_error`` is called with it). ``measure`` may replace :func:`measure_process` with a callable that
    returns a usage dict.
    """

    def __init__(
        self,
        component_id: str | None = None,
        instance_uuid: "str | uuid.UUID | None" = None,
        interval: float = 10,
        *,
        client: TektonClient | None = None,
        on_error: Callable[[BaseException], Any] | None = None,
        measure: Callable[[], dict[str, Any]] | None = None,
    ) -> None:
        if not interval or interval <= 0:
            raise ValueError("interval must be a positive number of seconds")
        if instance_uuid is None:
            instance_uuid = _instances.launched_instance()
        if component_id is None:
            if instance_uuid is None:
                raise ValueError("ResourceReporter needs a component_id or an instance_uuid")
            component_id = _instances.component_of(instance_uuid)
        self.component_id = component_id
        self.instance_uuid = str(instance_uuid) if instance_uuid else None
        self.interval = float(interval)
        self.client = client
        self.on_error = on_error
        self._measure_override = measure
        self._since = measure_process()[1]
        self.reports = 0
        self.last_error: BaseException | None = None
        self.last_usage: dict[str, Any] | None = None
        self._task: asyncio.Task[None] | None = None

    @property
    def running(self) -> bool:
        return self._task is not None and not self._task.done()

    def measure(self) -> dict[str, Any]:
        """This process's figures now; CPU is the share of one core since the previous reading."""
        if self._measure_override is not None:
            usage = dict(self._measure_override())
        else:
            usage, self._since = measure_process(self._since)
        if self.instance_uuid:
            usage["instance_uuid"] = self.instance_uuid
        return usage

    async def start(self) -> None:
        """Starts reporting in the background. Starting a running reporter does nothing."""
        if not self.running:
            self._task = asyncio.get_running_loop().create_task(self._run(), name=f"tekton-resources-{self.component_id}")

    async def stop(self) -> None:
        """Stops reporting. Safe to call more than once."""
        task, self._task = self._task, None
        if task is not None:
            task.cancel()
            await asyncio.gather(task, return_exceptions=True)

    async def __aenter__(self) -> "ResourceReporter":
        await self.start()
        return self

    async def __aexit__(self, *exc: Any) -> None:
        await self.stop()

    async def _run(self) -> None:
        loop = asyncio.get_running_loop()
        next_at = loop.time()
        while True:
            try:
                usage = self.measure()
                await resolve(self.client).report_resources(self.component_id, usage)
                self.last_usage = usage
                self.reports += 1
            except asyncio.CancelledError:
                raise
            except Exception as error:  # noqa: BLE001 - reported, reporting goes on
                self.last_error = error
                logger.warning("resource report of %s failed: %s", self.component_id, error)
                if self.on_error is not None:
                    try:
                        await _maybe_await(self.on_error(error))
                    except Exception:  # noqa: BLE001
                        logger.exception("ResourceReporter on_error handler failed")
            next_at += self.interval
            now = loop.time()
            while next_at <= now:
                next_at += self.interval
            await asyncio.sleep(next_at - now)
