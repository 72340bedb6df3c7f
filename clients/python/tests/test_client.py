"""Every TektonClient method against a real Tekton (auth off), and the errors with their codes."""

from __future__ import annotations

import asyncio
import os
import time
import unittest
import uuid
from unittest import mock

from tests.support import TektonServer, eventually, free_port, unique

from tekton.client import (
    ComponentRegistration,
    LaunchSpec,
    RegistrationResult,
    TektonApiError,
    TektonClient,
    TektonConnectionError,
)

SERVER: TektonServer | None = None


def setUpModule() -> None:
    global SERVER
    SERVER = TektonServer().start()


def tearDownModule() -> None:
    if SERVER is not None:
        SERVER.close()


def registration(component_id: str, **fields) -> ComponentRegistration:
    return ComponentRegistration(component_id=component_id, component_name=f"{component_id} (test)",
                                 component_type=fields.pop("component_type", "service"), version="1.0.0", **fields)


class ClientTestCase(unittest.IsolatedAsyncioTestCase):
    async def asyncSetUp(self) -> None:
        self.client = SERVER.client()

    async def asyncTearDown(self) -> None:
        await self.client.close()

    async def assertApiError(self, awaitable, status: int, code: int) -> TektonApiError:
        with self.assertRaises(TektonApiError) as caught:
            await awaitable
        self.assertEqual((caught.exception.status, caught.exception.code), (status, code), str(caught.exception))
        return caught.exception


class ConstructionTests(unittest.TestCase):
    def test_host_and_port_make_the_base_url(self) -> None:
        self.assertEqual(TektonClient(host="localhost", port=8010).base_url, "http://localhost:8010/")
        self.assertEqual(TektonClient(host="::1", port=9).base_url, "http://[::1]:9/")
        self.assertEqual(TektonClient(port=8123).base_url, "http://localhost:8123/")

    def test_environment_gives_the_url_and_the_key(self) -> None:
        with mock.patch.dict(os.environ, {"TEKTON_URL": "http://10.1.2.3:9999", "TEKTON_API_KEY": "tk_env"}):
            client = TektonClient()
            self.assertEqual(client.base_url, "http://10.1.2.3:9999/")
            self.assertEqual(client.api_key, "tk_env")
            self.assertEqual(TektonClient(host="h", port=1).base_url, "http://h:1/")
            self.assertIsNone(TektonClient(api_key="").api_key)
        with mock.patch.dict(os.environ, {}, clear=True):
            self.assertEqual(TektonClient().base_url, "http://localhost:8010/")
            self.assertIsNone(TektonClient().api_key)

    def test_base_url_and_host_conflict(self) -> None:
        with self.assertRaises(ValueError):
            TektonClient(host="a", base_url="http://b:1")
        with self.assertRaises(ValueError):
            TektonClient(base_url="ftp://x")
        with self.assertRaises(ValueError):
            TektonClient(retries=-1)


