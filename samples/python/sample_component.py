#!/usr/bin/env python3
"""A Tekton component written with the Python SDK's integration patterns.

It serves ``GET /health`` on ``--port``, registers with Tekton (attaching to the instance Tekton launched it
for, when it did), sends heartbeats, waits for its dependencies, reports its resource usage, marks itself
ready, and shuts down gracefully on Tekton's shutdown signal (a stop requested through the API) or on
SIGTERM/SIGINT: it stops its work, tells Tekton (``stopping``, then ``stopped``) and exits 0.

    PYTHONPATH=clients/python python3 samples/python/sample_component.py --id my_component --port 8500

Tekton's address comes from ``--tekton-url``, else ``TEKTON_URL`` (set by Tekton for the processes it
launches), else http://localhost:8010; the API key from ``TEKTON_API_KEY``.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import signal
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from tekton.client import TektonClient
from tekton.errors import TektonError
from tekton.utils.tekton_client import (
    ResourceReporter,
    get_default_client,
    listen_for_shutdown,
    mark_ready,
    notify_shutdown,
    set_default_client,
    wait_for_dependencies,
)
from tekton.utils.tekton_registration import register_with_tekton


def log(message: str) -> None:
    print(message, flush=True)


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--id", default=os.environ.get("TEKTON_COMPONENT_ID") or "python_sample", help="component id")
    parser.add_argument("--name", default=None, help="component name (default: '<id> (Python sample)')")
    parser.add_argument("--type", default="service", help="component type")
    parser.add_argument("--version", default="1.0.0")
    parser.add_argument("--host", default="127.0.0.1", help="the address /health listens on and Tekton probes")
    parser.add_argument("--port", type=int, default=8500, help="the port of GET /health (0: any free port)")
    parser.add_argument("--capabilities", default="", help="comma-separated capabilities")
    parser.add_argument("--dependencies", default="", help="comma-separated component ids to wait for")
    parser.add_argument("--dependency-timeout", type=float, default=60.0, help="seconds to wait for dependencies")
    parser.add_argument("--heartbeat-interval", type=float, default=10.0, help="seconds between heartbeats")
    parser.add_argument("--report-interval", type=float, default=10.0, help="seconds between resource reports")
    parser.add_argument("--tekton-url", default=None, help="Tekton's address (default: TEKTON_URL)")
    return parser.parse_args(argv)


def start_health_server(host: str, port: int, component_id: str, state: dict[str, str]) -> ThreadingHTTPServer:
    class Health(BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802 - http.server's name
            if self.path.split("?")[0] != "/health":
                self.send_error(404)
                return
            body = json.dumps({"status": state["status"], "component_id": component_id}).encode()
            self.send_response(200 if state["status"] != "stopping" else 503)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer((host, port), Health)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, name="health", daemon=True).start()
    return server


async def run(args: argparse.Namespace) -> int:
    if args.tekton_url:
        set_default_client(TektonClient(base_url=args.tekton_url))
    client = get_default_client()
    component_id = args.id
    loop = asyncio.get_running_loop()
    shutdown_event = asyncio.Event()

    def on_os_signal(number: int) -> None:
        log(f"{signal.Signals(number).name} received")
        shutdown_event.set()

    for number in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(number, on_os_signal, number)

    state = {"status": "initializing"}
    server = start_health_server(args.host, args.port, component_id, state)
    port = server.server_address[1]
    log(f"{component_id}: GET /health on http://{args.host}:{port}, Tekton at {client.base_url}")

    dependencies = [d for d in args.dependencies.split(",") if d]
    # Step 1: register (attaches to TEKTON_INSTANCE_UUID when Tekton launched this process).
    success, instance_uuid = await register_with_tekton(
        component_id=component_id,
        component_name=args.name or f"{component_id} (Python sample)",
        component_type=args.type,
        version=args.version,
        capabilities=[c for c in args.capabilities.split(",") if c],
        dependencies=dependencies,
        host=args.host,
        port=port,
        health_check="/health",
        heartbeat_interval=args.heartbeat_interval,
    )
    if not success:
        log("registration failed")
        server.shutdown()
        return 1
    log(f"registered as instance {instance_uuid}")

    # Step 2: heartbeats, and listen for Tekton's shutdown signal from now on.
    heartbeat = client.start_heartbeat(component_id, interval=args.heartbeat_interval, instance_uuid=instance_uuid,
                                       health={"api": "healthy"})
    listener = asyncio.create_task(listen_for_shutdown(
        component_id=component_id, instance_uuid=instance_uuid, shutdown_event=shutdown_event))
    reporter: ResourceReporter | None = None
    failed_reason: str | None = None
    exit_code = 0
    try:
        # Step 3: dependencies (a shutdown meanwhile ends the wait).
        if dependencies:
            log(f"waiting for {', '.join(dependencies)}")
            waiting = asyncio.create_task(wait_for_dependencies(
                dependencies=dependencies, timeout=args.dependency_timeout, check_interval=1))
            stopping = asyncio.create_task(shutdown_event.wait())
            await asyncio.wait({waiting, stopping}, return_when=asyncio.FIRST_COMPLETED)
            stopping.cancel()
            if not waiting.done():
                waiting.cancel()
                log("shut down while waiting for dependencies")
            else:
                ok, failed = waiting.result()
                if not ok:
                    log(f"dependencies failed: {failed}")
                    failed_reason = f"dependencies not ready: {', '.join(failed)}"
                    return 1

        # Step 4: resources, then ready.
        reporter = ResourceReporter(component_id=component_id, instance_uuid=instance_uuid, interval=args.report_interval)
        await reporter.start()
        if not shutdown_event.is_set():
            state["status"] = "ready"
            await mark_ready(instance_uuid)
            log("ready")

        # The component's work: here, waiting until it is asked to stop.
        await shutdown_event.wait()
        if listener.done() and not listener.cancelled() and listener.exception() is None:
            log(f"shutdown signal received (force={listener.result().get('force')})")
    except TektonError as error:
        log(f"Tekton error: {error}")
        exit_code = 1
    finally:
        state["status"] = "stopping"
        if reporter is not None:
            await reporter.stop()
        await heartbeat.stop()
        listener.cancel()
        await asyncio.gather(listener, return_exceptions=True)
        server.shutdown()
        server.server_close()
        try:
            if failed_reason is None:
                await notify_shutdown(instance_uuid)
                log("stopped")
            else:
                await client.change_instance_state(component_id, instance_uuid, "failed", failed_reason)
        except TektonError as error:
            log(f"could not report the shutdown: {error}")
    return exit_code


def main(argv: list[str] | None = None) -> int:
    return asyncio.run(run(parse_args(argv)))


if __name__ == "__main__":
    sys.exit(main())
