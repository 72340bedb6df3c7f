"""Live events over the raw WebSocket channels: heartbeats, state changes, replay by since_sequence, and
reconnection across a Tekton restart with no gap and no duplicate."""

from __future__ import annotations

import asyncio
import unittest

from tests.support import TektonServer, eventually, unique

from tekton.client import TektonApiError
from tekton.events import WebSocket

SERVER: TektonServer | None = None


def setUpModule() -> None:
    global SERVER
    # Pings every 0.5 s, and a peer that does not answer them within 0.5 s is dropped: the client must pong.
    SERVER = TektonServer(extra_args=["--Tekton:Events:KeepAliveSeconds=0.5"]).start()


def tearDownModule() -> None:
    if SERVER is not None:
        SERVER.close()


def body(component_id: str, component_type: str = "service") -> dict:
    return {"component_id": component_id, "component_name": component_id, "component_type": component_type, "version": "1.0.0"}


class EventTests(unittest.IsolatedAsyncioTestCase):
    async def asyncSetUp(self) -> None:
        self.client = SERVER.client()

    async def asyncTearDown(self) -> None:
        await self.client.close()

    async def test_heartbeats_of_one_component(self) -> None:
        watched, other = unique("watched"), unique("other")
        _, instance = await self.client.register_component(body(watched))
        await self.client.register_component(body(other))
        received = []
        subscription = await self.client.subscribe_to_heartbeats(watched, received.append)
        self.assertTrue(subscription.connected)
        await self.client.send_heartbeat(other, status="ready")
        await self.client.send_heartbeat(watched, status="ready", metrics={"cpu_percent": 15.2})
        event = (await eventually(lambda: received, message="a heartbeat event"))[0]
        self.assertEqual(event["event"], "heartbeat")
        self.assertEqual((event["component_id"], event["instance_uuid"], event["status"]), (watched, instance, "ready"))
        self.assertEqual(event["metrics"], {"cpu_percent": 15.2})
        self.assertEqual(subscription.last_sequence, event["sequence"])
        await subscription.unsubscribe()
        await self.client.send_heartbeat(watched)
        await asyncio.sleep(0.3)
        self.assertEqual(len(received), 1)
        self.assertFalse(subscription.connected)

    async def test_state_changes_by_type_and_id_with_an_async_callback(self) -> None:
        kind = "k" + unique("t")[-8:]
        first, second = unique("sc-a"), unique("sc-b")
        received = []

        async def on_change(event):
            await asyncio.sleep(0)
            received.append(event)

        subscription = await self.client.subscribe_to_state_changes([kind], on_change, component_ids=[first])
        _, instance = await self.client.register_component(body(first, kind))
        await self.client.register_component(body(second, kind))
        await self.client.change_instance_state(first, instance, "ready", "warm")
        await eventually(lambda: len(received) >= 2, message="two state changes")
        self.assertEqual([(e["previous_state"], e["new_state"]) for e in received],
                         [("unregistered", "registered"), ("registered", "ready")])
        self.assertTrue(all(e["component_id"] == first for e in received))
        self.assertEqual(received[1]["metadata"]["reason"], "warm")
        self.assertEqual(received[1]["metadata"]["instance_uuid"], instance)
        await subscription.unsubscribe()

    async def test_replay_from_a_sequence(self) -> None:
        cid = unique("replay")
        live = []
        first = await self.client.subscribe_to_state_changes(["all"], live.append, component_ids=[cid])
        _, instance = await self.client.register_component(body(cid))
        await self.client.change_instance_state(cid, instance, "ready")
        await eventually(lambda: len(live) >= 2, message="the live events")
        await first.unsubscribe()
        replayed = []
        second = await self.client.subscribe_to_state_changes(["all"], replayed.append, component_ids=[cid],
                                                              since_sequence=live[0]["sequence"] - 1)
        await eventually(lambda: len(replayed) >= 2, message="the replayed events")
        self.assertEqual([e["sequence"] for e in replayed], [e["sequence"] for e in live])
        await second.unsubscribe()

    async def test_a_refused_subscription_raises(self) -> None:
        with self.assertRaises(TektonApiError) as caught:
            await self.client.subscribe_to_state_changes([], lambda e: None)
        self.assertEqual(caught.exception.code, 1000)

    async def test_a_failing_callback_does_not_end_the_subscription(self) -> None:
        cid = unique("boom")
        errors, seen = [], []

        def callback(event):
            seen.append(event)
            raise RuntimeError("handler failed")

        subscription = await self.client.subscribe_to_heartbeats(cid, callback, on_error=errors.append)
        await self.client.register_component(body(cid))
        await self.client.send_heartbeat(cid)
        await self.client.send_heartbeat(cid)
        await eventually(lambda: len(seen) >= 2, message="both heartbeats despite the failing callback")
        self.assertEqual(len(errors), 2)
        await subscription.unsubscribe()

    async def test_the_websocket_answers_pings_and_closes_cleanly(self) -> None:
        socket = await WebSocket.connect(SERVER.url.replace("http", "ws") + "/ws/tekton/heartbeat")
        await socket.send('{"action": "dance"}')
        error = await socket.receive(5)
        self.assertIn('"code":1000', error.replace(" ", ""))
        await socket.send('{"action": "subscribe", "component_id": "all"}')
        self.assertIn('"subscribed"', await socket.receive(5))
        # Tekton pings every 0.5 s here and drops a peer that does not pong; 3 s of silence must not end it.
        with self.assertRaises(asyncio.TimeoutError):
            await asyncio.wait_for(socket.receive(), 3)
        await socket.send('{"action": "unsubscribe", "component_id": "all"}')
        self.assertIn('"unsubscribed"', await socket.receive(5))
        await socket.close()
        self.assertTrue(socket._close_sent)

    async def test_an_idle_subscription_stays_connected(self) -> None:
        cid = unique("idle")
        received = []
        subscription = await self.client.subscribe_to_heartbeats(cid, received.append)
        await asyncio.sleep(3)  # nothing to wait for: the point is that nothing happens (no drop, no reconnect)
        self.assertEqual((subscription.connected, subscription.reconnects), (True, 0))
        await self.client.register_component(body(cid))
        await self.client.send_heartbeat(cid)
        await eventually(lambda: received, message="a heartbeat after the idle time")
        await subscription.unsubscribe()

    async def test_an_unsubscribe_ends_even_when_a_cancellation_is_lost(self) -> None:
        # Before Python 3.12, asyncio.wait_for loses a cancellation that arrives as its read completes (here, a ping
        # every 0.5 s); the subscription then went on answering pings and unsubscribe waited for ever. The loss is
        # made certain here: the receive swallows the first cancellation and returns as if a frame had come.
        original = WebSocket.receive
        swallowed = []

        async def receive(socket: WebSocket, idle_timeout: float) -> str:
            try:
                return await original(socket, idle_timeout)
            except asyncio.CancelledError:
                if swallowed:
                    raise
                swallowed.append(1)
                return '{"event": "pong"}'

        WebSocket.receive = receive  # type: ignore[method-assign]
        try:
            subscription = await self.client.subscribe_to_heartbeats(unique("lost"), lambda _: None)
            await asyncio.sleep(0.2)
            await asyncio.wait_for(subscription.unsubscribe(), 10)
        finally:
            WebSocket.receive = original  # type: ignore[method-assign]
        self.assertEqual(swallowed, [1])
        self.assertFalse(subscription.connected)