class ComponentTests(ClientTestCase):
    async def test_register_answers_a_tuple_with_details(self) -> None:
        cid = unique("reg")
        result = await self.client.register_component(registration(cid, capabilities=["x"], dependencies=["ghost-dep"]))
        success, instance_uuid = result
        self.assertIsInstance(result, RegistrationResult)
        self.assertTrue(success)
        self.assertEqual(str(uuid.UUID(instance_uuid)), instance_uuid)
        self.assertTrue(result.created)
        self.assertEqual(result.message, "Component registered successfully")
        self.assertEqual(result.warnings, ["dependencies not registered: ghost-dep"])
        again = await self.client.register_component(registration(cid))
        self.assertFalse(again.created)
        self.assertNotEqual(again.instance_uuid, instance_uuid)
        self.assertEqual(again.warnings, [])

    async def test_register_takes_a_dict_and_a_launch_spec(self) -> None:
        cid = unique("launchspec")
        await self.client.register_component(registration(cid, launch=LaunchSpec(command="sleep", args=["60"], stop_timeout=5)))
        details = await self.client.get_component(cid)
        self.assertEqual(details["launch"]["command"], "sleep")
        self.assertEqual(details["launch"]["stop_timeout"], 5)
        self.assertEqual(details["launch"]["restart"], "on-failure")
        other = unique("dict")
        success, _ = await self.client.register_component({
            "component_id": other, "component_name": "d", "component_type": "service", "version": "2.0.0",
            "port": None, "metadata": {"k": "v"}})
        self.assertTrue(success)
        self.assertEqual((await self.client.get_component(other))["metadata"], {"k": "v"})

    async def test_idempotency_key_replays_the_first_answer(self) -> None:
        cid = unique("idem")
        key = uuid.uuid4().hex
        first = await self.client.register_component(registration(cid), idempotency_key=key)
        second = await self.client.register_component(registration(cid), idempotency_key=key)
        self.assertEqual(first.instance_uuid, second.instance_uuid)
        self.assertEqual(len((await self.client.get_component(cid))["instances"]), 1)
        error = await self.assertApiError(
            self.client.register_component(registration(cid, port=1234), idempotency_key=key), 400, 1002)
        self.assertIn("idempotency_key", error.errors)

    async def test_validation_errors_carry_1002_and_the_fields(self) -> None:
        error = await self.assertApiError(self.client.register_component(
            ComponentRegistration(component_id="-bad", component_name="", component_type="Service", version="one")), 400, 1002)
        self.assertEqual(set(error.errors), {"component_id", "component_name", "component_type", "version"})
        self.assertIs(error.problem["success"], False)
        self.assertTrue(error.detail.startswith("The request is invalid"))
        self.assertEqual(error.title, "The request is invalid.")
        self.assertIsNotNone(error.get("trace_id"))

    async def test_another_type_is_1011(self) -> None:
        cid = unique("typed")
        await self.client.register_component(registration(cid, component_type="memory"))
        error = await self.assertApiError(self.client.register_component(registration(cid, component_type="llm")), 409, 1011)
        self.assertEqual(error.get("existing_type"), "memory")

    async def test_list_find_get_status_and_deregister(self) -> None:
        kind = "t" + uuid.uuid4().hex[:8]
        first, second = unique("list-a"), unique("list-b")
        _, first_uuid = await self.client.register_component(registration(first, component_type=kind, capabilities=["cap_" + kind]))
        await self.client.register_component(registration(second, component_type=kind))
        listed = await self.client.list_components(type=kind)
        self.assertEqual([c["component_id"] for c in listed], [first, second])
        self.assertEqual([c["component_id"] for c in await self.client.find_components_by_capability("cap_" + kind)], [first])
        self.assertEqual([c["component_id"] for c in await self.client.list_components(type=kind, status="ready")], [])
        await self.assertApiError(self.client.list_components(status="bogus"), 400, 1000)

        details = await self.client.get_component(first)
        self.assertEqual(details["component_type"], kind)
        self.assertEqual(details["instances"][0]["instance_uuid"], first_uuid)
        status = await self.client.get_component_status(first)
        self.assertEqual(status["status"], "registered")
        self.assertEqual(status["health_status"]["overall"], "unknown")

        answer = await self.client.deregister_component(second)
        self.assertTrue(answer["success"])
        await self.assertApiError(self.client.get_component(second), 404, 1001)
        await self.assertApiError(self.client.get_component_status(second), 404, 1001)
        await self.assertApiError(self.client.deregister_component(second), 404, 1001)

    async def test_ids_are_escaped_in_paths(self) -> None:
        await self.assertApiError(self.client.get_component("a/b?c=d"), 404, 1001)


