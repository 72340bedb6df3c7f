"""A scripted HTTP server in a thread: answers each request with the next step of a script, and records them."""

from __future__ import annotations

import json
import sys
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


@dataclass
class Step:
    status: int = 200
    body: Any = None                 # a dict/list (sent as JSON) or bytes
    headers: dict[str, str] = field(default_factory=dict)
    drop: bool = False               # close the connection without answering
    delay: float = 0.0               # seconds before answering
    content_type: str | None = None


@dataclass
class Recorded:
    method: str
    path: str
    headers: dict[str, str]
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body) if self.body else None


def problem(status: int, code: int, detail: str = "scripted") -> dict[str, Any]:
    return {"type": "about:blank", "title": "Scripted.", "status": status, "detail": detail, "code": code, "success": False}


class _Server(ThreadingHTTPServer):
    def handle_error(self, request: Any, client_address: Any) -> None:
        # A client that timed out or dropped the connection on purpose is part of the script; anything else is printed.
        if not isinstance(sys.exc_info()[1], ConnectionError):
            super().handle_error(request, client_address)


class ScriptedServer:
    """``with ScriptedServer([Step(503, problem(503, 1000)), Step(200, {...})]) as server: ...``; the last step
    repeats once the script is used up."""

    def __init__(self, steps: list[Step]) -> None:
        self.steps = list(steps)
        self.requests: list[Recorded] = []
        self._lock = threading.Lock()
        outer = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def _handle(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                with outer._lock:
                    outer.requests.append(Recorded(self.command, self.path, {k: v for k, v in self.headers.items()}, body))
                    step = outer.steps.pop(0) if len(outer.steps) > 1 else outer.steps[0]
                if step.delay:
                    time.sleep(step.delay)
                if step.drop:
                    self.close_connection = True
                    self.connection.close()
                    return
                payload = step.body if isinstance(step.body, bytes) else (json.dumps(step.body).encode() if step.body is not None else b"")
                self.send_response(step.status)
                content_type = step.content_type or ("application/problem+json" if step.status >= 400 else "application/json")
                if payload:
                    self.send_header("Content-Type", content_type)
                self.send_header("Content-Length", str(len(payload)))
                for name, value in step.headers.items():
                    self.send_header(name, value)
                self.end_headers()
                self.wfile.write(payload)

            do_GET = do_POST = do_PUT = do_DELETE = _handle

            def log_message(self, *args: Any) -> None:
                pass

        self._server = _Server(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self.port = self._server.server_address[1]
        self.url = f"http://127.0.0.1:{self.port}"
        self._thread = threading.Thread(target=self._server.serve_forever, args=(0.02,), name="scripted-http", daemon=True)

    def __enter__(self) -> "ScriptedServer":
        self._thread.start()
        return self

    def __exit__(self, *exc: Any) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(5)
