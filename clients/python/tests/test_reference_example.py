"""The reference's Python SDK example, run as written (only host and port adapted) against a real Tekton."""

from __future__ import annotations

import unittest

from tests.support import TektonServer, eventually

from tekton.client import TektonClient, ComponentRegistration

SERVER: TektonServer | None = None


def setUpModule() -> None:
    global SERVER
    SERVER = TektonServer().start()


def tearDownModule() -> None:
    if SERVER is not None:
        SERVER.close()


class ReferenceExampleTests(unittest.IsolatedAsyncioTestCase):
    async def asyncSetUp(self) -> None:
        # What the example expects to exist: engram with vector_search, rhetor with a launch spec, and a model
        # for text_generation, all added through the API.
        admin = SERVER.client()
        await admin.register_component(ComponentRegistration(
            component_id="engram", component_name="Engram Memory Service", component_type="memory", version="1.0.0",
            capabilities=["memory_storage", "vector_search"]))
        await admin.register_component({
            "component_id": "rhetor", "component_name": "Rhetor LLM Manager", "component_type": "llm",
            "version": "1.0.0", "launch": {"command": "sleep", "args": ["60"]}})
        await admin.add_model(id="llama3", provider="ollama", capabilities=["text_generation", "chat"], tier=2,
                              context_window=8192)
        self.admin = admin

    async def asyncTearDown(self) -> None:
        await self.admin.stop_component("rhetor", force=True)

    async def test_the_python_sdk_example_runs_as_written(self) -> None:
        port = SERVER.port

        # ---- the reference's example (host="localhost", port adapted) -----------------------------
        # Create a client
        client = TektonClient(host="localhost", port=port)

        # Register a component
        registration = ComponentRegistration(
            component_id="my_component",
            component_name="My Custom Component",
            component_type="service",
            version="1.0.0",
            capabilities=["data_processing", "visualization"],
            dependencies=["engram", "rhetor"],
            port=8500
        )

        success, uuid = await client.register_component(registration)

        # Get component status
        status = await client.get_component_status("engram")

        # Find a component by capability
        components = await client.find_components_by_capability("vector_search")

        # Start a component
        success = await client.start_component("rhetor")

        # Monitor resources
        resources = await client.get_system_resources()

        # Route a task to the appropriate model
        route_info = await client.route_task(
            task_type="text_generation",
            complexity="medium",
            context_length=2000
        )

        # Send heartbeats
        heartbeat_task = client.start_heartbeat("my_component", interval=10)
        await eventually(lambda: heartbeat_task.sent >= 1, message="the first heartbeat")  # (test only)

        # Stop heartbeats when done
        await heartbeat_task.stop()
        # ---- end of the example ----------------------------------------------------------------------

        self.assertTrue(success)
        self.assertRegex(uuid, r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")
        self.assertEqual(status["component_id"], "engram")
        self.assertEqual(status["status"], "registered")
        self.assertEqual([c["component_id"] for c in components], ["engram"])
        self.assertIs(success, True)
        self.assertGreater(resources["cpu"]["cores"], 0)
        self.assertIn("memory", resources)
        self.assertEqual(route_info["selected_model"], "llama3")
        self.assertTrue(route_info["selection_criteria"]["capability_match"])
        self.assertFalse(heartbeat_task.running)
        my_component = await client.get_component_status("my_component")
        self.assertEqual(my_component["instance_uuid"], uuid)
        self.assertIsNotNone(my_component["last_heartbeat"])
        rhetor = await client.get_component("rhetor")
        self.assertIn(rhetor["status"], ("initializing", "ready"))
        self.assertIsNotNone(rhetor["instances"][0]["pid"])


if __name__ == "__main__":
    unittest.main()