class LifecycleTests(ClientTestCase):
    async def test_heartbeat_status_metrics_and_health(self) -> None:
        cid = unique("hb")
        _, instance = await self.client.register_component(registration(cid))
        answer = await self.client.send_heartbeat(cid, instance, status="ready", metrics={"cpu_percent": 1.5},
                                                  health={"database": "healthy"})
        self.assertEqual(answer["status"], "ready")
        self.assertEqual(answer["instance_uuid"], instance)
        status = await self.client.get_component_status(cid)
        self.assertEqual(status["health_status"], {"overall": "healthy", "database": "healthy"})
        self.assertIsNotNone(status["last_heartbeat"])
        # The health map is the latest heartbeat's: one without health clears it.
        self.assertEqual((await self.client.send_heartbeat(cid))["status"], "ready")
        self.assertEqual((await self.client.get_component_status(cid))["health_status"], {"overall": "healthy"})
        await self.assertApiError(self.client.send_heartbeat(cid, status="registered"), 409, 1012)
        await self.assertApiError(self.client.send_heartbeat(unique("nobody")), 404, 1001)
        await self.assertApiError(self.client.send_heartbeat(cid, uuid.uuid4()), 404, 1001)

    async def test_state_changes_and_forbidden_transitions(self) -> None:
        cid = unique("state")
        _, instance = await self.client.register_component(registration(cid))
        answer = await self.client.change_instance_state(cid, instance, "ready", "warmed up")
        self.assertEqual((answer["previous_state"], answer["new_state"]), ("registered", "ready"))
        answer = await self.client.change_instance_state(cid, uuid.UUID(instance), "degraded")
        self.assertEqual(answer["new_state"], "degraded")
        error = await self.assertApiError(self.client.change_instance_state(cid, instance, "initializing"), 409, 1012)
        self.assertEqual(error.get("current_state"), "degraded")
        self.assertEqual(error.get("allowed_states"), ["failed", "ready", "stopping"])
        await self.assertApiError(self.client.change_instance_state(cid, instance, "sleepy"), 400, 1000)
        with self.assertRaises(ValueError):
            await self.client.change_instance_state(cid, "not-a-uuid", "ready")

    async def test_start_wait_logs_and_stop(self) -> None:
        cid = unique("proc")
        await self.client.register_component(registration(cid, launch={
            "command": "sh", "args": ["-c", "echo hello from $TEKTON_COMPONENT_ID; exec sleep 60"], "stop_timeout": 5}))
        started = await self.client.start_component(cid, wait=True, full_response=True)
        self.assertEqual(started["message"], "Component started")
        self.assertIs(await self.client.start_component(cid), True)  # already running
        logs = await eventually(lambda: self._logs_with(cid, f"hello from {cid}"), message="the process output")
        self.assertEqual(logs["instance_uuid"], started["instance_uuid"])
        self.assertEqual((await self.client.get_component_logs(cid, tail=1, instance_uuid=started["instance_uuid"]))["lines"],
                         [f"hello from {cid}"])
        stopped = await self.client.stop_component(cid, timeout=5)
        self.assertEqual(stopped, {"success": True, "message": "Component stopped successfully"})
        instance = (await self.client.get_component(cid))["instances"][0]
        self.assertEqual(instance["status"], "stopped")
        self.assertEqual((await self.client.stop_component(cid))["message"], "Component already stopped")
        await self.assertApiError(self.client.get_component_logs(cid, tail=0), 400, 1000)

    async def _logs_with(self, cid: str, line: str):
        logs = await self.client.get_component_logs(cid)
        return logs if line in logs["lines"] else None

    async def test_start_errors_carry_their_codes(self) -> None:
        plain = unique("nolaunch")
        await self.client.register_component(registration(plain))
        await self.assertApiError(self.client.start_component(plain), 409, 1004)
        await self.assertApiError(self.client.start_component(unique("unknown")), 404, 1001)
        broken = unique("broken")
        await self.client.register_component(registration(broken, launch={"command": "sh", "args": ["-c", "exit 7"], "restart": "no"}))
        error = await self.assertApiError(self.client.start_component(broken, wait=True), 409, 1004)
        self.assertEqual(error.get("exit_code"), 7)
        lonely = unique("lonely")
        await self.client.register_component(registration(lonely, dependencies=["ghost-" + lonely], launch={"command": "sleep", "args": ["1"]}))
        error = await self.assertApiError(self.client.start_component(lonely), 409, 1003)
        self.assertEqual(error.get("missing_dependencies"), [f"ghost-{lonely} (needed by {lonely})"])
        a, b = unique("cyc-a"), unique("cyc-b")
        await self.client.register_component(registration(a, dependencies=[b], launch={"command": "sleep", "args": ["1"]}))
        await self.client.register_component(registration(b, dependencies=[a]))
        error = await self.assertApiError(self.client.start_component(a), 409, 1005)
        self.assertEqual(sorted(error.get("cycle")), sorted([a, b]))
        waiter, nolaunch = unique("waiter"), unique("dep")
        await self.client.register_component(registration(nolaunch))
        await self.client.register_component(registration(waiter, dependencies=[nolaunch], launch={"command": "sleep", "args": ["60"]}))
        error = await self.assertApiError(self.client.start_component(waiter, wait=True, dependency_timeout=0.5), 409, 1003)
        self.assertEqual(error.get("dependency"), nolaunch)

    async def test_signals_and_a_stop_that_times_out(self) -> None:
        cid = unique("self-run")
        _, instance = await self.client.register_component(registration(cid))
        self.assertIsNone(await self.client.wait_for_signal(cid, instance, wait=0))
        began = time.monotonic()
        self.assertIsNone(await self.client.wait_for_signal(cid, instance, wait=1))
        self.assertGreaterEqual(time.monotonic() - began, 0.9)
        await self.client.send_heartbeat(cid, instance, status="ready")  # a sign of running: a stop must wait
        began = time.monotonic()
        error = await self.assertApiError(self.client.stop_component(cid, timeout=1), 504, 1006)
        self.assertLess(time.monotonic() - began, 5, "504 with code 1006 is a definite answer, not retried")
        self.assertIn("did not report", error.detail)
        signal = await self.client.wait_for_signal(cid, instance, wait=5)
        self.assertEqual(signal["signal"], "shutdown")
        self.assertEqual(signal["force"], False)
        self.assertEqual(signal["timeout"], 1)
        self.assertEqual((await self.client.get_component_status(cid))["status"], "stopping")
        await self.assertApiError(self.client.wait_for_signal(cid, uuid.uuid4(), wait=0), 404, 1001)

    async def test_stop_with_running_dependents_is_1003(self) -> None:
        base, top = unique("base"), unique("top")
        await self.client.register_component(registration(base))
        await self.client.register_component(registration(top, dependencies=[base]))
        await self.client.send_heartbeat(base, status="ready")
        await self.client.send_heartbeat(top, status="ready")
        error = await self.assertApiError(self.client.stop_component(base), 409, 1003)
        self.assertEqual(error.get("running_dependents"), [top])
        self.assertTrue((await self.client.stop_component(base, force=True, timeout=0))["success"])

    async def test_heartbeat_task_sends_until_stopped(self) -> None:
        cid = unique("loop")
        _, instance = await self.client.register_component(registration(cid))
        task = self.client.start_heartbeat(cid, interval=0.2, instance_uuid=instance, status="ready",
                                           metrics=lambda: {"tick": time.monotonic()})
        await eventually(lambda: task.sent >= 3, message="three heartbeats")
        self.assertEqual(task.last_result["status"], "ready")
        await task.stop()
        await task.stop()
        sent = task.sent
        await asyncio.sleep(0.5)
        self.assertEqual(task.sent, sent)
        self.assertEqual(task.failed, 0)
        errors = []
        failing = self.client.start_heartbeat(unique("ghost"), interval=0.2, on_error=errors.append)
        await eventually(lambda: failing.failed >= 2, message="two failed heartbeats")
        await failing.stop()
        self.assertEqual(errors[0].code, 1001)
        self.assertEqual(failing.sent, 0)


