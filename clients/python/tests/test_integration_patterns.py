"""The reference's integration patterns, each run as written, against a real Tekton; and the helpers' details.

The snippets use names the reference does not import in them (``logger``, ``start_heartbeat_task``,
``mark_ready``, ``notify_shutdown``, ``ResourceReporter``, ``cleanup``, ``instance_uuid``, ``shutdown_event``):
they are provided around each snippet, as the component around it would.
"""

from __future__ import annotations

import asyncio
import logging
import os
import unittest
import uuid
from unittest import mock

from tests.support import TektonServer, eventually, free_port

from tekton import _instances
from tekton.client import TektonApiError, TektonClient
from tekton.utils.tekton_client import (
    ResourceReporter,
    get_default_client,
    mark_ready,
    measure_process,
    notify_shutdown,
    report_resources,
    set_default_client,
)
from tekton.utils.tekton_registration import start_heartbeat_task

logger = logging.getLogger("tests.integration")
_ResourceReporter = ResourceReporter

SERVER: TektonServer | None = None


def setUpModule() -> None:
    global SERVER
    SERVER = TektonServer().start()


def tearDownModule() -> None:
    if SERVER is not None:
        SERVER.close()


class PatternTestCase(unittest.IsolatedAsyncioTestCase):
    """Each test sees Tekton through ``TEKTON_URL``, as a component Tekton launched does."""

    async def asyncSetUp(self) -> None:
        environment = {k: v for k, v in os.environ.items() if not k.startswith("TEKTON_")}
        environment["TEKTON_URL"] = SERVER.url
        self._env = mock.patch.dict(os.environ, environment, clear=True)
        self._env.start()
        set_default_client(None)
        self.client = SERVER.client()
        for component_id in ("my_component", "engram", "rhetor"):
            try:
                await self.client.deregister_component(component_id)
            except TektonApiError as error:
                if error.code != 1001:
                    raise

    async def asyncTearDown(self) -> None:
        await get_default_client().close()  # stops heartbeats the snippets left running
        self._env.stop()
        set_default_client(None)

    async def make_ready(self, component_id: str, component_type: str = "service") -> str:
        _, instance = await self.client.register_component({
            "component_id": component_id, "component_name": component_id, "component_type": component_type, "version": "1.0.0"})
        await self.client.send_heartbeat(component_id, instance, status="ready")
        return instance


class ComponentRegistrationPattern(PatternTestCase):
    async def test_registration_as_written(self) -> None:
        from tekton.utils.tekton_registration import register_with_tekton

        async def initialize_component():
            # Step 1: Register with Tekton
            success, instance_uuid = await register_with_tekton(
                component_id="my_component",
                component_name="My Custom Component",
                component_type="service",
                version="1.0.0",
                capabilities=["data_processing", "visualization"],
                dependencies=["engram", "rhetor"],
                port=8500
            )

            if not success:
                logger.error("Failed to register with Tekton")
                return False

            # Step 2: Start sending heartbeats
            heartbeat_task = start_heartbeat_task(instance_uuid)

            # Step 3: Initialize component resources
            # ...

            # Step 4: Notify Tekton that the component is ready
            await mark_ready(instance_uuid)

            return True

        self.assertIs(await initialize_component(), True)
        details = await self.client.get_component("my_component")
        self.assertEqual(details["status"], "ready")
        self.assertEqual(details["capabilities"], ["data_processing", "visualization"])
        self.assertEqual(details["dependencies"], ["engram", "rhetor"])
        self.assertEqual(details["port"], 8500)
        self.assertEqual(details["instances"][0]["reason"], "initialized")
        await eventually(self._heartbeat_seen, message="a heartbeat from the snippet's task")

    async def _heartbeat_seen(self) -> bool:
        return (await self.client.get_component_status("my_component"))["last_heartbeat"] is not None

    async def test_registration_failure_is_a_false_success_not_an_exception(self) -> None:
        from tekton.utils.tekton_registration import register_with_tekton

        result = await register_with_tekton(component_id="my_component", component_name="x", component_type="service",
                                            version="not-semver")
        success, instance_uuid = result
        self.assertEqual((success, instance_uuid), (False, None))
        self.assertEqual(result.error.code, 1002)
        with mock.patch.dict(os.environ, {"TEKTON_URL": f"http://127.0.0.1:{free_port()}"}):
            set_default_client(TektonClient(retries=0))
            success, instance_uuid = await register_with_tekton(component_id="my_component", component_name="x",
                                                                component_type="service", version="1.0.0")
            self.assertEqual((success, instance_uuid), (False, None))

    async def test_a_launched_process_attaches_to_its_instance(self) -> None:
        from tekton.utils.tekton_registration import register_with_tekton

        launched = str(uuid.uuid4())
        with mock.patch.dict(os.environ, {"TEKTON_INSTANCE_UUID": launched, "TEKTON_COMPONENT_ID": "my_component"}):
            success, instance_uuid = await register_with_tekton(
                component_id="my_component", component_name="My Custom Component", component_type="service", version="1.0.0")
            self.assertTrue(success)
            self.assertEqual(instance_uuid, launched)
            _, again = await register_with_tekton(
                component_id="my_component", component_name="My Custom Component", component_type="service", version="1.0.1")
            self.assertEqual(again, launched)
            # Another component id than the one Tekton launched does not take the launched instance.
            _, other = await register_with_tekton(component_id="engram", component_name="e", component_type="memory", version="1.0.0")
            self.assertNotEqual(other, launched)
        details = await self.client.get_component("my_component")
        self.assertEqual([i["instance_uuid"] for i in details["instances"]], [launched])
        self.assertEqual(details["version"], "1.0.1")

    async def test_mark_ready_and_notify_shutdown_find_the_component(self) -> None:
        instance = str(uuid.uuid4())
        # Neither registered here nor named: TEKTON_COMPONENT_ID is the fallback.
        await self.client.register_component({"component_id": "engram", "component_name": "e", "component_type": "memory",
                                              "version": "1.0.0", "instance_uuid": instance})
        _instances._components.pop(instance, None)
        with self.assertRaises(ValueError):
            await mark_ready(instance)
        with mock.patch.dict(os.environ, {"TEKTON_COMPONENT_ID": "engram"}):
            self.assertEqual((await mark_ready(instance))["new_state"], "ready")
        answer = await notify_shutdown(uuid.UUID(instance), component_id="engram")
        self.assertEqual(answer["new_state"], "stopped")
        self.assertEqual((await notify_shutdown(instance, component_id="engram"))["new_state"], "stopped")
        status = await self.client.get_component("engram")
        self.assertEqual((status["status"], status["instances"][0]["reason"]), ("stopped", "shut down cleanly"))
        await self.assertRaisesCode(mark_ready(str(uuid.uuid4()), component_id="engram"), 1001)

    async def assertRaisesCode(self, awaitable, code: int) -> None:
        with self.assertRaises(TektonApiError) as caught:
            await awaitable
        self.assertEqual(caught.exception.code, code)


