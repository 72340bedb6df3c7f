"""Retries, Retry-After and Idempotency-Key, against a scripted HTTP server (no Tekton needed)."""

from __future__ import annotations

import asyncio
import time
import unittest
import uuid

from tests.scripted import ScriptedServer, Step, problem

from tekton.client import ComponentRegistration, RetryPolicy, TektonApiError, TektonClient, TektonConnectionError, TektonTimeoutError
from tekton.utils.tekton_client import listen_for_shutdown

REGISTERED = {"success": True, "message": "Component registered successfully", "instance_uuid": "550e8400-e29b-41d4-a716-446655440000"}
FAST = RetryPolicy(max_attempts=4, base_delay=0.01, max_delay=0.05, max_retry_after=2)


def registration() -> ComponentRegistration:
    return ComponentRegistration(component_id="my_component", component_name="My Custom Component",
                                 component_type="service", version="1.0.0")


class RetryTests(unittest.IsolatedAsyncioTestCase):
    def client(self, server: ScriptedServer, **options) -> TektonClient:
        options.setdefault("retries", FAST)
        return TektonClient(base_url=server.url, **options)

    async def test_503_then_200_retries_the_registration_with_the_same_idempotency_key(self) -> None:
        with ScriptedServer([Step(503, problem(503, 1000)), Step(201, REGISTERED)]) as server:
            success, instance = await self.client(server).register_component(registration())
        self.assertTrue(success)
        self.assertEqual(instance, REGISTERED["instance_uuid"])
        self.assertEqual(len(server.requests), 2)
        keys = {r.headers["Idempotency-Key"] for r in server.requests}
        self.assertEqual(len(keys), 1)
        self.assertTrue(next(iter(keys)))
        self.assertEqual(server.requests[0].body, server.requests[1].body)
        self.assertEqual(server.requests[0].json()["component_id"], "my_component")
        self.assertEqual(server.requests[0].headers["Content-Type"], "application/json")

    async def test_each_registration_gets_its_own_key_unless_given(self) -> None:
        with ScriptedServer([Step(200, REGISTERED)]) as server:
            client = self.client(server)
            await client.register_component(registration())
            await client.register_component(registration())
            await client.register_component(registration(), idempotency_key="mine-1")
        keys = [r.headers["Idempotency-Key"] for r in server.requests]
        self.assertNotEqual(keys[0], keys[1])
        self.assertEqual(keys[2], "mine-1")

    async def test_transient_statuses_and_dropped_connections_are_retried(self) -> None:
        script = [Step(429, problem(429, 1007), {"Retry-After": "0"}), Step(502, b"bad gateway", content_type="text/plain"),
                  Step(drop=True), Step(200, {"version": "1.0.0"})]
        with ScriptedServer(script) as server:
            self.assertEqual((await self.client(server).get_version())["version"], "1.0.0")
        self.assertEqual(len(server.requests), 4)

    async def test_504_without_1006_is_retried(self) -> None:
        with ScriptedServer([Step(504, problem(504, 1000)), Step(200, {"ok": True})]) as server:
            self.assertEqual(await self.client(server).get_version(), {"ok": True})
        self.assertEqual(len(server.requests), 2)

    async def test_definite_answers_are_not_retried(self) -> None:
        cases = [(503, 1010), (504, 1006), (400, 1002), (404, 1001), (409, 1012), (500, 1000), (401, 1008)]
        for status, code in cases:
            with self.subTest(status=status, code=code):
                with ScriptedServer([Step(status, problem(status, code)), Step(200, {})]) as server:
                    with self.assertRaises(TektonApiError) as caught:
                        await self.client(server).get_version()
                self.assertEqual((caught.exception.status, caught.exception.code), (status, code))
                self.assertEqual(len(server.requests), 1)

    async def test_attempts_run_out(self) -> None:
        with ScriptedServer([Step(503, problem(503, 1000, "busy"))]) as server:
            with self.assertRaises(TektonApiError) as caught:
                await self.client(server).get_version()
        self.assertEqual(len(server.requests), 4)
        self.assertEqual(caught.exception.status, 503)
        self.assertIn("busy", str(caught.exception))

    async def test_retries_can_be_turned_off_or_counted(self) -> None:
        with ScriptedServer([Step(503, problem(503, 1000))]) as server:
            with self.assertRaises(TektonApiError):
                await TektonClient(base_url=server.url, retries=0).get_version()
            self.assertEqual(len(server.requests), 1)
        with ScriptedServer([Step(503, problem(503, 1000), {"Retry-After": "0"})]) as server:
            with self.assertRaises(TektonApiError):
                await TektonClient(base_url=server.url, retries=2).get_version()
            self.assertEqual(len(server.requests), 3)

    async def test_retry_after_is_honoured_up_to_the_maximum(self) -> None:
        with ScriptedServer([Step(503, problem(503, 1000), {"Retry-After": "1"}), Step(200, {})]) as server:
            began = time.monotonic()
            await self.client(server).get_version()
            self.assertGreaterEqual(time.monotonic() - began, 0.95)
        self.assertEqual(len(server.requests), 2)
        with ScriptedServer([Step(429, problem(429, 1007), {"Retry-After": "120"}), Step(200, {})]) as server:
            with self.assertRaises(TektonApiError) as caught:
                await self.client(server).get_version()
        self.assertEqual(caught.exception.retry_after, 120)
        self.assertEqual(len(server.requests), 1, "a Retry-After beyond max_retry_after ends the retries")

    async def test_creating_an_api_key_is_never_retried(self) -> None:
        with ScriptedServer([Step(503, problem(503, 1000)), Step(201, {"id": "key_1"})]) as server:
            with self.assertRaises(TektonApiError):
                await self.client(server).create_api_key("name", "monitor")
        self.assertEqual(len(server.requests), 1)
        with ScriptedServer([Step(drop=True), Step(201, {"id": "key_1"})]) as server:
            with self.assertRaises(TektonConnectionError):
                await self.client(server).create_api_key("name", "monitor")
        self.assertEqual(len(server.requests), 1)

    async def test_a_slow_answer_times_out_and_is_retried(self) -> None:
        with ScriptedServer([Step(200, {"slow": True}, delay=1.5), Step(200, {"slow": False})]) as server:
            self.assertEqual(await self.client(server, timeout=0.5).get_version(), {"slow": False})
        with ScriptedServer([Step(200, {}, delay=1.5)]) as server:
            with self.assertRaises(TektonTimeoutError):
                await TektonClient(base_url=server.url, timeout=0.5, retries=0).get_version()

    async def test_requests_carry_the_key_and_the_user_agent(self) -> None:
        with ScriptedServer([Step(200, {"components": []})]) as server:
            await self.client(server, api_key="tk_secret").list_components(status="ready", type="llm", capability="a b")
        request = server.requests[0]
        self.assertEqual(request.headers["Authorization"], "Bearer tk_secret")
        self.assertTrue(request.headers["User-Agent"].startswith("tekton-python/"))
        self.assertEqual(request.path, "/api/tekton/components?status=ready&type=llm&capability=a+b")

    async def test_a_start_without_a_body_and_a_204_signal(self) -> None:
        with ScriptedServer([Step(200, {"success": True, "message": "Component starting", "instance_uuid": "x"}),
                             Step(204)]) as server:
            client = self.client(server)
            self.assertIs(await client.start_component("rhetor", dependency_timeout=2.5), True)
            self.assertIsNone(await client.wait_for_signal("rhetor", uuid.UUID(int=1), wait=99))
        start, signal = server.requests
        self.assertEqual((start.method, start.path, start.body), ("POST", "/api/tekton/components/rhetor/start?dependency_timeout=2.5", b""))
        self.assertEqual(signal.path, "/api/tekton/components/rhetor/instances/00000000-0000-0000-0000-000000000001/signals?wait=60")

    async def test_listen_for_shutdown_retries_connection_errors_with_back_off(self) -> None:
        signal = {"signal": "shutdown", "force": False, "timeout": 30, "requested_at": "2026-01-01T00:00:00Z"}
        script = [Step(drop=True), Step(503, problem(503, 1000)), Step(204), Step(drop=True), Step(200, signal)]
        with ScriptedServer(script) as server:
            client = TektonClient(base_url=server.url, retries=0)
            event = asyncio.Event()
            got = await asyncio.wait_for(listen_for_shutdown(
                component_id="my_component", instance_uuid=str(uuid.uuid4()), shutdown_event=event, client=client), 20)
        self.assertEqual(got, signal)
        self.assertTrue(event.is_set())
        self.assertEqual(len(server.requests), 5)

    async def test_listen_for_shutdown_gives_up_on_a_client_error(self) -> None:
        with ScriptedServer([Step(404, problem(404, 1001))]) as server:
            with self.assertRaises(TektonApiError) as caught:
                await listen_for_shutdown(component_id="gone", instance_uuid=str(uuid.uuid4()),
                                          client=TektonClient(base_url=server.url, retries=0))
        self.assertEqual(caught.exception.code, 1001)


class RetryPolicyTests(unittest.TestCase):
    def test_full_jitter_stays_under_the_ceiling(self) -> None:
        policy = RetryPolicy(base_delay=0.2, max_delay=5)
        for retry, ceiling in [(1, 0.2), (2, 0.4), (3, 0.8), (10, 5.0)]:
            delays = [policy.delay_before(retry) for _ in range(200)]
            self.assertTrue(all(0 <= d <= ceiling for d in delays))
            self.assertGreater(max(delays) - min(delays), 0)
        self.assertEqual(policy.delay_before(1, retry_after=3), 3)
        self.assertLessEqual(policy.delay_before(1, retry_after=60), 0.2)

    def test_of(self) -> None:
        self.assertEqual(RetryPolicy.of(None).max_attempts, 4)
        self.assertEqual(RetryPolicy.of(0).max_attempts, 1)
        self.assertEqual(RetryPolicy.of(5).max_attempts, 6)


if __name__ == "__main__":
    unittest.main()