class GraphTests(ClientTestCase):
    async def test_dependency_graph_and_component_dependencies(self) -> None:
        hermes, engram, rhetor = unique("hermes"), unique("engram"), unique("rhetor")
        await self.client.register_component(registration(hermes))
        await self.client.register_component(registration(engram, dependencies=[hermes]))
        await self.client.register_component(registration(rhetor, dependencies=[hermes, engram, "ghost-" + rhetor]))
        graph = await self.client.get_dependency_graph()
        self.assertEqual(graph["dependencies"][rhetor], [hermes, engram, "ghost-" + rhetor])
        order = graph["startup_order"]
        self.assertLess(order.index(hermes), order.index(engram))
        self.assertLess(order.index(engram), order.index(rhetor))
        self.assertEqual(graph["missing_dependencies"][rhetor], ["ghost-" + rhetor])
        self.assertIsInstance(graph["circular_dependencies"], list)
        deps = await self.client.get_component_dependencies(engram)
        self.assertEqual(deps, {"component_id": engram, "depends_on": [hermes], "dependent_components": [rhetor]})
        await self.assertApiError(self.client.get_component_dependencies(unique("none")), 404, 1001)


class ResourceTests(ClientTestCase):
    async def test_system_resources_and_history(self) -> None:
        resources = await self.client.get_system_resources()
        self.assertGreater(resources["cpu"]["cores"], 0)
        self.assertGreater(resources["memory"]["total"], 0)
        self.assertIn("percent", resources["disk"])
        self.assertIsInstance(resources["gpu"], list)
        self.assertTrue(resources["timestamp"].endswith("Z"))
        history = await eventually(self._history, message="a resource sample")
        self.assertEqual(history["minutes"], 1)
        self.assertIn("cpu", history["samples"][0])
        self.assertGreater((await self.client.get_resource_history())["interval"], 0)
        await self.assertApiError(self.client.get_resource_history(minutes=0), 400, 1000)

    async def _history(self):
        history = await self.client.get_resource_history(minutes=1)
        return history if history["samples"] else None

    async def test_reported_resources(self) -> None:
        cid = unique("res")
        _, instance = await self.client.register_component(registration(cid))
        before = await self.client.get_component_resources(cid)
        self.assertIsNone(before["resource_usage"]["memory"])
        answer = await self.client.report_resources(
            cid, {"cpu_percent": 25.3, "memory": {"rss": 512.0, "vms": 1024.0, "percent": 12.5}},
            instance_uuid=instance, network={"bytes_sent": 1024, "bytes_recv": 2048},
            disk_io={"read_bytes": 1, "write_bytes": 2}, gpu={"id": 0, "memory_used": 2.1})
        self.assertEqual(answer, {"success": True, "message": "Resource usage recorded"})
        usage = await self.client.get_component_resources(cid)
        self.assertEqual(usage["resource_usage"]["cpu_percent"], 25.3)
        self.assertEqual(usage["resource_usage"]["memory"]["rss"], 512.0)
        self.assertEqual(usage["resource_usage"]["network"], {"bytes_sent": 1024, "bytes_recv": 2048})
        self.assertEqual(usage["sources"]["network"], "reported")
        self.assertIsNotNone(usage["reported_at"])
        await self.assertApiError(self.client.report_resources(cid, cpu_percent=-1), 400, 1000)
        await self.assertApiError(self.client.report_resources(unique("none"), cpu_percent=1), 404, 1001)