class DependencyResolutionPattern(PatternTestCase):
    async def test_dependency_resolution_as_written(self) -> None:
        from tekton.utils.tekton_client import wait_for_dependencies

        async def start_component():
            # Define dependencies
            dependencies = ["engram", "rhetor"]

            # Wait for dependencies to be ready
            success, failed_deps = await wait_for_dependencies(
                dependencies=dependencies,
                timeout=60,
                check_interval=1
            )

            if not success:
                logger.error(f"Dependencies failed: {failed_deps}")
                return False

            # Continue with component initialization
            # ...

            return True

        await self.make_ready("engram", "memory")
        _, rhetor = await self.client.register_component({
            "component_id": "rhetor", "component_name": "Rhetor", "component_type": "llm", "version": "1.0.0"})
        waiting = asyncio.create_task(start_component())
        await asyncio.sleep(1.5)  # the helper polls once a second: let it see rhetor not ready
        self.assertFalse(waiting.done())
        await self.client.change_instance_state("rhetor", rhetor, "ready")
        self.assertIs(await asyncio.wait_for(waiting, 10), True)

    async def test_dependencies_that_never_come_are_reported(self) -> None:
        from tekton.utils.tekton_client import wait_for_dependencies

        await self.make_ready("engram", "memory")
        await self.client.register_component({"component_id": "rhetor", "component_name": "r", "component_type": "llm", "version": "1.0.0"})
        loop = asyncio.get_running_loop()
        began = loop.time()
        success, failed = await wait_for_dependencies(dependencies=["engram", "rhetor", "ghost", "rhetor"], timeout=1.2,
                                                      check_interval=0.3)
        self.assertFalse(success)
        self.assertEqual(failed, ["rhetor", "ghost"])
        self.assertLess(loop.time() - began, 5)
        self.assertEqual(await wait_for_dependencies(["engram"], timeout=0), (True, []))


