"""With auth on: api_key works, wrong or missing keys are 401/1008, roles are 403/1008, keys, tokens, the audit
trail, event sockets, and a launched Python component that uses the key Tekton gives it."""

from __future__ import annotations

import os
import sys
import unittest
from unittest import mock

from tests.support import ADMIN_KEY, PACKAGE_ROOT, SAMPLE, TektonServer, eventually, free_port, unique

from tekton.client import ComponentRegistration, TektonApiError, TektonClient

SERVER: TektonServer | None = None


def setUpModule() -> None:
    global SERVER
    SERVER = TektonServer(auth=True).start()


def tearDownModule() -> None:
    if SERVER is not None:
        SERVER.close()


def registration(component_id: str) -> ComponentRegistration:
    return ComponentRegistration(component_id=component_id, component_name=component_id, component_type="service", version="1.0.0")


class AuthTests(unittest.IsolatedAsyncioTestCase):
    async def asyncSetUp(self) -> None:
        self.admin = TektonClient(host="127.0.0.1", port=SERVER.port, api_key=ADMIN_KEY)

    async def asyncTearDown(self) -> None:
        await self.admin.close()

    async def assertApiError(self, awaitable, status: int, code: int) -> TektonApiError:
        with self.assertRaises(TektonApiError) as caught:
            await awaitable
        self.assertEqual((caught.exception.status, caught.exception.code), (status, code), str(caught.exception))
        return caught.exception

    async def test_the_api_key_works(self) -> None:
        cid = unique("authed")
        success, _ = await self.admin.register_component(registration(cid))
        self.assertTrue(success)
        self.assertIn(cid, [c["component_id"] for c in await self.admin.list_components()])

    async def test_the_key_comes_from_the_environment(self) -> None:
        with mock.patch.dict(os.environ, {"TEKTON_URL": SERVER.url, "TEKTON_API_KEY": ADMIN_KEY}):
            client = TektonClient()
        self.assertIsInstance(await client.list_components(), list)

    async def test_a_wrong_or_missing_key_is_401_with_code_1008(self) -> None:
        wrong = TektonClient(host="127.0.0.1", port=SERVER.port, api_key="tk_wrong-key-0000000000000000000000000000")
        error = await self.assertApiError(wrong.list_components(), 401, 1008)
        self.assertIn("1008", str(error))
        with mock.patch.dict(os.environ, {"TEKTON_API_KEY": ""}):
            anonymous = TektonClient(base_url=SERVER.url)
        await self.assertApiError(anonymous.get_component_status("engram"), 401, 1008)
        self.assertEqual((await anonymous.get_version())["api_version"], "v1")  # public

    async def test_roles_keys_tokens_and_the_audit_trail(self) -> None:
        name = unique("monitor")
        created = await self.admin.create_api_key(name, "monitor")
        self.assertTrue(created["api_key"].startswith("tk_"))
        self.assertEqual((created["name"], created["role"], created["component_id"]), (name, "monitor", None))
        keys = await self.admin.list_api_keys()
        listed = next(k for k in keys if k["id"] == created["id"])
        self.assertEqual(listed["prefix"], created["api_key"][:11])
        self.assertNotIn("api_key", listed)

        monitor = TektonClient(base_url=SERVER.url, api_key=created["api_key"])
        self.assertIsInstance(await monitor.list_components(), list)
        await self.assertApiError(monitor.register_component(registration(unique("nope"))), 403, 1008)
        await self.assertApiError(monitor.list_api_keys(), 403, 1008)

        token = await monitor.issue_token()
        self.assertEqual((token["token_type"], token["role"]), ("Bearer", "monitor"))
        self.assertGreater(token["expires_in"], 0)
        by_token = TektonClient(base_url=SERVER.url, api_key=token["access_token"])
        self.assertIsInstance(await by_token.get_dependency_graph(), dict)
        await self.assertApiError(self.admin.issue_token("tk_unknown-000000000000000000000000000000000"), 401, 1008)

        self.assertTrue((await self.admin.revoke_api_key(created["id"]))["success"])
        await self.assertApiError(monitor.list_components(), 401, 1008)
        await self.assertApiError(by_token.list_components(), 401, 1008)
        await self.assertApiError(self.admin.revoke_api_key("key_unknown"), 404, 1000)

        trail = await self.admin.get_audit_trail(limit=50)
        self.assertIn("next_before_id", trail)
        actions = {(e["action"], e["outcome"]) for e in trail["entries"]}
        self.assertIn(("CreateApiKey", "allowed"), actions)
        denied = await eventually(lambda: self._denied(), message="refusals in the audit trail")
        self.assertTrue(all(e["outcome"] == "denied" for e in denied))

    async def _denied(self):
        return (await self.admin.get_audit_trail(limit=10, outcome="denied"))["entries"]

    async def test_a_component_key_acts_only_for_its_component(self) -> None:
        mine, other = unique("mine"), unique("other")
        created = await self.admin.create_api_key(unique("ckey"), "component", component_id=mine)
        component = TektonClient(base_url=SERVER.url, api_key=created["api_key"])
        success, instance = await component.register_component(registration(mine))
        self.assertTrue(success)
        self.assertEqual((await component.send_heartbeat(mine, instance, status="ready"))["status"], "ready")
        await self.assertApiError(component.register_component(registration(other)), 403, 1008)
        await self.assertApiError(component.start_component(mine), 403, 1008)
        await self.admin.revoke_api_key(created["id"])

    async def test_event_sockets_take_the_key(self) -> None:
        events = []
        subscription = await self.admin.subscribe_to_state_changes(["all"], events.append)
        cid = unique("socket")
        await self.admin.register_component(registration(cid))
        await eventually(lambda: any(e["component_id"] == cid for e in events), message="the registration event")
        await subscription.unsubscribe()
        wrong = TektonClient(base_url=SERVER.url, api_key="tk_wrong-key-0000000000000000000000000000")
        await self.assertApiError(wrong.subscribe_to_heartbeats("all", events.append), 401, 1008)

    async def test_a_launched_python_component_uses_the_key_tekton_gives_it(self) -> None:
        cid = unique("pyauth")
        await self.admin.register_component({
            "component_id": cid, "component_name": "Python sample", "component_type": "service", "version": "1.0.0",
            "launch": {"command": sys.executable, "args": [str(SAMPLE), "--id", cid, "--port", str(free_port()),
                                                          "--heartbeat-interval", "1"],
                       "env": {"PYTHONPATH": str(PACKAGE_ROOT)}, "stop_timeout": 20}})
        self.assertIs(await self.admin.start_component(cid, wait=True), True)
        await eventually(lambda: self._registered_itself(cid), message="the sample's own registration and heartbeat")
        self.assertEqual((await self.admin.stop_component(cid))["message"], "Component stopped successfully")
        # The stop answers once the process has ended; its exit code is recorded by Tekton's process watcher,
        # which may run a moment after the answer when the component reported 'stopped' itself (a server race).
        instance = await eventually(lambda: self._exited(cid), message="the exit code recorded")
        self.assertEqual((instance["status"], instance["exit_code"]), ("stopped", 0))
        self.assertIn("stopped", (await self.admin.get_component_logs(cid))["lines"])

    async def _exited(self, cid: str):
        instance = (await self.admin.get_component(cid))["instances"][0]
        return instance if instance["exit_code"] is not None else None

    async def _registered_itself(self, cid: str) -> bool:
        details = await self.admin.get_component(cid)
        return details["health_check"] == "/health" and details["instances"][0]["last_heartbeat"] is not None


if __name__ == "__main__":
    unittest.main()