class ModelTests(ClientTestCase):
    async def test_models_routing_and_capabilities(self) -> None:
        suffix = uuid.uuid4().hex[:8]
        small, big = f"small-{suffix}", f"local/big-{suffix}:70b"
        cap = f"cap_{suffix}"
        created = await self.client.add_model(id=small, provider="ollama", capabilities=[cap, "text_generation"], tier=1,
                                              context_window=4096)
        self.assertEqual((created["id"], created["source"], created["status"]), (small, "api", "available"))
        await self.client.add_model({"id": big, "provider": "vllm", "capabilities": [cap], "tier": 3,
                                     "context_window": 32768, "endpoint": "http://127.0.0.1:9000/v1", "priority": 1})
        self.assertEqual((await self.client.get_model(big))["endpoint"], "http://127.0.0.1:9000/v1")
        self.assertEqual([m["id"] for m in await self.client.list_models(capability=cap)], sorted([small, big]))
        self.assertEqual([m["id"] for m in await self.client.list_models(capability=cap, provider="vllm")], [big])

        route = await self.client.route_task(task_type=cap, complexity="high", context_length=5000)
        self.assertEqual(route["selected_model"], big)
        self.assertEqual(route["endpoint"], "http://127.0.0.1:9000/v1")
        route = await self.client.route_task(cap, complexity="low", requirements={"min_tier": 1}, fallback=False)
        self.assertEqual((route["selected_model"], route["fallback_models"]), (small, []))
        error = await self.assertApiError(self.client.route_task(cap, context_length=10**6), 404, 1009)
        self.assertTrue(error.get("ruled_out"))

        updated = await self.client.put_model(big, provider="vllm", capabilities=[cap], tier=3, context_window=32768,
                                              status="unavailable")
        self.assertEqual(updated["status"], "unavailable")
        await self.client.delete_model(small)
        began = time.monotonic()
        error = await self.assertApiError(self.client.route_task(cap), 503, 1010)
        self.assertLess(time.monotonic() - began, 5, "503 with code 1010 is not retried")
        self.assertEqual(error.retry_after, 30)
        self.assertEqual(error.get("unavailable"), [big])
        await self.assertApiError(self.client.get_model(small), 404, 1000)
        await self.client.delete_model(big)

        capabilities = await self.client.get_capabilities()
        self.assertIn("text_generation", [c["id"] for c in capabilities])

    async def test_version_readiness_and_metrics(self) -> None:
        version = await self.client.get_version()
        self.assertEqual(version["api_version"], "v1")
        self.assertRegex(version["version"], r"^\d+\.\d+\.\d+")
        self.assertTrue(await self.client.is_ready())
        self.assertIn("tekton_components", await self.client.get_metrics())
        self.assertFalse(await TektonClient(host="127.0.0.1", port=free_port(), retries=0).is_ready())


class ErrorTests(ClientTestCase):
    async def test_unreachable_tekton_raises_a_connection_error(self) -> None:
        client = TektonClient(host="127.0.0.1", port=free_port(), retries=1)
        with self.assertRaises(TektonConnectionError) as caught:
            await client.get_version()
        self.assertIsInstance(caught.exception, ConnectionError)

    async def test_unknown_route_and_method(self) -> None:
        error = await self.assertApiError(self.client._call("GET", "api/tekton/nothing-here"), 404, 1000)
        self.assertEqual(error.problem["status"], 404)
        await self.assertApiError(self.client._call("PATCH", "api/tekton/version", {}), 405, 1000)


if __name__ == "__main__":
    unittest.main()