class GracefulShutdownPattern(PatternTestCase):
    async def test_graceful_shutdown_as_written_with_a_stop_requested_through_the_api(self) -> None:
        from tekton.utils.tekton_client import listen_for_shutdown
        from tekton.utils.tekton_registration import register_with_tekton

        success, instance_uuid = await register_with_tekton(
            component_id="my_component", component_name="My Custom Component", component_type="service", version="1.0.0")
        self.assertTrue(success)
        await self.client.send_heartbeat("my_component", instance_uuid, status="ready")
        cleaned = []
        loop_turns = 0

        async def cleanup():
            cleaned.append(loop.time())

        loop = asyncio.get_running_loop()

        async def run_component():
            nonlocal loop_turns
            # Initialize component
            # ...

            # Start listening for shutdown signals
            shutdown_event = asyncio.Event()
            asyncio.create_task(listen_for_shutdown(
                component_id="my_component",
                instance_uuid=instance_uuid,
                shutdown_event=shutdown_event
            ))

            # Main component loop
            try:
                while not shutdown_event.is_set():
                    # Do component work
                    # ...
                    loop_turns += 1
                    await asyncio.sleep(0.1)
            finally:
                # Clean up resources
                await cleanup()

                # Notify Tekton that the component is shutting down
                await notify_shutdown(instance_uuid)

        component = asyncio.create_task(run_component())
        await eventually(lambda: loop_turns >= 3, message="the component's loop running")
        stop = await asyncio.wait_for(self.client.stop_component("my_component", timeout=20), 30)
        self.assertEqual(stop, {"success": True, "message": "Component stopped successfully"})
        await asyncio.wait_for(component, 10)
        self.assertEqual(len(cleaned), 1)
        details = await self.client.get_component("my_component")
        self.assertEqual(details["instances"][0]["status"], "stopped")
        self.assertEqual(details["instances"][0]["reason"], "shut down cleanly")


class ResourceReportingPattern(PatternTestCase):
    async def test_resource_reporting_as_written(self) -> None:
        from tekton.utils.tekton_client import report_resources  # noqa: F401 - as the reference imports it
        from tekton.utils.tekton_registration import register_with_tekton

        success, instance_uuid = await register_with_tekton(
            component_id="my_component", component_name="My Custom Component", component_type="service", version="1.0.0")
        shutdown_event = asyncio.Event()
        reporters = []
        real_reporter = _ResourceReporter

        def ResourceReporter(**kwargs):  # noqa: N802 - records the reporter the snippet makes
            reporter = real_reporter(**kwargs)
            reporters.append(reporter)
            return reporter

        async def monitor_resources():
            # Create resource reporter
            reporter = ResourceReporter(
                component_id="my_component",
                instance_uuid=instance_uuid,
                interval=10  # seconds
            )

            # Start reporting resources
            await reporter.start()

            # Stop reporting when done
            try:
                # Wait for shutdown
                await shutdown_event.wait()
            finally:
                await reporter.stop()

        monitoring = asyncio.create_task(monitor_resources())
        usage = await eventually(self._reported, message="a resource report")
        self.assertGreater(usage["resource_usage"]["memory"]["rss"], 1)
        self.assertGreater(usage["resource_usage"]["memory"]["vms"], usage["resource_usage"]["memory"]["rss"] / 2)
        self.assertEqual(usage["sources"]["memory"], "reported")
        shutdown_event.set()
        await asyncio.wait_for(monitoring, 10)
        self.assertFalse(reporters[0].running)
        self.assertEqual(reporters[0].reports, 1)

    async def _reported(self):
        usage = await self.client.get_component_resources("my_component")
        return usage if usage["resource_usage"]["memory"] else None

    async def test_reporter_measures_cpu_between_reports_and_report_resources_reports_once(self) -> None:
        instance = await self.make_ready("my_component")
        reporter = ResourceReporter(component_id="my_component", instance_uuid=instance, interval=0.2)
        await reporter.start()
        await reporter.start()
        sum(i * i for i in range(300_000))  # some CPU to measure
        await eventually(lambda: reporter.reports >= 3, message="three reports")
        await reporter.stop()
        await reporter.stop()
        self.assertIn("cpu_percent", reporter.last_usage)
        self.assertGreaterEqual(reporter.last_usage["cpu_percent"], 0)
        self.assertEqual(reporter.last_usage["instance_uuid"], instance)
        self.assertIsNone(reporter.last_error)
        answer = await report_resources(component_id="my_component", instance_uuid=instance,
                                        usage={"network": {"bytes_sent": 10, "bytes_recv": 20}})
        self.assertTrue(answer["success"])
        usage = await self.client.get_component_resources("my_component")
        self.assertEqual(usage["resource_usage"]["network"], {"bytes_sent": 10, "bytes_recv": 20})
        body, _ = measure_process()
        self.assertNotIn("cpu_percent", body)
        self.assertGreater(body["memory"]["rss"], 0)

    async def test_a_failing_reporter_goes_on(self) -> None:
        errors = []
        reporter = ResourceReporter(component_id="nobody-" + uuid.uuid4().hex[:6], interval=0.1, on_error=errors.append)
        await reporter.start()
        await eventually(lambda: len(errors) >= 2, message="two failed reports")
        await reporter.stop()
        self.assertEqual(errors[0].code, 1001)
        self.assertEqual(reporter.reports, 0)


if __name__ == "__main__":
    unittest.main()