class ReconnectionTests(unittest.IsolatedAsyncioTestCase):
    """Runs last in this module (the name sorts after EventTests): it restarts Tekton."""

    async def test_subscriptions_resume_across_a_restart_without_gaps_or_duplicates(self) -> None:
        client = SERVER.client()
        kind = "r" + unique("t")[-8:]
        received, disconnects, reconnects = [], [], []
        subscription = await client.subscribe_to_state_changes(
            [kind], received.append, on_disconnected=disconnects.append, on_reconnected=lambda: reconnects.append(1),
            max_reconnect_delay=0.5)
        before = unique("before")
        await client.register_component(body(before, kind))
        await eventually(lambda: len(received) == 1, message="the event before the restart")

        await asyncio.to_thread(SERVER.restart)
        during = unique("during")
        await client.register_component(body(during, kind))  # possibly before the socket is back: replayed then
        await eventually(lambda: reconnects, timeout=30, message="the subscription reconnected")
        after = unique("after")
        await client.register_component(body(after, kind))
        await eventually(lambda: len(received) >= 3, timeout=30, message="the events during and after the restart")
        await asyncio.sleep(0.5)
        self.assertEqual([e["component_id"] for e in received], [before, during, after])
        sequences = [e["sequence"] for e in received]
        self.assertEqual(sequences, sorted(set(sequences)))
        self.assertGreaterEqual(len(disconnects), 1)
        self.assertEqual(subscription.reconnects, len(reconnects))
        self.assertTrue(subscription.connected)
        await client.close()
        self.assertFalse(subscription.connected)


if __name__ == "__main__":
    unittest.main()
