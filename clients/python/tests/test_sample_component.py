"""The Python sample component: launched and stopped by Tekton, run on its own, and stopped by SIGTERM."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import unittest

from tests.support import PACKAGE_ROOT, SAMPLE, TektonServer, eventually, free_port, stop_process, unique

SERVER: TektonServer | None = None


def setUpModule() -> None:
    global SERVER
    SERVER = TektonServer().start()


def tearDownModule() -> None:
    if SERVER is not None:
        SERVER.close()


def sample_args(component_id: str, port: int, *extra: str) -> list[str]:
    return [str(SAMPLE), "--id", component_id, "--port", str(port), "--heartbeat-interval", "1", "--report-interval", "1", *extra]


class SampleComponentTests(unittest.IsolatedAsyncioTestCase):
    async def asyncSetUp(self) -> None:
        self.client = SERVER.client()

    async def asyncTearDown(self) -> None:
        await self.client.close()

    async def component(self, component_id: str):
        return await self.client.get_component(component_id)

    async def test_tekton_launches_it_it_becomes_ready_heartbeats_and_stops_gracefully(self) -> None:
        cid, dependency = unique("pysample"), unique("pydep")
        _, dep_instance = await self.client.register_component({
            "component_id": dependency, "component_name": "dependency", "component_type": "memory", "version": "1.0.0"})
        await self.client.send_heartbeat(dependency, dep_instance, status="ready")
        await self.client.register_component({
            "component_id": cid, "component_name": "Python sample", "component_type": "service", "version": "1.0.0",
            "dependencies": [dependency],
            "launch": {
                "command": sys.executable,  # python3, by its absolute path
                "args": sample_args(cid, free_port(), "--dependencies", dependency),
                "env": {"PYTHONPATH": str(PACKAGE_ROOT)},
                "stop_timeout": 20,
                "startup_timeout": 60,
            },
        })

        started = await self.client.start_component(cid, wait=True, full_response=True)
        self.assertEqual(started["message"], "Component started")
        instance_uuid = started["instance_uuid"]

        # It registered itself onto the instance Tekton launched (one instance), reports ready and heartbeats.
        details = await eventually(lambda: self._with(cid, lambda d: d["instances"][0]["last_heartbeat"] and d["health_check"] == "/health"),
                                   message="a heartbeat and the sample's own registration")
        self.assertEqual([i["instance_uuid"] for i in details["instances"]], [instance_uuid])
        self.assertEqual(details["status"], "ready")
        self.assertIsNotNone(details["instances"][0]["pid"])
        self.assertEqual(details["component_name"], f"{cid} (Python sample)")
        self.assertIsNotNone(details["launch"], "the sample's registration keeps the operator's launch spec")
        await eventually(lambda: self._log_has(cid, "ready"), message="'ready' in the sample's output")
        status = await self.client.get_component_status(cid)
        self.assertEqual(status["health_status"].get("api"), "healthy")
        resources = await eventually(lambda: self._resources(cid), message="measured resources")
        self.assertGreater(resources["resource_usage"]["memory"]["rss"], 1)

        stopped = await self.client.stop_component(cid)
        self.assertEqual(stopped, {"success": True, "message": "Component stopped successfully"})
        self.assertEqual((await self.component(cid))["instances"][0]["status"], "stopped")
        # The process has ended when the stop answers; its exit code is recorded by Tekton's process watcher, which
        # may run a moment after the answer when the component reported 'stopped' itself (a server race).
        instance = await eventually(lambda: self._with(cid, lambda d: d["instances"][0]["exit_code"] is not None),
                                    message="the exit code recorded")
        instance = instance["instances"][0]
        self.assertEqual((instance["status"], instance["exit_code"], instance["pid"]), ("stopped", 0, None))
        lines = (await self.client.get_component_logs(cid))["lines"]
        self.assertIn("stopped", lines)
        self.assertTrue({"SIGTERM received", "shutdown signal received (force=False)"} & set(lines), lines)

    async def _with(self, cid: str, condition):
        details = await self.component(cid)
        return details if condition(details) else None

    async def _log_has(self, cid: str, line: str) -> bool:
        return line in (await self.client.get_component_logs(cid))["lines"]

    async def _resources(self, cid: str):
        usage = await self.client.get_component_resources(cid)
        return usage if usage["resource_usage"]["memory"] else None

    def run_sample(self, cid: str, *extra: str) -> subprocess.Popen:
        env = {k: v for k, v in os.environ.items() if not k.startswith("TEKTON_")}
        env.update({"TEKTON_URL": SERVER.url, "PYTHONPATH": str(PACKAGE_ROOT)})
        process = subprocess.Popen([sys.executable, *sample_args(cid, free_port(), *extra)], env=env,
                                   stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        self.addCleanup(stop_process, process)
        return process

    async def wait_exit(self, process: subprocess.Popen, timeout: float = 30) -> tuple[int, str]:
        output, _ = await asyncio.to_thread(process.communicate, timeout=timeout)
        return process.returncode, output

    async def test_run_on_its_own_it_stops_on_a_stop_requested_through_the_api(self) -> None:
        cid = unique("pyown")
        process = self.run_sample(cid)
        await eventually(lambda: self._with(cid, lambda d: d["status"] == "ready"), message="the sample ready")
        stopped = await self.client.stop_component(cid, timeout=20)
        self.assertEqual(stopped["message"], "Component stopped successfully")
        code, output = await self.wait_exit(process)
        self.assertEqual(code, 0, output)
        self.assertIn("shutdown signal received (force=False)", output)
        self.assertIn("stopped", output.splitlines())
        details = await self.component(cid)
        self.assertEqual((details["status"], details["instances"][0]["reason"]), ("stopped", "shut down cleanly"))

    async def test_sigterm_shuts_it_down_gracefully(self) -> None:
        cid = unique("pyterm")
        process = self.run_sample(cid)
        await eventually(lambda: self._with(cid, lambda d: d["status"] == "ready"), message="the sample ready")
        process.send_signal(signal.SIGTERM)
        code, output = await self.wait_exit(process)
        self.assertEqual(code, 0, output)
        self.assertIn("SIGTERM received", output)
        self.assertEqual((await self.component(cid))["status"], "stopped")

    async def test_missing_dependencies_fail_it(self) -> None:
        cid = unique("pynodep")
        process = self.run_sample(cid, "--dependencies", "ghost-" + cid, "--dependency-timeout", "1")
        code, output = await self.wait_exit(process)
        self.assertEqual(code, 1, output)
        self.assertIn(f"dependencies failed: ['ghost-{cid}']", output)
        details = await self.component(cid)
        self.assertEqual((details["status"], details["instances"][0]["reason"]), ("failed", f"dependencies not ready: ghost-{cid}"))


if __name__ == "__main__":
    unittest.main()
