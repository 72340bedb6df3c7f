"""Test support: a real Tekton process, and waiting for conditions with a timeout."""

from __future__ import annotations

import asyncio
import inspect
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
import urllib.request
import uuid
from pathlib import Path
from typing import Any, Callable

PACKAGE_ROOT = Path(__file__).resolve().parent.parent          # clients/python
REPO_ROOT = PACKAGE_ROOT.parent.parent                            # the repository
SERVER_DIR = REPO_ROOT / "src" / "Tekton.Web" / "bin" / "Debug" / "net10.0"
SERVER_DLL = SERVER_DIR / "Tekton.Web.dll"
SAMPLE = REPO_ROOT / "samples" / "python" / "sample_component.py"
ADMIN_KEY = "tk_test-bootstrap-admin-key-0123456789abcdef"

if str(PACKAGE_ROOT) not in sys.path:
    sys.path.insert(0, str(PACKAGE_ROOT))


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def unique(prefix: str) -> str:
    """A component id no other test uses."""
    return f"{prefix}-{uuid.uuid4().hex[:10]}"


class TektonServer:
    """Tekton.Web as a real process from its build output, on 127.0.0.1 and a port fixed for its lifetime (so
    a client keeps its address across :meth:`restart`), with its database in a temporary folder."""

    def __init__(self, auth: bool = False, extra_args: list[str] | None = None, startup_timeout: float = 60.0) -> None:
        if not SERVER_DLL.exists():
            raise RuntimeError(f"{SERVER_DLL} is missing: build it with `dotnet build src/Tekton.Web`")
        self.auth = auth
        self.port = free_port()
        self.folder = tempfile.mkdtemp(prefix="tekton-python-tests-")
        self.url = f"http://127.0.0.1:{self.port}"
        self.extra_args = list(extra_args or [])
        self.startup_timeout = startup_timeout
        self.process: subprocess.Popen[str] | None = None
        self._output: list[str] = []
        self._lock = threading.Lock()

    # -- lifecycle --------------------------------------------------------------------------------

    def start(self) -> "TektonServer":
        args = [
            "dotnet", str(SERVER_DLL),
            "--urls", self.url,
            f"--Tekton:Database:ConnectionString=Data Source={os.path.join(self.folder, 'tekton.db')}",
        ]
        if self.auth:
            args.append("--Tekton:Auth:Enabled=true")
        args += self.extra_args
        env = dict(os.environ)
        env.update({
            "ASPNETCORE_ENVIRONMENT": "Production",
            "Logging__LogLevel__Default": "Warning",
            "Logging__LogLevel__Microsoft.Hosting.Lifetime": "Information",
            "DOTNET_NOLOGO": "1",
            "DOTNET_CLI_TELEMETRY_OPTOUT": "1",
        })
        for name in ("TEKTON_URL", "TEKTON_API_KEY", "TEKTON_INSTANCE_UUID", "TEKTON_COMPONENT_ID"):
            env.pop(name, None)
        if self.auth:
            env["TEKTON_BOOTSTRAP_ADMIN_KEY"] = ADMIN_KEY
        listening = threading.Event()
        self.process = subprocess.Popen(
            args, cwd=str(SERVER_DIR), env=env, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT, text=True, bufsize=1, start_new_session=True)
        expected = f"Now listening on: {self.url}"
        process = self.process

        def pump() -> None:
            assert process.stdout is not None
            for line in process.stdout:
                with self._lock:
                    self._output.append(line.rstrip("\n"))
                if expected in line:
                    listening.set()

        threading.Thread(target=pump, name=f"tekton-{self.port}-output", daemon=True).start()
        deadline = time.monotonic() + self.startup_timeout
        while not listening.wait(0.1):
            if process.poll() is not None:
                raise RuntimeError(f"Tekton exited with {process.returncode} before listening:\n{self.output}")
            if time.monotonic() > deadline:
                self.stop()
                raise RuntimeError(f"Tekton did not listen on {self.url} within {self.startup_timeout} s:\n{self.output}")
        return self

    def stop(self, timeout: float = 20.0) -> None:
        """Stops Tekton (SIGTERM, then SIGKILL)."""
        process, self.process = self.process, None
        if process is None or process.poll() is not None:
            return
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(10)

    def restart(self) -> None:
        self.stop()
        self.start()

    def close(self) -> None:
        """Stops every process Tekton runs (they outlive Tekton by design), then Tekton, and deletes its folder."""
        try:
            self.stop_launched_components()
        finally:
            self.stop()
            shutil.rmtree(self.folder, ignore_errors=True)

    def stop_launched_components(self) -> None:
        """Best effort: force-stops every component that has a launch spec, so no process outlives the tests."""
        if self.process is None or self.process.poll() is not None:
            return
        headers = {"Content-Type": "application/json"}
        if self.auth:
            headers["Authorization"] = "Bearer " + ADMIN_KEY
        try:
            with urllib.request.urlopen(urllib.request.Request(self.url + "/api/tekton/components", headers=headers), timeout=10) as answer:
                components = json.load(answer)["components"]
        except (OSError, ValueError, KeyError):
            return
        for component in components:
            cid = urllib.parse.quote(component["component_id"], safe="")
            try:
                with urllib.request.urlopen(urllib.request.Request(f"{self.url}/api/tekton/components/{cid}", headers=headers), timeout=10) as answer:
                    details = json.load(answer)
                if not details.get("launch") or not any(i.get("pid") for i in details.get("instances", [])):
                    continue
                request = urllib.request.Request(
                    f"{self.url}/api/tekton/components/{cid}/stop", data=b'{"force": true}', headers=headers, method="POST")
                with urllib.request.urlopen(request, timeout=30):
                    pass
            except (OSError, ValueError):
                pass

    @property
    def output(self) -> str:
        with self._lock:
            return "\n".join(self._output)

    def client(self, **options: Any):
        from tekton.client import TektonClient

        if self.auth and "api_key" not in options:
            options["api_key"] = ADMIN_KEY
        return TektonClient(base_url=self.url, **options)


async def eventually(
    condition: Callable[[], Any], timeout: float = 20.0, interval: float = 0.1, message: str = "condition"
) -> Any:
    """Awaits ``condition()`` (a function or coroutine function) until it returns something truthy, and returns
    it; fails after ``timeout`` seconds with the last value or error."""
    deadline = time.monotonic() + timeout
    last: Any = None
    while True:
        try:
            value = condition()
            if inspect.isawaitable(value):
                value = await value
            if value:
                return value
            last = value
        except AssertionError:
            raise
        except Exception as error:  # noqa: BLE001 - tried again until the deadline
            last = error
        if time.monotonic() > deadline:
            raise AssertionError(f"{message} not met within {timeout} s (last: {last!r})")
        await asyncio.sleep(interval)


def stop_process(process: subprocess.Popen, timeout: float = 10.0) -> None:
    """Stops a process a test started, if it still runs."""
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(5)
